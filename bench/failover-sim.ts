// Simulated agents for bench:failover (a child process per slice of agents): each agent speaks the
// real internal protocol over its own TCP connection (REGISTER_AGENT, PONG, then REREGISTER_AGENT
// carrying its framework and tasks) and follows the leader through ZooKeeper (one detector per
// simulator process), re-registering after a random delay in [0, backoff] as Mesos agents do
// (--registration_backoff_factor). Reports to the benchmark process over IPC.
import { createDetector, leaderAddress } from "../server/ha/detect";
import { INTERNAL_AGENT_PATH, INTERNAL_PROTOCOL_VERSION, type AgentToMaster } from "../server/protocol/internal";
import { clientTextFrame, LiteWebSocket } from "./ws-lite";

export interface SimConfig {
  zk: string;
  first: number;
  count: number;
  tasksPerAgent: number;
  sessionTimeoutMs: number;
  backoffMs: number;
}

export type SimMessage =
  | { type: "registered"; at: number; count: number }
  | { type: "leader"; address: string; at: number; cpuMs: number }
  | { type: "reregistered"; times: number[]; cpuMs: number };

const FRAMEWORK_ID = "bench-failover-framework-0000";
const MAX_CONNECTING = 256;

/** CPU time this process has used (user + system), ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function simulate(cfg: SimConfig): void {
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
            if (reregisteredTimes.length === cfg.count) send({ type: "reregistered", times: reregisteredTimes, cpuMs: cpuMs() });
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
      send({ type: "leader", address: leader, at: Date.now(), cpuMs: cpuMs() });
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
