// A real cluster for browser tests: `plateau local` (master + dashboard + 2 agents) in a child
// process, on free loopback ports and a temporary data folder; stopped (tasks killed) after.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test as base } from "@playwright/test";

export interface Cluster {
  url: string;
  master: string;
  dataDir: string;
  log: string[];
  /** Runs `plateau execute` against the cluster; resolves with its exit code and output lines. */
  execute(args: string[]): Promise<{ code: number | null; lines: string[] }>;
  /** Calls a tRPC query of the dashboard (as the browser would). */
  query<T = unknown>(path: string, input?: unknown): Promise<T>;
  /** Waits until `check` returns a truthy value (polling every 200 ms). */
  until<T>(check: () => Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
}

// Chromium refuses some ports (e.g. 5060, 6000); keep to a known-safe range.
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.on("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (port > 10000) return port;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin", "plateau.mjs");

async function waitForCluster(url: string, agents: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`plateau local exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/trpc/cluster.overview`);
      if (res.ok) {
        const body = (await res.json()) as { result: { data: { agents: { connected: number } } } };
        if (body.result.data.agents.connected >= agents) return;
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("cluster did not come up in 60 s");
}

export const test = base.extend<object, { cluster: Cluster }>({
  cluster: [
    async ({}, use) => {
      const port = await freePort();
      const agentPort = await freePort();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-e2e-"));
      const log: string[] = [];
      const child = spawn(process.execPath, [BIN, "local", `--port=${port}`, `--agent_port=${agentPort}`, `--data_dir=${dataDir}`, "--agents=2", "--agent_resources=cpus:2;mem:2048;disk:4096;ports:[31000-31100]"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout!.on("data", (c: Buffer) => log.push(...c.toString().split("\n").filter(Boolean)));
      child.stderr!.on("data", (c: Buffer) => log.push(...c.toString().split("\n").filter(Boolean)));
      const url = `http://127.0.0.1:${port}`;
      await waitForCluster(url, 2, child).catch((err: Error) => {
        child.kill("SIGKILL");
        throw new Error(`${err.message}; last output:\n${log.slice(-30).join("\n")}`);
      });
      const master = `127.0.0.1:${port}`;
      const executions = new Set<ChildProcess>();
      const query = async <T,>(p: string, input?: unknown): Promise<T> => {
        const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
        const res = await fetch(`${url}/trpc/${p}${qs}`);
        const body = (await res.json()) as { result?: { data: T }; error?: { message: string } };
        if (!res.ok || !body.result) throw new Error(`${p}: ${body.error?.message ?? res.status}`);
        return body.result.data;
      };
      const until = async <T,>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const v = await check().catch(() => undefined);
          if (v) return v;
          if (Date.now() > deadline) throw new Error("condition not met in time");
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      await use({
        query,
        until,
        url,
        master,
        dataDir,
        log,
        execute(args) {
          return new Promise((resolve) => {
            const exec = spawn(process.execPath, [BIN, "execute", `--master=${master}`, ...args], { cwd: ROOT });
            executions.add(exec);
            exec.once("exit", () => executions.delete(exec));
            const lines: string[] = [];
            exec.stdout.on("data", (c: Buffer) => lines.push(...c.toString().split("\n").filter(Boolean)));
            exec.stderr.on("data", (c: Buffer) => lines.push(...c.toString().split("\n").filter(Boolean)));
            exec.on("exit", (code) => resolve({ code, lines }));
          });
        },
      });
      for (const exec of executions) exec.kill("SIGTERM");
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: "worker" },
  ],
});

export { expect } from "@playwright/test";
