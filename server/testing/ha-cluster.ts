// Harness for high-availability tests and the failover benchmark: masters as real child processes
// (`plateau master --zk=… --registry=postgresql://…`) that can be SIGKILLed or SIGSTOPped, and
// helpers that ask each master for its view of the election (the Plateau GET_ELECTIONS call).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../master/registry/migrate";
import { rawCall } from "../cli/scheduler-client";
import { freePort, waitUntil } from "./ports";
import { tempDir } from "./cluster";

export interface MasterChild {
  name: string;
  port: number;
  address: string;
  process: ChildProcess;
  output: string[];
  readonly alive: boolean;
  signal(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

export interface StartMasterChildOptions {
  name: string;
  zk: string;
  registry: string;
  zkSessionTimeoutMs: number;
  port?: number;
  extra?: string[];
  /** Echo the master's output lines (prefixed with its name). */
  echo?: boolean;
  /** Node.js options for the master process (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export async function startMasterChild(o: StartMasterChildOptions): Promise<MasterChild> {
  const port = o.port ?? (await freePort());
  const args = [
    path.join(projectRoot(), "bin", "plateau.mjs"),
    "master",
    "--ip=127.0.0.1",
    `--port=${port}`,
    `--zk=${o.zk}`,
    `--zk_session_timeout=${o.zkSessionTimeoutMs}ms`,
    `--registry=${o.registry}`,
    `--work_dir=${tempDir(`master-${o.name}`)}`,
    "--no-dashboard",
    ...(o.extra ?? []),
  ];
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      output.push(line);
      if (output.length > 5000) output.shift();
      if (o.echo) process.stderr.write(`${o.name} | ${line}\n`);
    }
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    name: o.name,
    port,
    address: `127.0.0.1:${port}`,
    process: child,
    output,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    signal(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A master's GET_ELECTIONS answer (`get_elections`), or null if it does not answer. */
export interface ElectionsView {
  role: "leading" | "contending" | "disconnected";
  master_info: { id: string; port: number };
  elected: boolean;
  epoch?: number;
  leader_info?: { id: string; port: number };
  zookeeper?: { state: string; session_id?: string };
  contenders: { sequence: number; master_info?: { id: string; port: number } }[];
  elections: { epoch: number; master_id: string; address: string; elected_time: number; reason: string; gap_seconds?: number }[];
  fail_stops: { time: number; master_id: string; reason: string; registry_writes: { commits: number; refused_locally: number; fenced_by_store: number } }[];
  registry_writes: { commits: number; refused_locally: number; fenced_by_store: number };
}

export async function electionsOf(port: number, timeoutMs = 1000): Promise<ElectionsView | null> {
  try {
    const r = await Promise.race([
      rawCall({ host: "127.0.0.1", port }, JSON.stringify({ type: "GET_ELECTIONS" }), { "Content-Type": "application/json", Accept: "application/json" }, "/api/v1"),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), timeoutMs).unref()),
    ]);
    if (r.status !== 200) return null;
    return (JSON.parse(r.body) as { get_elections: ElectionsView }).get_elections;
  } catch {
    return null;
  }
}

/** Waits until one of `masters` reports that it leads (recovered); returns it. */
export async function waitForLeader(masters: MasterChild[], timeoutMs: number, pollMs = 25): Promise<MasterChild> {
  return waitUntil(async () => {
    const views = await Promise.all(masters.map((m) => (m.alive ? electionsOf(m.port, 500) : Promise.resolve(null))));
    const i = views.findIndex((v) => v?.role === "leading");
    return i >= 0 ? masters[i] : null;
  }, timeoutMs, "a leading master", pollMs);
}

/** GET on a master (e.g. /metrics/snapshot); parsed JSON. */
export async function getJson<T = Record<string, unknown>>(port: number, urlPath: string): Promise<T> {
  const r = await rawCall({ host: "127.0.0.1", port }, "", {}, urlPath, "GET");
  if (r.status !== 200) throw new Error(`GET ${urlPath} on :${port} answered ${r.status}: ${r.body.slice(0, 200)}`);
  return JSON.parse(r.body) as T;
}

/** POSTs an operator call to /api/v1; parsed JSON body (or null for an empty body). */
export async function operatorCall<T = Record<string, unknown>>(port: number, call: Record<string, unknown>): Promise<{ status: number; body: T | null; location?: string }> {
  const r = await rawCall({ host: "127.0.0.1", port }, JSON.stringify(call), { "Content-Type": "application/json", Accept: "application/json" }, "/api/v1");
  return { status: r.status, body: r.body && r.status === 200 ? (JSON.parse(r.body) as T) : null, location: typeof r.headers.location === "string" ? r.headers.location : undefined };
}
