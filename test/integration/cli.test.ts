// The command line as a user runs it: `plateau local` (what `npm start` runs) serves the dashboard,
// tRPC and the scheduler API on one port with two agents, `plateau execute` runs a task and exits
// with its outcome, and Ctrl-C (SIGINT) leaves no process behind.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRuntimeDir } from "../../server/agent/detect";
import { freePort, tempDir, waitUntil } from "../../server/testing/cluster";
import { projectRoot } from "../../server/master/registry/migrate";

const BIN = path.join(projectRoot(), "bin", "plateau.mjs");

function run(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: projectRoot() });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of the agent processes and of every task process of the local cluster (agents keep task pids in their runtime dir). */
function clusterPids(dataDir: string): number[] {
  const pids: number[] = [];
  const workDirs = fs.readdirSync(dataDir).map((name) => path.join(dataDir, name));
  const stack = [dataDir, ...workDirs.map(defaultRuntimeDir).filter((d) => fs.existsSync(d))];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (/\.pid$/.test(entry.name)) {
        const pid = Number(fs.readFileSync(full, "utf8").trim());
        if (pid > 0) pids.push(pid);
      }
    }
  }
  return pids;
}

let local: ChildProcess;
let port: number;
let dataDir: string;
let output = "";

beforeAll(async () => {
  port = await freePort();
  const agentPort = await freePort();
  dataDir = tempDir("local");
  local = spawn(process.execPath, [BIN, "local", `--port=${port}`, `--agent_port=${agentPort}`, `--data_dir=${dataDir}`, "--agent_resources=cpus:2;mem:1024;disk:2048;ports:[31000-31010]"], { cwd: projectRoot() });
  local.stdout!.on("data", (c) => (output += c));
  local.stderr!.on("data", (c) => (output += c));
  await waitUntil(async () => {
    const r = await fetch(`http://127.0.0.1:${port}/trpc/cluster.overview`).catch(() => null);
    if (!r?.ok) return false;
    const body = (await r.json()) as { result: { data: { agents: { connected: number } } } };
    return body.result.data.agents.connected === 2;
  }, 60_000, "plateau local with two agents");
});

afterAll(async () => {
  if (local.exitCode === null) local.kill("SIGKILL");
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("plateau local + execute", () => {
  it("serves the dashboard, tRPC and the scheduler API on one port, with the SQLite registry under the data dir", async () => {
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Cluster overview");
    const scheduler = await fetch(`http://127.0.0.1:${port}/api/v1/scheduler`);
    expect(scheduler.status).toBe(405);
    expect(fs.existsSync(path.join(dataDir, "master", "registry.db"))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, "agent-1"))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, "agent-2"))).toBe(true);
  });

  it("plateau execute prints each status update and exits 0 only on TASK_FINISHED", async () => {
    const ok = await run(["execute", `--master=127.0.0.1:${port}`, "--name=cli-ok", "--command=echo fine"]);
    expect(ok.code).toBe(0);
    const lines = ok.out.trim().split("\n");
    expect(lines).toEqual([expect.stringMatching(/^TASK_STARTING /), expect.stringMatching(/^TASK_RUNNING /), expect.stringMatching(/^TASK_FINISHED - Command exited with status 0/)]);
    const bad = await run(["execute", `--master=127.0.0.1:${port}`, "--name=cli-bad", "--command=exit 3"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^TASK_FAILED - .*3/m);
    const error = await run(["execute", `--master=127.0.0.1:${port}`, "--name=cli-huge", "--command=true", "--resources=cpus:1;mem:32", "--timeout=3secs", "--role=no such role"]);
    expect(error.code).toBe(1);
    expect(error.out).toContain("Role 'no such role' is invalid");
  });

  it("--help documents the flags; bad flags are refused with the flag named", async () => {
    const help = await run(["agent", "--help"]);
    expect(help.code).toBe(0);
    for (const flag of ["--work_dir", "--resources", "--attributes", "--master", "--port", "--ip", "--hostname"]) expect(help.out).toContain(flag);
    const bad = await run(["master", "--port=notaport"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("'port'");
  });

  it("SIGINT stops agents, their tasks and the master, leaving no processes behind", async () => {
    // A long task that would outlive a careless shutdown.
    const exec = spawn(process.execPath, [BIN, "execute", `--master=127.0.0.1:${port}`, "--name=orphan-candidate", "--command=sleep 600"]);
    await waitUntil(() => output.includes("orphan-candidate") || clusterPids(dataDir).length >= 3, 20_000, "task to start");
    const pids = await waitUntil((): number[] | false => {
      const p = clusterPids(dataDir);
      return p.length >= 1 && p;
    }, 10_000, "task pid files");
    expect(pids.some(alive)).toBe(true);
    expect(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(dataDir) && l.includes(" agent ")).length).toBe(2);
    const exited = new Promise<number | null>((resolve) => local.once("exit", (code) => resolve(code)));
    local.kill("SIGINT");
    expect(await exited).toBe(0);
    exec.kill("SIGKILL");
    await waitUntil(() => clusterPids(dataDir).every((pid) => !alive(pid)), 10_000, "every task process to exit");
    // No process mentions the data dir any more (agents are started with --work_dir under it).
    await waitUntil(() => !execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).includes(dataDir), 10_000, "agent processes to exit");
  });
});
