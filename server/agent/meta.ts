// Writing the agent's checkpoints, sandboxes and container runtime dirs (layout in paths.ts).
//
// Per launch: the sandbox (3 directories and the `runs/latest` link, Mesos's layout, on the
// work_dir), the container's runtime dir (on --runtime_dir, tmpfs by default), and journal
// records for the run and its task (journal.ts) — all synchronous and done before the container
// starts, so recovery never meets a running container it has no checkpoint for. Runs are
// journalled for every framework (the agent must be able to kill them after a restart); status
// updates only for checkpointing frameworks (FrameworkInfo.checkpoint), as in Mesos.
import { promises as fsp, mkdirSync } from "node:fs";
import path from "node:path";
import type { AgentInfo, ExecutorInfo, FrameworkInfo, TaskInfo } from "../protocol/mesos";
import { linkLatestSync, replaceSymlink, writeFileAtomic, writeJsonAtomic, type UpdateRecord } from "./checkpoint";
import { CheckpointJournal, type JournalSnapshot } from "./journal";
import * as paths from "./paths";

export interface PreparedRun {
  sandbox: string;
  /** The container's runtime dir (with `pids/`): launch.sh, pid and status files. */
  runMetaDir: string;
}

export class MetaStore {
  /** framework id → JSON last journalled (skip identical records). */
  private readonly writtenFrameworks = new Map<string, string>();
  /** Directories known to exist (the per-framework `executors` dir, the runtime containers dir). */
  private readonly knownDirs = new Set<string>();
  private journalFile?: CheckpointJournal;

  constructor(
    readonly workDir: string,
    readonly runtimeDir: string,
  ) {}

  /** Opens this agent's checkpoint journal (once the agent id is known). */
  openJournal(agentId: string, live: () => JournalSnapshot): CheckpointJournal {
    if (this.journalFile === undefined) this.journalFile = new CheckpointJournal(paths.agentJournalPath(this.workDir, agentId), live);
    return this.journalFile;
  }

  get journal(): CheckpointJournal {
    if (this.journalFile === undefined) throw new Error("the checkpoint journal is not open (no agent id yet)");
    return this.journalFile;
  }

  closeJournal(): void {
    this.journalFile?.close();
  }

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

  checkpointFramework(info: FrameworkInfo & { id: { value: string } }): void {
    const json = JSON.stringify(info);
    if (this.writtenFrameworks.get(info.id.value) === json) return;
    this.journal.append({ framework: info });
    this.writtenFrameworks.set(info.id.value, json);
  }

  /** Creates a new run's sandbox and runtime dir, and checkpoints the run (and its first task). */
  prepareRun(run: paths.RunRef, executor: ExecutorInfo, task: TaskInfo | undefined): PreparedRun {
    const w = this.workDir;
    const sandbox = paths.sandboxDir(w, run); // validates every id
    const runMetaDir = paths.runtimeContainerDir(this.runtimeDir, run.containerId);
    this.mkdirChain(path.join(paths.frameworkDir(w, run.agentId, run.frameworkId), "executors"), [run.executorId, "runs", run.containerId]);
    linkLatestSync(run.containerId, paths.latestRunLink(w, run));
    this.mkdirChain(paths.runtimeContainersDir(this.runtimeDir), [run.containerId, "pids"]);
    this.journal.append({ run: { framework_id: run.frameworkId, executor, container_id: run.containerId } });
    if (task !== undefined) this.checkpointTask(run, task);
    return { sandbox, runMetaDir };
  }

  /** Checkpoints a task given to a run. */
  checkpointTask(run: paths.RunRef, task: TaskInfo): void {
    this.journal.append({ task: { framework_id: run.frameworkId, container_id: run.containerId, task } });
  }

  /** The agent asked this run's task(s) to die (so a restarted agent reports TASK_KILLED). */
  markKillRequested(containerId: string): void {
    this.journal.append({ kill: { container_id: containerId } });
  }

  appendUpdate(frameworkId: string, taskId: string, record: UpdateRecord): void {
    this.journal.append({ framework_id: frameworkId, task_id: taskId, ...record });
  }

  /** The run is over (container ended, terminal updates acknowledged): forget it; its sandbox stays until GC. */
  retireRun(containerId: string): Promise<void> {
    this.journal.append({ retired: { container_id: containerId } });
    return fsp.rm(paths.runtimeContainerDir(this.runtimeDir, containerId), { recursive: true, force: true });
  }

  /** A framework is gone from the agent: its info need not be kept. */
  forgetFramework(frameworkId: string): void {
    this.writtenFrameworks.delete(frameworkId);
    this.knownDirs.clear();
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
}
