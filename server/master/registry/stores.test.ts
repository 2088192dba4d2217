// The registry store contract, run against every implementation available here: memory and
// SQLite always; PostgreSQL in the integration suite (test/integration/registry-postgres.test.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryRegistryStore } from "./memory-store";
import { PrismaRegistryStore } from "./prisma-store";
import { FencedError, type RegistryStore } from "./store";
import { storeContract } from "./store-contract";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function sqliteFactory(): () => RegistryStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-registry-"));
  dirs.push(dir);
  const file = path.join(dir, "registry.db");
  return () => PrismaRegistryStore.fromUrl(`file:${file}`);
}

describe("memory registry store", () => {
  const shared = { epoch: 0, agents: new Map(), entries: new Map() };
  storeContract(() => () => new MemoryRegistryStore(shared));
});

describe("SQLite registry store", () => {
  storeContract(sqliteFactory);

  it("creates and migrates the database file on first use", async () => {
    const make = sqliteFactory();
    const store = make();
    await store.init();
    await store.claimLeadership({ masterId: "m", address: "a" });
    await store.close();
    expect(FencedError).toBeDefined();
  });
});
