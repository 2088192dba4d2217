// Agent benchmark (issue #4): N `sleep 600` command tasks on ONE agent, launched through the
// public scheduler API against a real master. The agent is a separate process (`plateau agent`,
// exactly as an operator starts it); the master and the scheduler run in this process.
//
// Figures (per scenario):
//   all_running_ms   ACCEPT sent → the scheduler has received TASK_RUNNING for every task
//                    (every update is acknowledged as it arrives, as a framework must)
//   agent_rss_mb     the agent process's RSS (VmRSS of /proc/<pid>/status) with all N running
//   agent_rss_peak_mb  its high-water mark (VmHWM)
//   agent_cpu_s      CPU time (user+system) the agent process spent launching them
//   master_and_scheduler_cpu_s / host_busy_cpu_s   the same for this process / the whole host
//   wrappers_pss_mb  memory (PSS) of the 1,000 per-container bash supervisors together
//   kill_all_ms      N KILL calls sent → TASK_KILLED received for every task
// Anchor: Mesos 1.7 launched 1,000 containers on one agent in ≈30 s. Target: ≤ 5 s, RSS ≤ 150 MB.
//
// Usage: npm run bench:agent [-- --quick] [--tasks=1000] [--isolation=cgroups|posix|<list>]
//        [--work_dir=<parent dir>] [--runs=1]
// Output: one JSON object per figure on stdout; a table on stderr.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defaultRuntimeDir } from "../server/agent/detect";
import { killLeftovers } from "../server/agent/test-helpers";
import { SchedulerClient } from "../server/cli/scheduler-client";
import type { Offer } from "../server/protocol/mesos";
import type { SchedulerEvent } from "../server/protocol/scheduler";
import { Resources } from "../server/resources";
import { freePort, startTestMaster, waitUntil } from "../server/testing/cluster";
import { projectRoot } from "../server/master/registry/migrate";

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3) ?? process.env[`BENCH_${name.toUpperCase()}`];
}

const quick = process.argv.includes("--quick");
const tasks = Number(arg("tasks") ?? (quick ? 200 : 1000));
const runs = Number(arg("runs") ?? 1);
const isolationArg = arg("isolation") ?? "default";
const workParent = arg("work_dir") ?? os.tmpdir();

type Update = Extract<SchedulerEvent, { type: "UPDATE" }>;

function procStatus(pid: number): { rssMb: number; hwmMb: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
}

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
}

/** Busy CPU seconds of the whole host so far (/proc/stat: everything but idle and iowait). */
function hostBusySeconds(): number {
  const [, ...fields] = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const n = fields.map(Number);
  return (n.reduce((a, b) => a + b, 0) - n[3]! - n[4]!) / 100;
}

/** Proportional set size (kB) of a process, 0 when gone. */
function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The per-container supervisors (bash wrappers) of an agent: their pids from its runtime dir. */
function wrapperPids(workDir: string): number[] {
  const containers = path.join(defaultRuntimeDir(workDir), "containers");
  const out: number[] = [];
  for (const id of fs.existsSync(containers) ? fs.readdirSync(containers) : []) {
    const pid = Number(fs.readFileSync(path.join(containers, id, "pids", "forked.pid"), "utf8").trim());
    if (pid > 0) out.push(pid);
  }
  return out;
}

interface Result {
  allRunningMs: number;
  rssMb: number;
  hwmMb: number;
  cpuS: number;
  benchCpuS: number;
  hostCpuS: number;
  wrappersPssMb: number;
  killAllMs: number;
  isolation: string;
  load: number;
}

async function runOnce(): Promise<Result> {
  const loadBefore = os.loadavg()[0]!; // other work on the host (the run itself adds ~1,000 runnable processes)
  const master = await startTestMaster({ config: { allocationIntervalMs: 100 } });
  const workDir = fs.mkdtempSync(path.join(workParent, "plateau-bench-agent-"));
  const port = await freePort();
  const isolationFlag = isolationArg === "default" ? [] : [`--isolation=${isolationArg === "cgroups" ? "cgroups/cpu,cgroups/mem" : isolationArg}`];
  const nodeArgs = (process.env.BENCH_AGENT_NODE_ARGS ?? "").split(" ").filter(Boolean); // e.g. --cpu-prof (tuning)
  const agent = spawn(process.execPath, [
    ...nodeArgs, path.join(projectRoot(), "bin", "plateau.mjs"), "agent", `--master=${master.address}`, "--ip=127.0.0.1", `--port=${port}`,
    `--work_dir=${workDir}`, `--resources=cpus:${Math.max(8, tasks / 10)};mem:${tasks * 64};disk:100000;ports:[31000-32000]`,
    "--registration_backoff_factor=10ms", "--exit_on_stdin_eof", ...isolationFlag,
  ], { stdio: ["pipe", "pipe", "pipe"] });
  const logs: string[] = [];
  agent.stdout.on("data", (c: Buffer) => logs.push(c.toString()));
  agent.stderr.on("data", (c: Buffer) => logs.push(c.toString()));
  const exited = new Promise<void>((resolve) => agent.once("exit", () => resolve()));
  let isolation = "?";
  try {
    await waitUntil(() => master.running.master.agents.size > 0, 60_000, "the agent to register");
    isolation = /Using isolation (\S+)/.exec(logs.join(""))?.[1] ?? "?";
    const client = new SchedulerClient(master.address, { user: "root", name: "bench-agent", checkpoint: true }, { keepEvents: false });
    const running = new Set<string>();
    const starting: number[] = [];
    const runningAt: number[] = [];
    const killed = new Set<string>();
    const other: string[] = [];
    client.on("UPDATE", (e: Update) => {
      const s = e.update.status;
      if (s.uuid && s.agent_id) void client.call({ type: "ACKNOWLEDGE", acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } });
      if (s.state === "TASK_STARTING") starting.push(performance.now());
      if (s.state === "TASK_RUNNING") {
        running.add(s.task_id.value);
        runningAt.push(performance.now());
      }
      else if (s.state === "TASK_KILLED") killed.add(s.task_id.value);
      else if (s.state !== "TASK_STARTING" && s.state !== "TASK_KILLING") other.push(`${s.task_id.value} ${s.state} ${s.message ?? ""}`);
    });
    const offers: Offer[] = [];
    client.on("OFFERS", (e: Extract<SchedulerEvent, { type: "OFFERS" }>) => offers.push(...e.offers.offers));
    await client.subscribe();
    await waitUntil(() => offers.length > 0, 30_000, "an offer");
    const offer = offers[0]!;
    const resources = Resources.parse("cpus:0.01;mem:32").allocate(offer.allocation_info.role).toArray();
    const infos = Array.from({ length: tasks }, (_, i) => ({
      name: `sleep-${i}`, task_id: { value: `sleep-${i}` }, agent_id: offer.agent_id, resources, command: { value: "sleep 600" },
    }));
    const cpu0 = cpuSeconds(agent.pid!);
    const bench0 = process.cpuUsage();
    const host0 = hostBusySeconds();
    const t0 = performance.now();
    await client.mustCall({ type: "ACCEPT", accept: { offer_ids: [offer.id], operations: [{ type: "LAUNCH", launch: { task_infos: infos } }] } });
    await waitUntil(() => running.size >= tasks || other.length > 0, 300_000, "all tasks running", 5);
    if (other.length > 0) throw new Error(`unexpected updates: ${other.slice(0, 5).join("; ")}`);
    const allRunningMs = performance.now() - t0;
    if (process.env.BENCH_VERBOSE) {
      const q = (list: number[], f: number) => ((list[Math.min(list.length - 1, Math.floor(f * list.length))]! - t0) / 1000).toFixed(2);
      process.stderr.write(`STARTING first/50%/last: ${q(starting, 0)} ${q(starting, 0.5)} ${q(starting, 1)}  RUNNING first/50%/last: ${q(runningAt, 0)} ${q(runningAt, 0.5)} ${q(runningAt, 1)}\n`);
    }
    const cpuS = cpuSeconds(agent.pid!) - cpu0;
    const benchCpu = process.cpuUsage(bench0);
    const benchCpuS = (benchCpu.user + benchCpu.system) / 1e6;
    const hostCpuS = hostBusySeconds() - host0;
    await new Promise((r) => setTimeout(r, 1000)); // settle (acknowledgements, GC)
    const { rssMb, hwmMb } = procStatus(agent.pid!);
    const wrappersPssMb = wrapperPids(workDir).reduce((sum, pid) => sum + pssKb(pid), 0) / 1024;
    const t1 = performance.now();
    for (const info of infos) void client.call({ type: "KILL", kill: { task_id: info.task_id, agent_id: offer.agent_id } });
    await waitUntil(() => killed.size >= tasks, 300_000, "all tasks killed", 5);
    const killAllMs = performance.now() - t1;
    await client.call({ type: "TEARDOWN" });
    client.disconnect();
    return { allRunningMs, rssMb, hwmMb, cpuS, benchCpuS, hostCpuS, wrappersPssMb, killAllMs, isolation, load: loadBefore };
  } finally {
    agent.stdin.end(); // the agent kills its tasks and exits
    const timer = setTimeout(() => agent.kill("SIGKILL"), 60_000);
    await exited;
    clearTimeout(timer);
    await killLeftovers(workDir); // whatever a failed run left: task processes, cgroups, runtime dir
    await master.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  for (let run = 0; run < runs; run++) {
    const r = await runOnce();
    const params = { tasks, isolation: r.isolation, run, load_avg_1m_before: Number(r.load.toFixed(1)), cpus: os.cpus().length, work_dir: workParent };
    const emit = (metric: string, value: number) =>
      console.log(JSON.stringify({ bench: "agent", scenario: `launch_${tasks}_sleep`, params, metric, value: Number(value.toFixed(1)) }));
    emit("all_running_ms", r.allRunningMs);
    emit("agent_rss_mb", r.rssMb);
    emit("agent_rss_peak_mb", r.hwmMb);
    emit("agent_cpu_s", r.cpuS);
    emit("master_and_scheduler_cpu_s", r.benchCpuS);
    emit("host_busy_cpu_s", r.hostCpuS);
    emit("wrappers_pss_mb", r.wrappersPssMb);
    emit("kill_all_ms", r.killAllMs);
    rows.push([
      String(run), r.isolation, String(tasks), (r.allRunningMs / 1000).toFixed(2), r.rssMb.toFixed(0), r.hwmMb.toFixed(0), r.cpuS.toFixed(2),
      r.benchCpuS.toFixed(2), r.hostCpuS.toFixed(2), r.wrappersPssMb.toFixed(0), (r.killAllMs / 1000).toFixed(2), r.load.toFixed(1),
    ]);
  }
  const header = ["run", "isolation", "tasks", "all RUNNING s", "RSS MB", "peak MB", "agent CPU s", "master+sched CPU s", "host busy CPU s", "wrappers PSS MB", "kill all s", "load before"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  process.stderr.write(`${line(header)}\n${rows.map(line).join("\n")}\n(anchor: Mesos 1.7 ≈30 s for 1,000 containers; target ≤ 5 s, RSS ≤ 150 MB)\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
