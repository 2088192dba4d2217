// Shared fixtures for the agent's tests: temp work dirs, agents against a FakeMaster, and a
// safety net that kills every task process group left under a work dir.
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FakeMaster, type FakeMasterOptions } from "../testing/fake-master";
import { readIntFile } from "./checkpoint";
import { defaultCgroupsRoot, detectCgroups } from "./containerizer/isolators";
import { defaultRuntimeDir } from "./detect";
import { startAgent, type AgentHandle, type AgentOptions } from "./index";

export interface Fixture {
  master: FakeMaster;
  workDir: string;
  agents: AgentHandle[];
  start(extra?: Partial<AgentOptions>): Promise<AgentHandle>;
  cleanup(): Promise<void>;
  logs: string[];
}

export async function fixture(masterOptions: FakeMasterOptions = {}): Promise<Fixture> {
  const master = await FakeMaster.start(masterOptions);
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), "plateau-agent-"));
  const agents: AgentHandle[] = [];
  const logs: string[] = [];
  return {
    master, workDir, agents, logs,
    async start(extra = {}) {
      logs.push(`--- agent ${agents.length}`);
      const agent = await startAgent({
        master: master.address, workDir, port: 0, resources: "cpus:4;mem:4096;disk:10000;ports:[31000-32000]",
        registrationBackoffFactorMs: 20, statusUpdateRetryIntervalMinMs: 200, containerPollIntervalMs: 50,
        executorShutdownGracePeriodMs: 1000, log: { info: (m) => logs.push(`I ${m}`), warn: (m) => logs.push(`W ${m}`), error: (m) => logs.push(`E ${m}`) },
        ...extra,
      });
      agents.push(agent);
      return agent;
    },
    async cleanup() {
      for (const a of agents) await a.stop({ killTasks: true }).catch(() => {});
      await killLeftovers(workDir);
      await master.close();
      await fsp.rm(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * SIGKILLs every task process group recorded under `dir` and removes the cgroups an agent on
 * `dir` left behind (test safety net).
 */
export async function killLeftovers(dir: string): Promise<void> {
  await killTaskGroups(defaultRuntimeDir(dir));
  await fsp.rm(defaultRuntimeDir(dir), { recursive: true, force: true });
  const found = detectCgroups("/sys/fs/cgroup", defaultCgroupsRoot(dir), { enableCfs: false, limitSwap: false });
  if (!("cgroups" in found)) return;
  for (const id of found.cgroups.list()) await found.cgroups.destroy(id);
  found.cgroups.removeRootIfEmpty();
}

async function killTaskGroups(dir: string): Promise<void> {
  const entries = await fsp.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!String(entry).endsWith(path.join("pids", "task.pid"))) continue;
    const pid = await readIntFile(path.join(dir, String(entry)));
    if (pid === undefined) continue;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function until<T>(f: () => T | undefined | false | Promise<T | undefined | false>, ms = 8000, what = "condition"): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The runtime dir (pids, exit_status) of an executor's latest run (default --runtime_dir). */
export async function runtimeDirOf(workDir: string, agentId: string, frameworkId: string, executorId: string): Promise<string | undefined> {
  const latest = path.join(workDir, "slaves", agentId, "frameworks", frameworkId, "executors", executorId, "runs", "latest");
  const containerId = await fsp.readlink(latest).catch(() => undefined);
  return containerId === undefined ? undefined : path.join(defaultRuntimeDir(workDir), "containers", path.basename(containerId));
}

/** The task.pid (= pgid) of a task's latest run. */
export async function taskPid(workDir: string, agentId: string, frameworkId: string, taskId: string): Promise<number | undefined> {
  const dir = await runtimeDirOf(workDir, agentId, frameworkId, taskId);
  return dir === undefined ? undefined : readIntFile(path.join(dir, "pids", "task.pid"));
}
