import { startTestZooKeeper } from "../server/testing/services/zookeeper";
import { startTestPostgres } from "../server/testing/services/postgres";
import { startMasterChild, waitForLeader, electionsOf, getJson } from "../server/testing/ha-cluster";
import { startTestAgent } from "../server/testing/cluster";
const t0 = Date.now();
const log = (s: string) => console.log(((Date.now() - t0) / 1000).toFixed(2), s);
const [zk, pg] = await Promise.all([startTestZooKeeper(), startTestPostgres()]);
await pg.createDatabase("ha");
log("services up");
const T = 2000;
const masters = await Promise.all([0, 1, 2].map((i) => startMasterChild({ name: `m${i}`, zk: zk.url(), registry: pg.url("ha") + `?application_name=m${i}`, zkSessionTimeoutMs: T, extra: ["--allocation_interval=100ms", "--agent_reregister_timeout=30secs"] })));
const leader = await waitForLeader(masters, 30_000);
log(`leader ${leader.name}`);
const agents = await Promise.all([0, 1].map(() => startTestAgent(zk.url(), { extra: [`--zk_session_timeout=${T}ms`] })));
try {
  await new Promise((r) => setTimeout(r, 3000));
  log(JSON.stringify(await getJson(leader.port, "/metrics/snapshot").then((m) => ({ c: m["master/slaves_connected"] }))));
  const kill = Date.now();
  leader.signal("SIGKILL");
  log("killed leader");
  const next = await waitForLeader(masters.filter((m) => m !== leader), 20_000);
  log(`new leader ${next.name} after ${Date.now() - kill} ms`);
  for (;;) {
    const m = await getJson(next.port, "/metrics/snapshot");
    if (m["master/slaves_connected"] === 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`agents re-registered ${Date.now() - kill} ms after kill`);
  const view = await electionsOf(next.port);
  log(JSON.stringify(view?.elections, null, 0));
} finally {
  for (const a of agents) await a.stop({ killTasks: true });
  for (const m of masters) await m.stop();
  for (const m of masters) console.log(m.name, m.output.slice(-15).join("\n  "));
  for (const a of agents) console.log(a.output.filter((l) => /master|zookeeper/i.test(l)).slice(-12).join("\n  "));
  await zk.stop(); await pg.stop();
}
