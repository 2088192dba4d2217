// The posix containerizer (`--isolation=posix/cpu,posix/mem`): each task runs under its bash
// wrapper (wrapper.ts), started by the agent's launcher (launcher.ts), the command in its own
// session and process group. No limits are enforced; resources are accounting only.
//
// Watching, without a timer per task:
//   - wrappers report `S <container> <pid>` when the task process has started (launch() resolves
//     then, so TASK_RUNNING means "the process exists") and `X <container> <status>` the moment
//     it ends, through the launcher pipe;
//   - ONE shared poll loop checks every `pollIntervalMs` that each watched wrapper pid still
//     exists — the only signal for wrappers re-adopted after an agent restart (their pipe is
//     gone) and for a wrapper that was itself killed; a dead wrapper's `exit_status` file (or
//     its absence: "lost") says how the task ended.
import { promises as fsp } from "node:fs";
import path from "node:path";
import { readIntFile } from "../checkpoint";
import { realClock, type Clock, type TimerHandle } from "../clock";
import { silentLogger, type Logger } from "../log";
import { RUN_FILES } from "../paths";
import { LAUNCHER_MARKER, Launcher } from "./launcher";
import { commandLineContains, decodeShellStatus, isAlive, isRunning, signalGroup } from "./process";
import {
  ContainerLaunchError, type Containerizer, type ContainerSpec, type RecoverSpec, type RecoveredContainer,
  type Termination, type TerminationListener,
} from "./types";
import { detectHostTools, wrapperScript, type HostTools } from "./wrapper";

export const LAUNCH_SCRIPT = "launch.sh";

interface Watched {
  containerId: string;
  runMetaDir: string;
  /** The wrapper (Mesos's "forked pid"); undefined until the launcher answered. */
  wrapperPid?: number;
  /** The command's pid = its process group id, once the wrapper has written it. */
  taskPid?: number;
  /** Re-adopted after a restart: not a child of our launcher, so it may linger as a zombie. */
  adopted?: boolean;
  /** The poll loop saw the wrapper gone and is reading its status. */
  ending?: boolean;
  /** Resolves `launch()`: the task process started, or the container already ended. */
  onStarted?: () => void;
}

export interface PosixContainerizerOptions {
  clock?: Clock;
  log?: Logger;
  /** Liveness poll interval (ms). */
  pollIntervalMs?: number;
  tools?: HostTools;
}

export class PosixContainerizer implements Containerizer {
  private readonly watched = new Map<string, Watched>();
  private readonly listeners: TerminationListener[] = [];
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly launcher: Launcher;
  private poller?: TimerHandle;
  private stopped = false;

  private constructor(
    private readonly tools: HostTools,
    options: PosixContainerizerOptions,
  ) {
    this.clock = options.clock ?? realClock;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.launcher = new Launcher(
      tools,
      {
        started: (containerId, taskPid) => this.onStartNotice(containerId, taskPid),
        exited: (containerId, status) => this.onExitNotice(containerId, status),
      },
      options.log ?? silentLogger,
    );
  }

  static async create(options: PosixContainerizerOptions = {}): Promise<PosixContainerizer> {
    return new PosixContainerizer(options.tools ?? (await detectHostTools()), options);
  }

  get description(): string {
    return `posix/cpu,posix/mem (no resource enforcement; tasks in their own process groups via ${this.tools.bash} wrappers and ${this.tools.setsid})`;
  }

  get size(): number {
    return this.watched.size;
  }

  /** The launcher's pid while it runs (diagnostics, tests). */
  get launcherPid(): number | undefined {
    return this.launcher.pid;
  }

  onTermination(listener: TerminationListener): void {
    this.listeners.push(listener);
  }

  /** Resolves once the task's process has started (its pid is known) or the container ended. */
  async launch(spec: ContainerSpec): Promise<{ pid: number }> {
    if (this.watched.has(spec.containerId)) throw new ContainerLaunchError(spec.containerId, "container already exists");
    const entry: Watched = { containerId: spec.containerId, runMetaDir: spec.runMetaDir };
    const started = new Promise<void>((resolve) => (entry.onStarted = resolve));
    try {
      await fsp.writeFile(path.join(spec.runMetaDir, LAUNCH_SCRIPT), wrapperScript(spec, this.tools));
      this.watched.set(spec.containerId, entry); // before starting: notices may beat the launcher's reply
      entry.wrapperPid = await this.launcher.start(spec.runMetaDir);
    } catch (err) {
      if (this.watched.get(spec.containerId) === entry) this.watched.delete(spec.containerId);
      throw new ContainerLaunchError(spec.containerId, (err as Error).message);
    }
    this.ensurePolling(); // also notices a wrapper that dies before starting the task
    await started;
    return { pid: entry.wrapperPid };
  }

  async recover(spec: RecoverSpec): Promise<RecoveredContainer> {
    const wrapperPid = await readIntFile(path.join(spec.runMetaDir, RUN_FILES.forkedPid));
    const status = await readIntFile(path.join(spec.runMetaDir, RUN_FILES.exitStatus));
    if (status !== undefined) return { state: "terminated", termination: decodeShellStatus(status) };
    if (spec.rebooted) {
      return wrapperPid === undefined ? { state: "unknown" } : { state: "terminated", termination: { kind: "lost", message: "the host rebooted" } };
    }
    // No forked.pid (the wrapper's first act): the run never started.
    if (wrapperPid === undefined) return { state: "unknown" };
    const taskPid = await readIntFile(path.join(spec.runMetaDir, RUN_FILES.taskPid));
    if (isRunning(wrapperPid) && (await commandLineContains(wrapperPid, LAUNCHER_MARKER))) {
      this.watched.set(spec.containerId, { ...spec, wrapperPid, taskPid, adopted: true });
      this.ensurePolling();
      return { state: "running", pid: wrapperPid };
    }
    // The wrapper died without a status (SIGKILLed): reap what is left of the task.
    const after = await readIntFile(path.join(spec.runMetaDir, RUN_FILES.exitStatus));
    if (after !== undefined) return { state: "terminated", termination: decodeShellStatus(after) };
    if (taskPid !== undefined) signalGroup(taskPid, "SIGKILL");
    return { state: "terminated", termination: { kind: "lost", message: "the task's supervisor is gone" } };
  }

  async signal(containerId: string, signal: NodeJS.Signals): Promise<void> {
    const entry = this.watched.get(containerId);
    if (entry === undefined) return;
    // The wrapper writes task.pid a few ms after it starts: wait for it while the container lives.
    for (let attempt = 0; entry.taskPid === undefined && attempt < 300; attempt++) {
      entry.taskPid = await readIntFile(path.join(entry.runMetaDir, RUN_FILES.taskPid));
      if (entry.taskPid !== undefined || this.watched.get(containerId) !== entry) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const pgid = entry.taskPid;
    if (pgid === undefined) return;
    // The pid is known from the moment the wrapper forks, the group only once the child has run
    // setsid: while the process exists without its group, try again shortly.
    for (let attempt = 0; attempt < 100; attempt++) {
      if (signalGroup(pgid, signal) || !isAlive(pgid)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.watched.values()) entry.onStarted?.();
    this.poller?.cancel();
    this.poller = undefined;
    this.launcher.stop();
    this.watched.clear();
  }

  private onStartNotice(containerId: string, taskPid: number): void {
    const entry = this.watched.get(containerId);
    if (entry === undefined) return;
    entry.taskPid = taskPid;
    entry.onStarted?.();
  }

  private onExitNotice(containerId: string, status: number): void {
    const entry = this.watched.get(containerId);
    if (entry !== undefined) this.finish(entry, decodeShellStatus(status));
  }

  /** Termination of a wrapper that is gone: its recorded status, else "lost" (and kill orphans). */
  private async statusFromFiles(entry: Watched): Promise<Termination> {
    const status = await readIntFile(path.join(entry.runMetaDir, RUN_FILES.exitStatus)).catch(() => undefined);
    if (status !== undefined) return decodeShellStatus(status);
    const taskPid = entry.taskPid ?? (await readIntFile(path.join(entry.runMetaDir, RUN_FILES.taskPid)).catch(() => undefined));
    if (taskPid !== undefined) signalGroup(taskPid, "SIGKILL");
    return { kind: "lost", message: "the task wrapper exited without recording a status" };
  }

  private finish(entry: Watched, termination: Termination): void {
    entry.onStarted?.();
    if (this.stopped || this.watched.get(entry.containerId) !== entry) return;
    this.watched.delete(entry.containerId);
    for (const listener of this.listeners) listener(entry.containerId, termination);
  }

  private ensurePolling(): void {
    if (this.poller !== undefined || this.stopped) return;
    this.poller = this.clock.setInterval(() => this.poll(), this.pollIntervalMs);
  }

  private poll(): void {
    for (const entry of this.watched.values()) {
      if (entry.ending || entry.wrapperPid === undefined) continue;
      if (entry.adopted ? isRunning(entry.wrapperPid) : isAlive(entry.wrapperPid)) continue;
      entry.ending = true;
      void this.statusFromFiles(entry).then((t) => this.finish(entry, t));
    }
    if (this.watched.size === 0) {
      this.poller?.cancel();
      this.poller = undefined;
    }
  }
}
