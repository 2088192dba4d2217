// ZooKeeper and PostgreSQL for a test file (started once before its tests, stopped after them),
// plus the clean-ups its tests register (masters, agents, clients), run first, newest first.
import { afterAll, beforeAll } from "vitest";
import { startTestPostgres, type TestPostgres } from "../../server/testing/services/postgres";
import { startTestZooKeeper, type TestZooKeeper } from "../../server/testing/services/zookeeper";

export interface HaServices {
  zk: TestZooKeeper;
  pg: TestPostgres;
  stops: (() => Promise<void>)[];
}

export function useHaServices(): HaServices {
  const services = { stops: [] } as unknown as HaServices;
  beforeAll(async () => {
    [services.zk, services.pg] = await Promise.all([startTestZooKeeper(), startTestPostgres()]);
  }, 60_000);
  afterAll(async () => {
    for (const s of services.stops.splice(0).reverse()) await s().catch(() => {});
    await services.zk?.stop();
    await services.pg?.stop();
  });
  return services;
}
