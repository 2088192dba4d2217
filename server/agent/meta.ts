// Writing the agent's checkpoints and sandboxes (layout in paths.ts). Every whole file is
// written atomically (checkpoint.ts). Meta is written for every framework's runs, because the
// agent needs the pids to re-adopt or kill a run after a restart; `task.updates` is only kept
// for checkpointing frameworks (FrameworkInfo.checkpoint), as in Mesos.
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { AgentInfo, ExecutorInfo, FrameworkInfo, TaskInfo } from "../protocol/mesos";
import { replaceSymlink, writeFileAtomic, writeJsonAtomic } from "./checkpoint";
import * as paths from "./paths";

export interface PreparedRun {
  sandbox: string;
  runMetaDir: string;
  /** Journal of the task's status updates; undefined for non-checkpointing frameworks. */
  updatesFile?: string;
}

/** Points a fresh run's `latest` at it: a plain symlink, replaced atomically if one exists. */
async function linkLatest(target: string, link: string): Promise<void> {
  try {
    await fsp.symlink(target, link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    await replaceSymlink(target, link);
  }
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

  async checkpointFramework(agentId: string, info: FrameworkInfo & { id: { value: string } }): Promise<void> {
    const json = JSON.stringify(info);
    const id = info.id.value;
    if (this.writtenFrameworks.get(id) === json) return;
    this.writtenFrameworks.set(id, json);
    await fsp.mkdir(paths.metaFrameworkDir(this.workDir, agentId, id), { recursive: true });
    await writeJsonAtomic(paths.frameworkInfoPath(this.workDir, agentId, id), info);
  }

  /** Creates the sandbox and meta dirs of a new run and checkpoints executor.info and task.info. */
  async prepareRun(run: paths.RunRef, executor: ExecutorInfo, task: TaskInfo, checkpoint: boolean): Promise<PreparedRun> {
    const w = this.workDir;
    const taskId = task.task_id.value;
    const sandbox = paths.sandboxDir(w, run); // validates every id
    const runMetaDir = paths.metaRunDir(w, run);
    paths.metaTaskDir(w, run, taskId); // validates the task id
    const chain = [run.executorId, "runs", run.containerId];
    const sandboxBase = path.join(paths.frameworkDir(w, run.agentId, run.frameworkId), "executors");
    const metaBase = paths.metaExecutorsDir(w, run.agentId, run.frameworkId);
    await Promise.all([
      this.mkdirChain(sandboxBase, chain),
      this.mkdirChain(metaBase, chain).then(() =>
        Promise.all([fsp.mkdir(path.join(runMetaDir, "pids")), this.mkdirChain(runMetaDir, ["tasks", taskId])]),
      ),
    ]);
    await Promise.all([
      linkLatest(run.containerId, paths.latestRunLink(w, run)),
      linkLatest(run.containerId, path.join(paths.metaRunsDir(w, run.agentId, run.frameworkId, run.executorId), paths.LATEST)),
      writeJsonAtomic(paths.executorInfoPath(w, run.agentId, run.frameworkId, run.executorId), executor),
      writeJsonAtomic(paths.taskInfoPath(w, run, taskId), task),
    ]);
    return { sandbox, runMetaDir, updatesFile: checkpoint ? paths.taskUpdatesPath(w, run, taskId) : undefined };
  }

  /**
   * Creates `base/parts[0]/parts[1]/…` with one mkdir per level. `base` is created (recursively)
   * once and then assumed to exist — launching 1,000 tasks must not cost 1,000 deep `mkdir -p`s.
   */
  private async mkdirChain(base: string, parts: string[]): Promise<void> {
    if (!this.knownDirs.has(base)) {
      await fsp.mkdir(base, { recursive: true });
      this.knownDirs.add(base);
    }
    let dir = base;
    for (const part of parts) {
      dir = path.join(dir, part);
      try {
        await fsp.mkdir(dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EEXIST") continue;
        if (code !== "ENOENT") throw err;
        this.knownDirs.delete(base); // removed behind our back
        await fsp.mkdir(dir, { recursive: true });
      }
    }
  }

  /** Marks that the agent asked this run's task to die (so a restarted agent reports TASK_KILLED). */
  async markKillRequested(runMetaDir: string): Promise<void> {
    await writeFileAtomic(path.join(runMetaDir, paths.RUN_FILES.killRequested), "1\n");
  }

  /**
   * Drops the meta of a completed executor (its sandbox stays for the user; GC is future work),
   * keeping recovery proportional to live work.
   */
  async removeExecutorMeta(agentId: string, frameworkId: string, executorId: string): Promise<void> {
    await fsp.rm(paths.metaExecutorDir(this.workDir, agentId, frameworkId, executorId), { recursive: true, force: true });
  }

  async removeFrameworkMeta(agentId: string, frameworkId: string): Promise<void> {
    this.writtenFrameworks.delete(frameworkId);
    this.knownDirs.delete(paths.metaExecutorsDir(this.workDir, agentId, frameworkId));
    await fsp.rm(paths.metaFrameworkDir(this.workDir, agentId, frameworkId), { recursive: true, force: true });
  }
}
