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
//   registry_commits     setup: registry transactions the first leader committed meanwhile
//   new_leader_ms        SIGKILL → a surviving master leads (registry recovered); ≈ ZooKeeper
//                        noticing the dead session (≤ the session timeout) + election + recovery
//   reregistered_p50_ms  SIGKILL → half of the agents have AGENT_REREGISTERED
//   reregistered_all_ms  SIGKILL → every agent has AGENT_REREGISTERED (the MTTR figure)
//   reregistration_ms    new leader detected by the agents → last agent re-registered
// Anchors: the Mesos paper's 4–8 s MTTR (200–4,000 agents); Mesos 1.5 ≈ 4.5 s for 10k agents to
// re-register (in-process, no network). Target: reregistered_all_ms ≤ session timeout + 2 s at 10k.
//
// Usage: npm run bench:failover [-- --quick] [--agents=1000,10000] [--tasks_per_agent=10]
//        [--session_timeout_ms=4000] [--backoff_ms=1000] [--simulators=2]
// Output: one JSON object per figure on stdout; a table on stderr. BENCH_DEBUG=1 adds the
// re-registration distribution and the simulators' ZooKeeper log; BENCH_MASTER_NODE_ARGS passes
// Node.js options to the masters (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"); BENCH_SIM_NODE_ARGS: the same for
// the simulator processes.
import { fork, type ChildProcess } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { createDetector, leaderAddress } from "../server/ha/detect";
import { INTERNAL_AGENT_PATH, INTERNAL_PROTOCOL_VERSION, type AgentToMaster } from "../server/protocol/internal";
import { electionsOf, getJson, startMasterChild, waitForLeader, type MasterChild } from "../server/testing/ha-cluster";
import { waitUntil } from "../server/testing/ports";
import { clientTextFrame, LiteWebSocket } from "./ws-lite";
import { startTestPostgres } from "../server/testing/services/postgres";
import { startTestZooKeeper } from "../server/testing/services/zookeeper";

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3) ?? process.env[`BENCH_${name.toUpperCase()}`];
}

// ---- Simulator process: `--role=agents` ------------------------------------------------------

interface SimConfig {
  zk: string;
  first: number;
  count: number;
  tasksPerAgent: number;
  sessionTimeoutMs: number;
  backoffMs: number;
}

type SimMessage =
  | { type: "registered"; at: number; count: number }
  | { type: "leader"; address: string; at: number }
  | { type: "reregistered"; times: number[] };

const FRAMEWORK_ID = "bench-failover-framework-0000";
const MAX_CONNECTING = 256;

function simulate(cfg: SimConfig): void {
  const send = (m: SimMessage) => process.send!(m);
  const debug = process.env.BENCH_DEBUG ? (line: string) => process.stderr.write(`sim ${cfg.first}: ${new Date().toISOString()} ${line}\n`) : undefined;
  const detector = createDetector(cfg.zk, { sessionTimeoutMs: cfg.sessionTimeoutMs, log: debug });
  interface Sim {
    index: number;
    id?: string;
    ws?: LiteWebSocket;
    /** The re-registration frame, built once the agent has its id. */
    frame?: Buffer;
    target?: string;
    attempts: number;
    registeredAt?: number;
    timer?: NodeJS.Timeout;
  }
  const sims: Sim[] = Array.from({ length: cfg.count }, (_, i) => ({ index: cfg.first + i, attempts: 0 }));
  let connecting = 0;
  const waiting: Sim[] = [];
  let phase: "register" | "reregister" = "register";
  let registered = 0;
  const reregisteredTimes: number[] = [];

  const agentInfo = (s: Sim) => ({
    hostname: `sim-${s.index}.bench`,
    port: 5051,
    resources: [
      { name: "cpus", type: "SCALAR", scalar: { value: 4 } },
      { name: "mem", type: "SCALAR", scalar: { value: 8192 } },
    ],
    attributes: [{ name: "rack", type: "TEXT", text: { value: `r${s.index % 40}` } }],
    ...(s.id ? { id: { value: s.id } } : {}),
  });

  const reregistration = (s: Sim): AgentToMaster => {
    const tasks = Array.from({ length: cfg.tasksPerAgent }, (_, t) => {
      const taskId = `sim-${s.index}-task-${t}`;
      const status = { task_id: { value: taskId }, state: "TASK_RUNNING" as const, source: "SOURCE_EXECUTOR" as const, agent_id: { value: s.id! }, executor_id: { value: taskId }, timestamp: 1_700_000_000 };
      return {
        framework_id: { value: FRAMEWORK_ID },
        executor_id: { value: taskId },
        task: {
          name: taskId,
          task_id: { value: taskId },
          agent_id: { value: s.id! },
          resources: [{ name: "cpus", type: "SCALAR" as const, scalar: { value: 0.1 } }, { name: "mem", type: "SCALAR" as const, scalar: { value: 32 } }],
          command: { value: "sleep 3600" },
        },
        state: "TASK_RUNNING" as const,
        statuses: [status],
      };
    });
    return {
      type: "REREGISTER_AGENT", protocol_version: INTERNAL_PROTOCOL_VERSION, agent_info: agentInfo(s), version: "1.11.0", capabilities: ["MULTI_ROLE"],
      endpoint: `127.0.0.2:${10_000 + s.index}`,
      frameworks: [{ id: { value: FRAMEWORK_ID }, user: "root", name: "bench-failover", checkpoint: true, failover_timeout: 3600 }],
      executors: [],
      tasks,
    } as AgentToMaster;
  };

  const schedule = (s: Sim, delayMs: number) => {
    clearTimeout(s.timer);
    s.timer = setTimeout(() => {
      waiting.push(s);
      pump();
    }, delayMs);
  };

  const pump = () => {
    while (connecting < MAX_CONNECTING && waiting.length > 0) connect(waiting.shift()!);
  };

  const connect = (s: Sim) => {
    const target = leaderAddress(detector);
    if (!target || s.ws) return;
    connecting++;
    let opened = false;
    s.target = target;
    const colon = target.lastIndexOf(":");
    const ws: LiteWebSocket = new LiteWebSocket(target.slice(0, colon), Number(target.slice(colon + 1)), INTERNAL_AGENT_PATH, {
      open() {
        opened = true;
        connecting--;
        pump();
        if (s.frame) ws.sendFrame(s.frame);
        else ws.send(JSON.stringify({ type: "REGISTER_AGENT", protocol_version: INTERNAL_PROTOCOL_VERSION, agent_info: agentInfo(s), version: "1.11.0", capabilities: ["MULTI_ROLE"], endpoint: `127.0.0.2:${10_000 + s.index}` } as AgentToMaster));
      },
      message(text) {
        const m = JSON.parse(text) as { type: string; seq?: number; agent_id?: { value: string } };
        if (m.type === "PING") ws.send(JSON.stringify({ type: "PONG", seq: m.seq }));
        else if (m.type === "AGENT_REGISTERED") {
          s.id = m.agent_id!.value;
          s.attempts = 0;
          // What the agent sends on every re-registration, built once (like an agent's checkpointed state).
          s.frame = clientTextFrame(JSON.stringify(reregistration(s)));
          if (++registered === cfg.count) send({ type: "registered", at: Date.now(), count: registered });
        } else if (m.type === "AGENT_REREGISTERED") {
          s.attempts = 0;
          if (phase === "reregister" && s.registeredAt === undefined) {
            s.registeredAt = Date.now();
            reregisteredTimes.push(s.registeredAt);
            if (reregisteredTimes.length === cfg.count) send({ type: "reregistered", times: reregisteredTimes });
          }
        }
      },
      close() {
        if (!opened) {
          connecting--;
          pump();
        }
        if (s.ws !== ws) return;
        s.ws = undefined;
        // Same leader: back off and retry; a new leader is handled by the detector below.
        schedule(s, Math.random() * Math.min(10_000, cfg.backoffMs * 2 ** Math.min(s.attempts++, 10)));
      },
    });
    s.ws = ws;
  };

  let lastLeader: string | null = null;
  detector.onChange(() => {
    const leader = leaderAddress(detector);
    if (!leader || leader === lastLeader) return;
    const first = lastLeader === null;
    lastLeader = leader;
    if (!first) {
      phase = "reregister";
      send({ type: "leader", address: leader, at: Date.now() });
    }
    for (const s of sims) {
      if (s.ws && s.target === leader) continue;
      const old = s.ws;
      s.ws = undefined; // its close handler still settles the connecting count, then ignores it
      old?.terminate();
      s.attempts = 0;
      schedule(s, first ? 0 : Math.random() * cfg.backoffMs);
    }
  });
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

async function run(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const sizes = (arg("agents") ?? (quick ? "300" : "1000,10000")).split(",").map(Number);
  const tasksPerAgent = Number(arg("tasks_per_agent") ?? 10);
  const sessionTimeoutMs = Number(arg("session_timeout_ms") ?? (quick ? 2000 : 4000));
  const backoffMs = Number(arg("backoff_ms") ?? 1000);
  const simulators = Number(arg("simulators") ?? Math.max(1, Math.min(4, os.cpus().length)));
  const [zk, pg] = await Promise.all([startTestZooKeeper(), startTestPostgres()]);
  const self = fileURLToPath(import.meta.url);
  const live = { masters: [] as MasterChild[], sims: [] as ChildProcess[] };
  // Ctrl-C / SIGTERM: leave no ZooKeeper, PostgreSQL, master or simulator behind.
  const abort = (signal: string) => {
    process.stderr.write(`\n${signal}: cleaning up\n`);
    for (const c of live.sims) c.kill("SIGKILL");
    void Promise.all(live.masters.map((m) => m.stop()))
      .then(() => Promise.all([zk.stop(), pg.stop()]))
      .finally(() => process.exit(130));
  };
  process.once("SIGINT", () => abort("SIGINT"));
  process.once("SIGTERM", () => abort("SIGTERM"));
  try {
    for (const [i, agents] of sizes.entries()) {
      const db = `failover_${i}`;
      await pg.createDatabase(db);
      const params = { agents, tasks_per_agent: tasksPerAgent, session_timeout_ms: sessionTimeoutMs, backoff_ms: backoffMs, masters: 3 };
      const masters: MasterChild[] = await Promise.all(
        [0, 1, 2].map((m) => startMasterChild({ name: `m${m}`, zk: zk.url(`/${db}`), registry: pg.url(db), zkSessionTimeoutMs: sessionTimeoutMs, extra: ["--agent_reregister_timeout=10mins"], nodeArgs: process.env.BENCH_MASTER_NODE_ARGS?.split(" ").filter(Boolean) })),
      );
      const sims: ChildProcess[] = [];
      live.masters = masters;
      live.sims = sims;
      try {
        const leader = await waitForLeader(masters, 120_000).catch((err: Error) => {
          for (const m of masters) process.stderr.write(`${m.name} output:\n  ${m.output.slice(-20).join("\n  ")}\n`);
          throw err;
        });
        // Simulated agents register with the first leader.
        const registeredAt: number[] = [];
        const leaderSeen: number[] = [];
        const reregistered: number[] = [];
        const started = Date.now();
        const per = Math.ceil(agents / simulators);
        for (let s = 0; s < simulators; s++) {
          const cfg: SimConfig = { zk: zk.url(`/${db}`), first: s * per, count: Math.min(per, agents - s * per), tasksPerAgent, sessionTimeoutMs, backoffMs };
          if (cfg.count <= 0) continue;
          const child = fork(self, ["--role=agents", `--config=${JSON.stringify(cfg)}`], { execArgv: ["--import", "tsx", "--max-old-space-size=4096", ...(process.env.BENCH_SIM_NODE_ARGS?.split(" ").filter(Boolean) ?? [])], stdio: ["ignore", "inherit", "inherit", "ipc"] });
          child.on("message", (m: SimMessage) => {
            if (m.type === "registered") registeredAt.push(m.at);
            else if (m.type === "leader") leaderSeen.push(m.at);
            else reregistered.push(...m.times);
          });
          sims.push(child);
        }
        await waitUntil(() => registeredAt.length === sims.length, 300_000, "all agents registered", 50);
        emit({ scenario: "setup", agents, metric: "registered_all_ms", value: Math.max(...registeredAt) - started, unit: "ms" }, params);
        const connected = await getJson<Record<string, number>>(leader.port, "/metrics/snapshot");
        if (connected["master/slaves_connected"] !== agents) throw new Error(`leader reports ${connected["master/slaves_connected"]} connected agents, expected ${agents}`);
        emit({ scenario: "setup", agents, metric: "registry_commits", value: connected["registrar/state_store_ms/count"] ?? NaN, unit: "commits" }, params);
        await new Promise((r) => setTimeout(r, 1000)); // let the registry and the agents settle

        const killedAt = Date.now();
        leader.signal("SIGKILL");
        const survivors = masters.filter((m) => m !== leader);
        const next = await waitForLeader(survivors, sessionTimeoutMs + 60_000, 10);
        const newLeaderMs = Date.now() - killedAt;
        await waitUntil(() => reregistered.length === agents, 300_000, `all ${agents} agents re-registered (${reregistered.length} so far)`, 20);
        reregistered.sort((a, b) => a - b);
        const view = await electionsOf(next.port, 10_000);
        const snapshot = await getJson<Record<string, number>>(next.port, "/metrics/snapshot");
        if (snapshot["master/slaves_connected"] !== agents) throw new Error(`new leader reports ${snapshot["master/slaves_connected"]} connected agents`);
        if (process.env.BENCH_DEBUG) {
          const seen = Math.min(...leaderSeen);
          const pct = (q: number) => reregistered[Math.min(agents - 1, Math.floor(agents * q))]! - seen;
          process.stderr.write(`debug: leader seen by agents ${seen - killedAt} ms after kill; re-registered after that: p0 ${pct(0)} p10 ${pct(0.1)} p50 ${pct(0.5)} p90 ${pct(0.9)} p100 ${pct(1)}\n`);
          process.stderr.write(next.output.filter((l) => /Elected|Recovered|Leading/.test(l)).join("\n") + "\n");
          process.stderr.write(`debug: kill at ${new Date(killedAt).toISOString()}\n`);
        }
        emit({ scenario: "leader_sigkill", agents, metric: "new_leader_ms", value: newLeaderMs, unit: "ms" }, params);
        emit({ scenario: "leader_sigkill", agents, metric: "reregistered_p50_ms", value: reregistered[Math.floor(agents / 2)]! - killedAt, unit: "ms" }, params);
        emit({ scenario: "leader_sigkill", agents, metric: "reregistered_all_ms", value: reregistered.at(-1)! - killedAt, unit: "ms" }, params);
        emit({ scenario: "leader_sigkill", agents, metric: "reregistration_ms", value: reregistered.at(-1)! - Math.min(...leaderSeen), unit: "ms" }, params);
        emit({ scenario: "leader_sigkill", agents, metric: "tasks_recovered", value: snapshot["master/tasks_running"] ?? 0, unit: "tasks" }, params);
        if (view) emit({ scenario: "leader_sigkill", agents, metric: "epoch", value: view.epoch ?? 0, unit: "" }, params);
      } finally {
        for (const c of sims) c.kill("SIGKILL");
        await Promise.all(masters.map((m) => m.stop()));
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
} else {
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
