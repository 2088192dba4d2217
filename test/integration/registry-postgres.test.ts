// The PostgreSQL registry (the HA provider): the store contract against a real server, and a
// master that recovers its agents from it after a restart.
import { afterAll, beforeAll, describe, expect } from "vitest";
import { it } from "vitest";
import { startTestPostgres, type TestPostgres } from "../../server/testing/services/postgres";
import { PrismaRegistryStore } from "../../server/master/registry/prisma-store";
import { storeContract } from "../../server/master/registry/store-contract";
import { startTestAgent, startTestMaster, waitForAgents, waitUntil } from "../../server/testing/cluster";

let pg: TestPostgres;
let dbSeq = 0;

beforeAll(async () => {
  pg = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  await pg?.stop();
});

describe("PostgreSQL registry store", () => {
  storeContract(() => {
    const name = `contract_${++dbSeq}_${Date.now()}`;
    let created: Promise<void> | null = null;
    return () => {
      const store = PrismaRegistryStore.fromUrl(pg.url(name));
      const init = store.init.bind(store);
      store.init = async () => {
        created ??= pg.createDatabase(name);
        await created;
        await init();
      };
      return store;
    };
  });

  it("a restarted master recovers admitted agents from PostgreSQL and they re-register", async () => {
    await pg.createDatabase("restart");
    const registry = pg.url("restart");
    let master = await startTestMaster({ registry });
    const agent = await startTestAgent(master.address);
    try {
      await waitForAgents(master, 1);
      const agentId = [...master.running.master.agents.keys()][0]!;
      const port = master.port;
      await master.stop();
      master = await startTestMaster({ registry, port });
      expect(master.running.master.recoveredAgents.has(agentId)).toBe(true);
      await waitUntil(() => master.running.master.agents.get(agentId)?.connection === "connected", 20_000, "agent to re-register");
      expect(master.running.master.recoveredAgents.size).toBe(0);
      expect(master.running.master.registrar.currentEpoch).toBe(2);
    } finally {
      await agent.stop({ killTasks: true });
      await master.stop();
    }
  });
});
