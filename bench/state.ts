// State endpoint benchmark, after Mesos's MasterStateQuery benchmarks: an in-process master (real
// startMaster + HTTP server on loopback) is filled with synthetic agents, frameworks and tasks
// (each task with 10 labels), then measured end to end over HTTP by clients running in worker
// threads (so that reading hundreds of MB does not run on the master's event loop):
//   warmup                   — time the master's background renderer needs to cache every task's
//                              and agent's JSON after the cluster was built.
//   master_state / get_state — one client: the first request (legacy: after the warm-up; v1: not
//                              warmed until first asked for), then warm requests; latency until
//                              the last byte, response bytes. At the end, master_state once more
//                              with the cache dropped and background rendering off (fully cold).
//   concurrent               — N clients polling /master/state back to back while one client
//                              polls /master/health every 10 ms: /state latency, /health p50/p99/max.
// Output: one JSON object per measured figure on stdout; a table on stderr.
//
// Usage: npm run bench:state [-- --quick] [--agents=1000,10000,20000] [--clients=20]
//        [--warm=3] [--poll_ms=15000] [--labels=10] [--frameworks=F]
// Sizes: N agents carry 10·N running tasks and 10·N completed tasks (20k → 200k + 200k).
import { Worker } from "node:worker_threads";
import { monitorEventLoopDelay } from "node:perf_hooks";
import os from "node:os";
import { startMaster, type RunningMaster } from "../server/master";
import { defaultMasterConfig } from "../server/master/config";
import { serve, type Served } from "../server/http/server";
import { freePort } from "../server/testing/ports";
import { Resources } from "../server/resources";
import type { Agent, Framework, Task } from "../server/master/state";
import type { TaskInfo, TaskStatus } from "../server/protocol/mesos";
import { newFramework } from "../server/master/frameworks";
import { addTask } from "../server/master/task-lifecycle";

function arg(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? process.env[`BENCH_${name.toUpperCase()}`];
}
const quick = process.argv.includes("--quick");
const sizes = (arg("agents") ?? (quick ? "200" : "1000,10000,20000")).split(",").map(Number);
const clients = Number(arg("clients") ?? (quick ? 4 : 20));
const warmRuns = Number(arg("warm") ?? (quick ? 2 : 3));
const pollMs = Number(arg("poll_ms") ?? (quick ? 2000 : 15000));
const labelCount = Number(arg("labels") ?? 10);

// ---- results ----------------------------------------------------------------------------------

interface Row { scenario: string; params: Record<string, number>; metric: string; value: number }
const rows: Row[] = [];
function emit(scenario: string, params: Record<string, number>, metric: string, value: number): void {
  const row = { scenario, params, metric, value: Math.round(value * 10) / 10 };
  rows.push(row);
  process.stdout.write(JSON.stringify({ bench: "state", ...row }) + "\n");
}

// ---- HTTP clients in a worker thread -------------------------------------------------------------

const CLIENT = String.raw`
const { parentPort } = require("node:worker_threads");
const http = require("node:http");
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function request(port, path, body) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request({ host: "127.0.0.1", port, path, method: body ? "POST" : "GET", agent,
      headers: body ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } : {} });
    req.on("error", reject);
    req.on("response", (res) => {
      let bytes = 0;
      let head = "";
      res.on("data", (c) => { bytes += c.length; if (head.length < 64) head += c.toString("latin1", 0, 64); });
      res.on("end", () => resolve({ ms: performance.now() - started, bytes, status: res.statusCode, head }));
      res.on("error", reject);
    });
    req.end(body);
  });
}
parentPort.on("message", async (msg) => {
  try {
    if (msg.cmd === "get") {
      const out = [];
      for (let i = 0; i < msg.n; i++) out.push(await request(msg.port, msg.path, msg.body));
      parentPort.postMessage({ id: msg.id, out });
    } else if (msg.cmd === "poll") {
      const deadline = performance.now() + msg.durationMs;
      const out = [];
      const loop = async () => { while (performance.now() < deadline) out.push(await request(msg.port, msg.path)); };
      await Promise.all(Array.from({ length: msg.clients }, loop));
      parentPort.postMessage({ id: msg.id, out });
    } else if (msg.cmd === "health") {
      const deadline = performance.now() + msg.durationMs;
      const out = [];
      while (performance.now() < deadline) {
        out.push(await request(msg.port, "/master/health"));
        await new Promise((r) => setTimeout(r, msg.intervalMs));
      }
      parentPort.postMessage({ id: msg.id, out });
    }
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: String(err) });
  }
});
`;

interface Sample { ms: number; bytes: number; status: number; head: string }

class Client {
  private readonly worker = new Worker(CLIENT, { eval: true });
  private seq = 0;
  run(msg: Record<string, unknown>): Promise<Sample[]> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const onMessage = (r: { id: number; out?: Sample[]; error?: string }) => {
        if (r.id !== id) return;
        this.worker.off("message", onMessage);
        if (r.error) reject(new Error(r.error));
        else resolve(r.out!);
      };
      this.worker.on("message", onMessage);
      this.worker.postMessage({ ...msg, id });
    });
  }
  close(): Promise<number> {
    return this.worker.terminate();
  }
}

// ---- synthetic cluster ---------------------------------------------------------------------------

const AGENT_TOTAL = Resources.parse("cpus:32;mem:131072;disk:1048576;ports:[31000-32000]");
const TASK_RESOURCES = Resources.parse("cpus:0.1;mem:32").allocate("*");
const TASK_RESOURCES_WIRE = TASK_RESOURCES.toArray();

function labels(taskIndex: number) {
  return { labels: Array.from({ length: labelCount }, (_, i) => ({ key: `label-key-${i}`, value: `value-${i}-${taskIndex % 1000}` })) };
}

function status(taskId: string, agentId: string, state: TaskStatus["state"], at: number): TaskStatus {
  return {
    task_id: { value: taskId }, state, source: "SOURCE_EXECUTOR", agent_id: { value: agentId }, executor_id: { value: taskId },
    timestamp: at / 1000, uuid: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64"),
  };
}

function populate(running: RunningMaster, agents: number, frameworkCount: number): { tasks: number } {
  const m = running.master;
  const now = Date.now();
  const frameworks: Framework[] = [];
  for (let f = 0; f < frameworkCount; f++) {
    const id = m.nextFrameworkId();
    const fw = newFramework(m, id, { user: "bench", name: `bench-framework-${f}`, failover_timeout: 604800, checkpoint: true }, now);
    m.frameworks.set(id, fw);
    frameworks.push(fw);
  }
  const agentIds: string[] = [];
  for (let a = 0; a < agents; a++) {
    const id = m.nextAgentId();
    const agent: Agent = {
      id,
      info: { id: { value: id }, hostname: `agent-${a}.bench`, port: 5051, resources: AGENT_TOTAL.toArray(), attributes: [{ name: "rack", type: "TEXT", text: { value: `rack-${a % 40}` } }] },
      endpoint: `10.${(a >> 16) & 255}.${(a >> 8) & 255}.${a & 255}:5051`,
      version: "1.11.0",
      capabilities: ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"],
      connection: "connected",
      link: null,
      registeredTime: now,
      total: AGENT_TOTAL,
      offeredIds: new Set(),
      tasks: new Map(),
      executors: new Map(),
      deactivated: false,
      missedPings: 0,
      lastPongSeq: 0,
      pingSeq: 0,
    };
    m.agents.set(id, agent);
    agentIds.push(id);
  }
  let n = 0;
  const makeTask = (fw: Framework, agentId: string, terminal: boolean): Task => {
    const taskId = `task-${String(n).padStart(7, "0")}`;
    const info: TaskInfo = { name: `bench-task-${n}`, task_id: { value: taskId }, agent_id: { value: agentId }, resources: TASK_RESOURCES_WIRE, command: { value: "sleep 3600" }, labels: labels(n) };
    n++;
    const statuses = [status(taskId, agentId, "TASK_RUNNING", now)];
    if (terminal) statuses.push(status(taskId, agentId, "TASK_FINISHED", now + 1000));
    return { frameworkId: fw.id, agentId, executorId: taskId, info, state: terminal ? "TASK_FINISHED" : "TASK_RUNNING", statuses, resources: TASK_RESOURCES, user: "bench", killRequested: false };
  };
  const perAgent = 10;
  for (let a = 0; a < agents; a++) {
    for (let i = 0; i < perAgent; i++) {
      const fw = frameworks[(a * perAgent + i) % frameworkCount]!;
      addTask(m, makeTask(fw, agentIds[a]!, false));
      fw.completedTasks.push(makeTask(fw, agentIds[a]!, true));
    }
  }
  return { tasks: n };
}

// ---- measurements -------------------------------------------------------------------------------

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const GET_STATE = JSON.stringify({ type: "GET_STATE" });

async function benchSize(agents: number): Promise<void> {
  const frameworkCount = Number(arg("frameworks") ?? Math.max(1, Math.round(agents / 200)));
  const port = await freePort();
  const config = defaultMasterConfig({
    ip: "127.0.0.1",
    port,
    maxCompletedTasksPerFramework: 1_000_000,
    allocationIntervalMs: 1000,
    displayFlags: { port: String(port), registry: "in_memory" },
  });
  const running = await startMaster({ config, registry: "in_memory", log: () => {} });
  const served: Served = await serve({ ip: "127.0.0.1", port, running, dashboard: false, log: () => {} });
  const t0 = performance.now();
  const { tasks } = populate(running, agents, frameworkCount);
  const params = { agents, frameworks: frameworkCount, running_tasks: tasks / 2, completed_tasks: tasks / 2 };
  emit("machine", params, "loadavg_1min_before", os.loadavg()[0]!);
  process.stderr.write(`\n== ${agents} agents, ${frameworkCount} frameworks, ${tasks / 2} running + ${tasks / 2} completed tasks (built in ${((performance.now() - t0) / 1000).toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB)\n`);

  const ctx = running.operator!.context;
  const warmer = ctx.warmer!;
  let t1 = performance.now();
  warmer.restart(); // the synthetic state was loaded without events
  while (!warmer.idle) await new Promise((r) => setTimeout(r, 50));
  emit("warmup", params, "background_render_ms", performance.now() - t1);
  process.stderr.write(`background rendering of every task and agent: ${((performance.now() - t1) / 1000).toFixed(1)} s\n`);

  const client = new Client();
  for (const [scenario, path, body] of [["master_state", "/master/state", undefined], ["get_state", "/api/v1", GET_STATE]] as const) {
    const [cold] = await client.run({ cmd: "get", port, path, body, n: 1 });
    if (cold!.status !== 200) throw new Error(`${path} answered ${cold!.status}: ${cold!.head}`);
    const warm = await client.run({ cmd: "get", port, path, body, n: warmRuns });
    emit(scenario, params, "first_latency_ms", cold!.ms);
    emit(scenario, params, "latency_ms", mean(warm.map((s) => s.ms)));
    emit(scenario, params, "min_latency_ms", Math.min(...warm.map((s) => s.ms)));
    emit(scenario, params, "response_bytes", cold!.bytes);
    process.stderr.write(`${scenario.padEnd(14)} first ${cold!.ms.toFixed(0).padStart(6)} ms   warm mean ${mean(warm.map((s) => s.ms)).toFixed(0).padStart(6)} ms   ${(cold!.bytes / 2 ** 20).toFixed(1)} MB\n`);
  }

  // Steady state: GET_STATE started rendering v1 fragments in the background; let it finish.
  t1 = performance.now();
  while (!warmer.idle) await new Promise((r) => setTimeout(r, 50));
  emit("warmup", params, "background_render_v1_ms", performance.now() - t1);

  // N clients poll /master/state while one client polls /master/health.
  const health = new Client();
  const idle = await health.run({ cmd: "health", port, intervalMs: 10, durationMs: 1000 });
  emit("health_idle", params, "p99_latency_ms", pct(idle.map((s) => s.ms), 0.99));
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const [polled, healthSamples] = await Promise.all([
    client.run({ cmd: "poll", port, path: "/master/state", clients, durationMs: pollMs }),
    health.run({ cmd: "health", port, intervalMs: 10, durationMs: pollMs }),
  ]);
  loopDelay.disable();
  const cparams = { ...params, clients };
  emit("event_loop_under_load", cparams, "p99_delay_ms", loopDelay.percentile(99) / 1e6);
  emit("event_loop_under_load", cparams, "max_delay_ms", loopDelay.max / 1e6);
  const stateMs = polled.map((s) => s.ms);
  const healthMs = healthSamples.map((s) => s.ms);
  emit("concurrent_master_state", cparams, "latency_ms", mean(stateMs));
  emit("concurrent_master_state", cparams, "p99_latency_ms", pct(stateMs, 0.99));
  emit("concurrent_master_state", cparams, "requests", stateMs.length);
  emit("health_under_load", cparams, "p50_latency_ms", pct(healthMs, 0.5));
  emit("health_under_load", cparams, "p99_latency_ms", pct(healthMs, 0.99));
  emit("health_under_load", cparams, "max_latency_ms", Math.max(...healthMs));
  process.stderr.write(`${clients} clients: /master/state mean ${mean(stateMs).toFixed(0)} ms over ${stateMs.length} requests; /master/health p50 ${pct(healthMs, 0.5).toFixed(1)} ms, p99 ${pct(healthMs, 0.99).toFixed(1)} ms, max ${Math.max(...healthMs).toFixed(1)} ms (${healthMs.length} probes); master event loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms\n`);

  // Fully cold: no cached fragments, no background rendering.
  warmer.stop();
  ctx.cache.reset();
  const [cold] = await client.run({ cmd: "get", port, path: "/master/state", n: 1 });
  emit("master_state", params, "cold_latency_ms", cold!.ms);
  process.stderr.write(`master_state fully cold (cache dropped, no background rendering): ${cold!.ms.toFixed(0)} ms\n`);

  emit("machine", params, "loadavg_1min_after", os.loadavg()[0]!);
  process.stderr.write(`machine load average (1 min) before/after: ${rows.find((r) => r.params.agents === agents && r.metric === "loadavg_1min_before")?.value} / ${os.loadavg()[0]!.toFixed(1)}\n`);

  await client.close();
  await health.close();
  await served.close();
  await running.stop();
}

process.stderr.write(`bench:state — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, node ${process.version}\n`);
for (const agents of sizes) await benchSize(agents);

process.stderr.write("\nscenario                     agents  metric              value\n");
for (const r of rows) process.stderr.write(`${r.scenario.padEnd(28)} ${String(r.params.agents).padStart(6)}  ${r.metric.padEnd(18)} ${String(r.value).padStart(12)}\n`);
process.exit(0);
