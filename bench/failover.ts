// Master failover benchmark (issue #6): time from SIGKILL of the leading master until a new leader
// has every agent re-registered. Real processes on loopback: ZooKeeper and PostgreSQL started
// here, 3 masters (`plateau master --zk=… --registry=postgresql://…`), and N simulated agents
// with T tasks each, spread over a few simulator processes. A simulated agent speaks the real
// internal protocol over its own WebSocket (REGISTER_AGENT, PING/PONG, REREGISTER_AGENT carrying
// its frameworks, executors and tasks) and follows the leader through ZooKeeper (one detector per
// simulator process), re-registering after a random delay in [0, backoff] as Mesos agents do.
// The simulators use a lean WebSocket client (./ws-lite.ts: real TCP connections, the RFC 6455
// handshake and masked frames, a re-registration frame built once per agent), because they share
// the machine's CPUs with the masters and the `ws` client alone cost more CPU than the master.
//
// Figures (per scenario, N agents):
//   registered_all_ms    setup: first leader has admitted all N agents (batched registry writes)
//   registry_commits     setup: registry transactions the first leader committed in its term (GET_ELECTIONS)
//   new_leader_ms        SIGKILL → a surviving master leads (registry recovered); ≈ ZooKeeper
//                        noticing the dead session (≤ the session timeout) + election + recovery
//   reregistered_p50_ms  SIGKILL → half of the agents have AGENT_REREGISTERED
//   reregistered_all_ms  SIGKILL → every agent has AGENT_REREGISTERED (the MTTR figure)
//   reregistration_ms    new leader detected by the agents → last agent re-registered
// Anchors: the Mesos paper's 4–8 s MTTR (200–4,000 agents); Mesos 1.5 ≈ 4.5 s for 10k agents to
// re-register (in-process, no network). Target: reregistered_all_ms ≤ session timeout + 2 s at 10k.
//
// Floor (`--floor`): the same run against three null masters (./null-master.ts: the same
// ZooKeeper election, then only accept, JSON.parse and reply) — what this machine, its sockets and
// the simulators cost before any master logic; scenarios `floor_setup` / `floor_leader_sigkill`.
//
// Usage: npm run bench:failover [-- --quick] [--floor] [--agents=1000,10000] [--tasks_per_agent=10]
//        [--session_timeout_ms=4000] [--backoff_ms=1000] [--simulators=2]
// Output: one JSON object per figure on stdout; a table on stderr. BENCH_DEBUG=1 adds the
// re-registration distribution and the simulators' ZooKeeper log; BENCH_MASTER_NODE_ARGS passes
// Node.js options to the masters (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"); BENCH_SIM_NODE_ARGS: the same for
// the simulator processes.
import { fork, type ChildProcess } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { electionsOf, getJson, startMasterChild, waitForLeader, type MasterChild } from "../server/testing/ha-cluster";
import { waitUntil } from "../server/testing/ports";
import { simulate, type SimConfig, type SimMessage } from "./failover-sim";
import { runNullMaster } from "./null-master";
import { startTestPostgres } from "../server/testing/services/postgres";
import { startTestZooKeeper } from "../server/testing/services/zookeeper";

/** Node.js options from an environment variable (space-separated). */
function envArgs(name: string): string[] {
  return process.env[name]?.split(" ").filter(Boolean) ?? [];
}

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3) ?? process.env[`BENCH_${name.toUpperCase()}`];
}

// ---- Benchmark process ------------------------------------------------------------------------

interface Figure {
  scenario: string;
  agents: number;
  metric: string;
  value: number;
  unit: string;
}

const figures: Figure[] = [];

function emit(f: Figure, params: Record<string, number>): void {
  figures.push(f);
  console.log(JSON.stringify({ bench: "failover", scenario: f.scenario, params, metric: f.metric, value: Math.round(f.value), unit: f.unit }));
}

/** The masters under test: Plateau's (`plateau master` children) or the floor's null masters. */
interface Contenders {
  /** Resolves with the index of a leading contender (not one of `dead`). */
  leader(dead: Set<number>, timeoutMs: number): Promise<number>;
  kill(index: number): void;
  /** What the leader reports (null masters report nothing). */
  stats(index: number): Promise<{ agents?: number; tasks?: number; commits?: number; epoch?: number; log: string[] }>;
  stop(): Promise<void>;
}

async function plateauMasters(zkUrl: string, registry: string, sessionTimeoutMs: number): Promise<Contenders> {
  const masters: MasterChild[] = await Promise.all(
    [0, 1, 2].map((m) => startMasterChild({ name: `m${m}`, zk: zkUrl, registry, zkSessionTimeoutMs: sessionTimeoutMs, extra: ["--agent_reregister_timeout=10mins"], nodeArgs: envArgs("BENCH_MASTER_NODE_ARGS") })),
  );
  return {
    async leader(dead, timeoutMs) {
      const alive = masters.filter((_, i) => !dead.has(i));
      const leader = await waitForLeader(alive, timeoutMs, 10).catch((err: Error) => {
        for (const m of alive) process.stderr.write(`${m.name} output:\n  ${m.output.slice(-20).join("\n  ")}\n`);
        throw err;
      });
      return masters.indexOf(leader);
    },
    kill: (i) => masters[i]!.signal("SIGKILL"),
    async stats(i) {
      const m = masters[i]!;
      const snapshot = await getJson<Record<string, number>>(m.port, "/metrics/snapshot");
      const view = await electionsOf(m.port, 10_000);
      return {
        agents: snapshot["master/slaves_connected"], tasks: snapshot["master/tasks_running"], commits: view?.registry_writes.commits,
        epoch: view?.epoch, log: m.output.filter((l) => /Elected|Recovered|Leading/.test(l)),
      };
    },
    stop: async () => void (await Promise.all(masters.map((m) => m.stop()))),
  };
}

function nullMasters(self: string, zkUrl: string, sessionTimeoutMs: number): Contenders {
  const leading: number[] = []; // indexes, in the order they were elected
  const children = [0, 1, 2].map((i) => {
    const child = fork(self, ["--role=null-master", `--zk=${zkUrl}`, `--session_timeout_ms=${sessionTimeoutMs}`], { execArgv: ["--import", "tsx", ...(envArgs("BENCH_MASTER_NODE_ARGS"))], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.on("message", () => leading.push(i));
    return child;
  });
  return {
    async leader(dead, timeoutMs) {
      const alive = (i: number) => !dead.has(i);
      await waitUntil(() => leading.some(alive), timeoutMs, "a null master leading", 10);
      return leading.find(alive)!; // an index: 0 is a valid answer
    },
    kill: (i) => children[i]!.kill("SIGKILL"),
    stats: async () => ({ log: [] }),
    async stop() {
      await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((resolve) => {
        c.once("exit", resolve);
        c.kill("SIGTERM");
      }))));
    },
  };
}

async function run(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const floor = process.argv.includes("--floor");
  const sizes = (arg("agents") ?? (quick ? "300" : "1000,10000")).split(",").map(Number);
  const tasksPerAgent = Number(arg("tasks_per_agent") ?? 10);
  const sessionTimeoutMs = Number(arg("session_timeout_ms") ?? (quick ? 2000 : 4000));
  const backoffMs = Number(arg("backoff_ms") ?? 1000);
  const simulators = Number(arg("simulators") ?? Math.max(1, Math.min(4, os.cpus().length)));
  const [zk, pg] = await Promise.all([startTestZooKeeper(), startTestPostgres()]);
  const self = fileURLToPath(import.meta.url);
  const live = { masters: null as Contenders | null, sims: [] as ChildProcess[] };
  // Ctrl-C / SIGTERM: leave no ZooKeeper, PostgreSQL, master or simulator behind.
  const abort = (signal: string) => {
    process.stderr.write(`\n${signal}: cleaning up\n`);
    for (const c of live.sims) c.kill("SIGKILL");
    void Promise.resolve(live.masters?.stop())
      .then(() => Promise.all([zk.stop(), pg.stop()]))
      .finally(() => process.exit(130));
  };
  process.once("SIGINT", () => abort("SIGINT"));
  process.once("SIGTERM", () => abort("SIGTERM"));
  const prefix = floor ? "floor_" : "";
  try {
    for (const [i, agents] of sizes.entries()) {
      const db = `failover_${i}`;
      await pg.createDatabase(db);
      const params = { agents, tasks_per_agent: tasksPerAgent, session_timeout_ms: sessionTimeoutMs, backoff_ms: backoffMs, masters: 3 };
      const masters = floor ? nullMasters(self, zk.url(`/${db}`), sessionTimeoutMs) : await plateauMasters(zk.url(`/${db}`), pg.url(db), sessionTimeoutMs);
      const sims: ChildProcess[] = [];
      live.masters = masters;
      live.sims = sims;
      try {
        const dead = new Set<number>();
        const leader = await masters.leader(dead, 120_000);
        // Simulated agents register with the first leader.
        const registeredAt: number[] = [];
        const leaderSeen: number[] = [];
        const reregistered: number[] = [];
        let simCpuMs = 0; // simulators' CPU from seeing the new leader to their last re-registration
        const started = Date.now();
        const per = Math.ceil(agents / simulators);
        for (let s = 0; s < simulators; s++) {
          const cfg: SimConfig = { zk: zk.url(`/${db}`), first: s * per, count: Math.min(per, agents - s * per), tasksPerAgent, sessionTimeoutMs, backoffMs };
          if (cfg.count <= 0) continue;
          const child = fork(self, ["--role=agents", `--config=${JSON.stringify(cfg)}`], { execArgv: ["--import", "tsx", "--max-old-space-size=4096", ...(envArgs("BENCH_SIM_NODE_ARGS"))], stdio: ["ignore", "inherit", "inherit", "ipc"] });
          child.on("message", (m: SimMessage) => {
            if (m.type === "registered") registeredAt.push(m.at);
            else if (m.type === "leader") {
              leaderSeen.push(m.at);
              simCpuMs -= m.cpuMs;
            } else {
              reregistered.push(...m.times);
              simCpuMs += m.cpuMs;
            }
          });
          sims.push(child);
        }
        await waitUntil(() => registeredAt.length === sims.length, 300_000, "all agents registered", 50);
        emit({ scenario: `${prefix}setup`, agents, metric: "registered_all_ms", value: Math.max(...registeredAt) - started, unit: "ms" }, params);
        const first = await masters.stats(leader);
        if (first.agents !== undefined && first.agents !== agents) throw new Error(`leader reports ${first.agents} connected agents, expected ${agents}`);
        if (first.commits !== undefined) emit({ scenario: `${prefix}setup`, agents, metric: "registry_commits", value: first.commits, unit: "commits" }, params);
        await new Promise((r) => setTimeout(r, 1000)); // let the registry and the agents settle

        const killedAt = Date.now();
        masters.kill(leader);
        dead.add(leader);
        const next = await masters.leader(dead, sessionTimeoutMs + 60_000);
        const newLeaderMs = Date.now() - killedAt;
        await waitUntil(() => reregistered.length === agents, 300_000, `all ${agents} agents re-registered (${reregistered.length} so far)`, 20);
        reregistered.sort((a, b) => a - b);
        const after = await masters.stats(next);
        if (after.agents !== undefined && after.agents !== agents) throw new Error(`new leader reports ${after.agents} connected agents`);
        if (process.env.BENCH_DEBUG) {
          const seen = Math.min(...leaderSeen);
          const pct = (q: number) => reregistered[Math.min(agents - 1, Math.floor(agents * q))]! - seen;
          process.stderr.write(`debug: leader seen by agents ${seen - killedAt} ms after kill; re-registered after that: p0 ${pct(0)} p10 ${pct(0.1)} p50 ${pct(0.5)} p90 ${pct(0.9)} p100 ${pct(1)}\n`);
          process.stderr.write(`debug: simulators used ${Math.round(simCpuMs)} ms of CPU meanwhile (${os.cpus().length} CPUs)\n`);
          process.stderr.write(after.log.join("\n") + "\n");
          process.stderr.write(`debug: kill at ${new Date(killedAt).toISOString()}\n`);
        }
        const scenario = `${prefix}leader_sigkill`;
        emit({ scenario, agents, metric: "new_leader_ms", value: newLeaderMs, unit: "ms" }, params);
        emit({ scenario, agents, metric: "reregistered_p50_ms", value: reregistered[Math.floor(agents / 2)]! - killedAt, unit: "ms" }, params);
        emit({ scenario, agents, metric: "reregistered_all_ms", value: reregistered.at(-1)! - killedAt, unit: "ms" }, params);
        emit({ scenario, agents, metric: "reregistration_ms", value: reregistered.at(-1)! - Math.min(...leaderSeen), unit: "ms" }, params);
        if (after.tasks !== undefined) emit({ scenario, agents, metric: "tasks_recovered", value: after.tasks, unit: "tasks" }, params);
        if (after.epoch !== undefined) emit({ scenario, agents, metric: "epoch", value: after.epoch, unit: "" }, params);
      } finally {
        for (const c of sims) c.kill("SIGKILL");
        await masters.stop();
      }
    }
  } finally {
    await zk.stop();
    await pg.stop();
  }
  printTable(sessionTimeoutMs, backoffMs);
}

function printTable(sessionTimeoutMs: number, backoffMs: number): void {
  const sizes = [...new Set(figures.map((f) => f.agents))];
  const metrics = [...new Set(figures.map((f) => f.metric))];
  const rows = [["metric", ...sizes.map((n) => `${n} agents`)]];
  for (const metric of metrics) rows.push([metric, ...sizes.map((n) => String(Math.round(figures.find((f) => f.agents === n && f.metric === metric)?.value ?? NaN)))]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  process.stderr.write(`\nfailover (session timeout ${sessionTimeoutMs} ms, registration backoff ${backoffMs} ms; target reregistered_all_ms ≤ ${sessionTimeoutMs + 2000})\n`);
  for (const r of rows) process.stderr.write(`  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")}\n`);
}

const role = arg("role");
if (role === "agents") {
  simulate(JSON.parse(arg("config")!) as SimConfig);
} else if (role === "null-master") {
  void runNullMaster(arg("zk")!, Number(arg("session_timeout_ms")));
} else {
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
