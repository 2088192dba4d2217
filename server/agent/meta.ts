// Writing the agent's checkpoints and sandboxes (layout in paths.ts). Every whole file is
// written atomically (checkpoint.ts). Meta is written for every framework's runs, because the
// agent needs the pids to re-adopt or kill a run after a restart; status updates are only
// journalled for checkpointing frameworks (FrameworkInfo.checkpoint), as in Mesos.
//
// The per-launch writes (directories, executor.info, task.info, `latest` links) are
// synchronous: a dozen tiny metadata operations per task cost less on the event loop than a
// dozen promise + threadpool round trips, and they complete before the task starts (recovery
// never sees a running task without its checkpoint).
import { promises as fsp, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AgentInfo, ExecutorInfo, FrameworkInfo, TaskInfo } from "../protocol/mesos";
import { linkLatestSync, replaceSymlink, writeFileAtomic, writeJsonAtomic, writeJsonAtomicSync } from "./checkpoint";
import * as paths from "./paths";

export interface PreparedRun {
  sandbox: string;
  runMetaDir: string;
}

export class MetaStore {
  /** framework id → JSON last written to its framework.info (skip identical rewrites). */
  private readonly writtenFrameworks = new Map<string, string>();
  /** Directories known to exist (the per-framework `executors` dirs). */
  private readonly knownDirs = new Set<string>();

  constructor(readonly workDir: string) {}

  async writeBootId(bootId: string): Promise<void> {
    await fsp.mkdir(paths.metaDir(this.workDir), { recursive: true });
    await writeFileAtomic(paths.bootIdPath(this.workDir), `${bootId}\n`);
  }

  /** Records the agent's id and info; `latest` symlinks point at it. */
  async checkpointAgent(agentId: string, info: AgentInfo): Promise<void> {
    const w = this.workDir;
    await Promise.all([
      fsp.mkdir(paths.metaAgentDir(w, agentId), { recursive: true }),
      fsp.mkdir(paths.agentDir(w, agentId), { recursive: true }),
    ]);
    await writeJsonAtomic(paths.agentInfoPath(w, agentId), info);
    await replaceSymlink(agentId, paths.metaLatestAgentLink(w));
    await replaceSymlink(agentId, paths.latestAgentLink(w));
  }

  /** Forgets the agent id, so the next start registers as a new agent (after SHUTDOWN_AGENT). */
  async forgetAgent(): Promise<void> {
    await fsp.rm(paths.metaLatestAgentLink(this.workDir), { force: true });
  }

  checkpointFramework(agentId: string, info: FrameworkInfo & { id: { value: string } }): void {
    const json = JSON.stringify(info);
    const id = info.id.value;
    if (this.writtenFrameworks.get(id) === json) return;
    mkdirSync(paths.metaFrameworkDir(this.workDir, agentId, id), { recursive: true });
    writeJsonAtomicSync(paths.frameworkInfoPath(this.workDir, agentId, id), info);
    this.writtenFrameworks.set(id, json);
  }

  /** Creates the sandbox and meta dirs of a new run and checkpoints executor.info and its first task's task.info. */
  prepareRun(run: paths.RunRef, executor: ExecutorInfo, task: TaskInfo | undefined): PreparedRun {
    const w = this.workDir;
    const sandbox = paths.sandboxDir(w, run); // validates every id
    const runMetaDir = paths.metaRunDir(w, run);
    const chain = [run.executorId, "runs", run.containerId];
    this.mkdirChain(path.join(paths.frameworkDir(w, run.agentId, run.frameworkId), "executors"), chain);
    this.mkdirChain(paths.metaExecutorsDir(w, run.agentId, run.frameworkId), [...chain, "pids"]);
    linkLatestSync(run.containerId, paths.latestRunLink(w, run));
    linkLatestSync(run.containerId, path.join(paths.metaRunsDir(w, run.agentId, run.frameworkId, run.executorId), paths.LATEST));
    writeJsonAtomicSync(paths.executorInfoPath(w, run.agentId, run.frameworkId, run.executorId), executor);
    if (task !== undefined) this.checkpointTask(run, task);
    return { sandbox, runMetaDir };
  }

  /** Checkpoints a task of a run (task.info). */
  checkpointTask(run: paths.RunRef, task: TaskInfo): void {
    const dir = paths.metaTaskDir(this.workDir, run, task.task_id.value); // validates the task id
    this.mkdirChain(paths.metaRunDir(this.workDir, run), ["tasks", task.task_id.value]);
    writeJsonAtomicSync(path.join(dir, "task.info"), task);
  }

  /**
   * Creates `base/parts[0]/parts[1]/…` with one mkdir per level. `base` is created (recursively)
   * once and then assumed to exist — launching 1,000 tasks must not cost 1,000 deep `mkdir -p`s.
   */
  private mkdirChain(base: string, parts: string[]): void {
    if (!this.knownDirs.has(base)) {
      mkdirSync(base, { recursive: true });
      this.knownDirs.add(base);
    }
    let dir = base;
    for (const part of parts) {
      dir = path.join(dir, part);
      try {
        mkdirSync(dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EEXIST") continue;
        if (code !== "ENOENT") throw err;
        this.knownDirs.delete(base); // removed behind our back
        mkdirSync(dir, { recursive: true });
      }
    }
  }

  /** Marks that the agent asked this run's task to die (so a restarted agent reports TASK_KILLED). */
  markKillRequested(runMetaDir: string): void {
    writeFileSync(path.join(runMetaDir, paths.RUN_FILES.killRequested), "1\n");
  }

  /** Drops the meta of a completed executor (its sandbox stays until GC), keeping recovery proportional to live work. */
  async removeExecutorMeta(agentId: string, frameworkId: string, executorId: string): Promise<void> {
    await fsp.rm(paths.metaExecutorDir(this.workDir, agentId, frameworkId, executorId), { recursive: true, force: true });
  }

  async removeFrameworkMeta(agentId: string, frameworkId: string): Promise<void> {
    this.writtenFrameworks.delete(frameworkId);
    this.knownDirs.delete(paths.metaExecutorsDir(this.workDir, agentId, frameworkId));
    await fsp.rm(paths.metaFrameworkDir(this.workDir, agentId, frameworkId), { recursive: true, force: true });
  }
}
