// Integration-test harness: a real master (in this process, real HTTP on loopback, registry on
// disk or in memory) and real agent processes (`plateau agent`), plus helpers to wait for state.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startMaster, type RunningMaster } from "../master";
import { defaultMasterConfig, type MasterConfig } from "../master/config";
import { serve, type Served } from "../http/server";
import { projectRoot } from "../master/registry/migrate";
import { freePort, waitUntil } from "./ports";
import type { Security } from "../security/security";

export interface TestMaster {
  running: RunningMaster;
  served: Served;
  port: number;
  address: string;
  stop(): Promise<void>;
}

export async function startTestMaster(opts: { port?: number; registry?: string; config?: Partial<MasterConfig>; security?: Security } = {}): Promise<TestMaster> {
  const port = opts.port ?? (await freePort());
  const config = defaultMasterConfig({
    ip: "127.0.0.1",
    port,
    allocationIntervalMs: 200,
    agentPingTimeoutMs: 1000,
    maxAgentPingTimeouts: 3,
    heartbeatIntervalMs: 2000,
    ...opts.config,
  });
  const lines: string[] = [];
  const running = await startMaster({ config, registry: opts.registry ?? "in_memory", log: (l) => lines.push(l) });
  const served = await serve({ ip: "127.0.0.1", port, running, dashboard: false, log: (l) => lines.push(l), security: opts.security });
  return {
    running,
    served,
    port,
    address: `127.0.0.1:${port}`,
    async stop() {
      await served.close();
      await running.stop();
    },
  };
}

export interface TestAgent {
  process: ChildProcess;
  port: number;
  workDir: string;
  output: string[];
  /** SIGKILL: tasks keep running (they are detached). */
  kill(): Promise<void>;
  /** Graceful stop; with killTasks the agent kills its tasks first. */
  stop(opts?: { killTasks?: boolean }): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `plateau-${prefix}-`));
}

const BIN = () => path.join(projectRoot(), "bin", "plateau.mjs");

export async function startTestAgent(master: string, opts: { workDir?: string; port?: number; resources?: string; attributes?: string; extra?: string[]; keepWorkDir?: boolean } = {}): Promise<TestAgent> {
  const port = opts.port ?? (await freePort());
  const ownWorkDir = opts.workDir === undefined && !opts.keepWorkDir;
  const workDir = opts.workDir ?? tempDir("agent");
  const args = [
    BIN(),
    "agent",
    `--master=${master}`,
    "--ip=127.0.0.1",
    `--port=${port}`,
    `--work_dir=${workDir}`,
    `--resources=${opts.resources ?? "cpus:4;mem:4096;disk:10000;ports:[31000-32000]"}`,
    "--registration_backoff_factor=100ms",
    "--exit_on_stdin_eof",
    "--status_update_retry_interval_min=1secs",
    ...(opts.attributes ? [`--attributes=${opts.attributes}`] : []),
    ...(opts.extra ?? []),
  ];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    process: child,
    port,
    workDir,
    output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop(stopOpts = {}) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (stopOpts.killTasks) child.stdin!.end(); // parent pipe closed: the agent kills its tasks and exits
      else child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
      // Only a stop that killed the tasks may delete the work dir (a restart test reuses it).
      if (ownWorkDir && stopOpts.killTasks) fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

export async function waitForAgents(master: TestMaster, count: number, timeoutMs = 20_000): Promise<void> {
  await waitUntil(() => [...master.running.master.agents.values()].filter((a) => a.connection === "connected").length >= count, timeoutMs, `${count} connected agents`);
}

export { waitUntil, freePort };
