// The containerizer (named after Mesos's, which also pairs one launcher with isolators): each
// container runs under its bash wrapper (wrapper.ts), started by the agent's launcher
// (launcher.ts), with isolation from an Isolator (isolators.ts): cgroups (limits enforced) or
// posix (monitoring only). See ../README.md for the diagram.
//
// Watching, without a timer per container:
//   - wrappers report `S <container> <pid>` when the task process has started (launch() resolves
//     then, so TASK_RUNNING means "the process exists") and `X`/`F <container> <status>` the
//     moment it ends, through the launcher pipe;
//   - ONE shared poll loop checks that each re-adopted wrapper pid still exists (their pipe is
//     gone after an agent restart) and, with cgroups, reads each container's OOM-kill counter
//     (an OOM kill of a process other than the task's main one must still end the container);
//   - ONE disk loop measures sandboxes of containers with a disk resource (disk/du).
// A container that ends is destroyed before its termination is reported: whatever is left of
// it (double-forked daemons included, under cgroups) is killed and its cgroups removed.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Resource } from "../../protocol/mesos";
import { readIntFile, readTextIfExists } from "../checkpoint";
import { realClock, type Clock, type TimerHandle } from "../clock";
import { silentLogger, type Logger } from "../log";
import { RUN_FILES } from "../paths";
import type { ContainerLimits } from "./cgroups";
import { diskUsage } from "./disk";
import { mountsUnder } from "../volumes";
import type { Isolator } from "./isolators";
import { LAUNCHER_MARKER, Launcher } from "./launcher";
import { commandLineContains, decodeShellStatus, isAlive, isRunning, signalGroup } from "./process";
import {
  ContainerLaunchError, type Containerizer, type ContainerLimitation, type ContainerSpec, type IsolationInfo, type RecoverSpec,
  type RecoveredContainer, type ResourceStatistics, type Termination, type TerminationListener,
} from "./types";
import { LAUNCH_ERROR_FILE, wrapperScript, type HostTools } from "./wrapper";

export const LAUNCH_SCRIPT = "launch.sh";

const MB = 1024 * 1024;

/** Limits from a container's resources (cpus, mem and disk scalars; MB → bytes). Persistent volumes are not sandbox disk. */
export function limitsOf(resources: readonly Resource[]): ContainerLimits {
  const sum = (name: string) => resources.filter((r) => r.name === name && r.disk?.persistence === undefined).reduce((n, r) => n + (r.scalar?.value ?? 0), 0);
  const cpus = sum("cpus");
  const mem = sum("mem");
  const disk = sum("disk");
  return { cpus: cpus > 0 ? cpus : undefined, memBytes: mem > 0 ? mem * MB : undefined, diskBytes: disk > 0 ? disk * MB : undefined };
}

interface Watched {
  containerId: string;
  runMetaDir: string;
  sandbox?: string;
  limits: ContainerLimits;
  /** The wrapper (Mesos's "forked pid"); undefined until the launcher answered. */
  wrapperPid?: number;
  /** The command's pid = its process group id, once the wrapper has written it. */
  taskPid?: number;
  /** Re-adopted after a restart: not a child of our launcher, so it may linger as a zombie. */
  adopted?: boolean;
  /** Ending is being handled (status read, container destroyed). */
  ending?: boolean;
  /** A limitation found while it ran (OOM of another process, disk): reported with its end. */
  limitation?: ContainerLimitation;
  diskUsedBytes?: number;
  /** Resolves `launch()`: the task process started, or the container already ended. */
  onStarted?: () => void;
}

export interface MesosContainerizerOptions {
  isolator: Isolator;
  tools: HostTools;
  clock?: Clock;
  log?: Logger;
  /** Liveness poll interval for re-adopted wrappers (ms). */
  pollIntervalMs?: number;
  /** OOM-counter poll interval for running containers (ms). */
  limitationPollIntervalMs?: number;
  /** disk/du: measure sandboxes every this many ms (0 = off). */
  diskWatchIntervalMs?: number;
  enforceDiskQuota?: boolean;
}

export class MesosContainerizer implements Containerizer {
  private readonly watched = new Map<string, Watched>();
  private readonly listeners: TerminationListener[] = [];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly isolator: Isolator;
  private readonly launcher: Launcher;
  private readonly timers: TimerHandle[] = [];
  private livenessDueAt = 0;
  private diskBusy = false;
  private stopped = false;

  constructor(private readonly o: MesosContainerizerOptions) {
    this.clock = o.clock ?? realClock;
    this.log = o.log ?? silentLogger;
    this.isolator = o.isolator;
    this.launcher = new Launcher(
      o.tools,
      {
        started: (containerId, taskPid) => this.onStartNotice(containerId, taskPid),
        exited: (containerId, status) => this.onExitNotice(containerId, status, false),
        failed: (containerId, status) => this.onExitNotice(containerId, status, true),
      },
      this.log,
    );
    const limitationMs = o.limitationPollIntervalMs ?? 500;
    this.timers.push(this.clock.setInterval(() => this.poll(), Math.min(limitationMs, o.pollIntervalMs ?? 1000)));
    if ((o.diskWatchIntervalMs ?? 0) > 0) this.timers.push(this.clock.setInterval(() => void this.watchDisk(), o.diskWatchIntervalMs!));
  }

  get isolation(): IsolationInfo {
    return this.isolator.info;
  }

  get description(): string {
    const i = this.isolator.info;
    const what = i.enforcing
      ? `cgroups v${i.cgroupsVersion} under ${i.cgroupsRoot}: cpu/memory limits ENFORCED, OOM detected, whole process trees killed`
      : `NO resource enforcement (usage is only monitored; tasks in their own process groups)${i.note ? ` — ${i.note}` : ""}`;
    return `${i.isolators.join(",")} (${what}${i.pidNamespace ? "; each task in its own pid namespace" : ""})`;
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
    const limits = limitsOf(spec.resources);
    const entry: Watched = { containerId: spec.containerId, runMetaDir: spec.runMetaDir, sandbox: spec.sandbox, limits };
    const started = new Promise<void>((resolve) => (entry.onStarted = resolve));
    let prepared = false;
    try {
      this.isolator.prepare(spec.containerId, limits);
      prepared = true;
      const script = wrapperScript(
        { ...spec, join: this.isolator.joinCommands(spec.containerId), pidNamespace: this.isolator.info.pidNamespace },
        this.o.tools,
      );
      writeFileSync(path.join(spec.runMetaDir, LAUNCH_SCRIPT), script);
      this.watched.set(spec.containerId, entry); // before starting: notices may beat the launcher's reply
      entry.wrapperPid = await this.launcher.start(spec.runMetaDir);
    } catch (err) {
      if (this.watched.get(spec.containerId) === entry) this.watched.delete(spec.containerId);
      if (prepared) await this.isolator.destroy(spec.containerId).catch(() => {});
      throw new ContainerLaunchError(spec.containerId, (err as Error).message);
    }
    await started;
    return { pid: entry.wrapperPid };
  }

  async recover(spec: RecoverSpec): Promise<RecoveredContainer> {
    const limits = limitsOf(spec.resources ?? []);
    const wrapperPid = await readIntFile(path.join(spec.runMetaDir, RUN_FILES.forkedPid));
    const status = await readIntFile(path.join(spec.runMetaDir, RUN_FILES.exitStatus));
    if (status !== undefined) return { state: "terminated", termination: await this.concluded(spec.containerId, spec.runMetaDir, status, limits) };
    if (spec.rebooted) {
      // Every process of the old boot is gone (and a tmpfs runtime dir with its pid files).
      await this.isolator.destroy(spec.containerId).catch(() => {});
      return { state: "terminated", termination: { kind: "lost", message: "the host rebooted" } };
    }
    // No forked.pid (the wrapper's first act): the run never started.
    if (wrapperPid === undefined) {
      await this.isolator.destroy(spec.containerId).catch(() => {});
      return { state: "unknown" };
    }
    const taskPid = await readIntFile(path.join(spec.runMetaDir, RUN_FILES.taskPid));
    if (isRunning(wrapperPid) && (await commandLineContains(wrapperPid, LAUNCHER_MARKER))) {
      await this.isolator.readopt(spec.containerId);
      this.watched.set(spec.containerId, { containerId: spec.containerId, runMetaDir: spec.runMetaDir, sandbox: spec.sandbox, limits, wrapperPid, taskPid, adopted: true });
      return { state: "running", pid: wrapperPid };
    }
    // The wrapper died without a status (SIGKILLed): reap what is left of the task.
    const after = await readIntFile(path.join(spec.runMetaDir, RUN_FILES.exitStatus));
    if (after !== undefined) return { state: "terminated", termination: await this.concluded(spec.containerId, spec.runMetaDir, after, limits) };
    await this.isolator.killAll(spec.containerId, taskPid);
    const limitation = this.isolator.memoryLimitation(spec.containerId, limits);
    await this.isolator.destroy(spec.containerId).catch(() => {});
    return { state: "terminated", termination: { kind: "lost", message: "the task's supervisor is gone", ...(limitation ? { limitation } : {}) } };
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
    if (signal === "SIGKILL") {
      await this.isolator.killAll(containerId, pgid);
      return;
    }
    if (pgid === undefined) return;
    if (this.isolator.info.pidNamespace) {
      // SIGTERM to unshare would end it and SIGKILL the namespace at once: tell the init instead.
      const init = namespaceInit(pgid);
      if (init !== undefined) {
        try {
          process.kill(init, signal);
          return;
        } catch {
          // fall back to the group
        }
      }
    }
    for (let attempt = 0; attempt < 100; attempt++) {
      if (signalGroup(pgid, signal) || !isAlive(pgid)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  update(containerId: string, resources: Resource[]): void {
    const entry = this.watched.get(containerId);
    if (entry === undefined) return;
    entry.limits = limitsOf(resources);
    try {
      this.isolator.update(containerId, entry.limits);
    } catch (err) {
      this.log.warn(`Failed to update the limits of container ${containerId}: ${(err as Error).message}`);
    }
  }

  async usage(containerId: string): Promise<ResourceStatistics | undefined> {
    const entry = this.watched.get(containerId);
    if (entry === undefined) return undefined;
    const stats = await this.isolator.stats(containerId, entry.taskPid).catch((): Partial<ResourceStatistics> => ({}));
    const out: ResourceStatistics = { timestamp: this.clock.now() / 1000, ...stats };
    if (entry.limits.cpus !== undefined) out.cpus_limit = entry.limits.cpus;
    if (entry.limits.memBytes !== undefined) out.mem_limit_bytes = Math.max(entry.limits.memBytes, stats.mem_limit_bytes && stats.mem_limit_bytes < 2 ** 60 ? stats.mem_limit_bytes : 0);
    if (entry.limits.diskBytes !== undefined) out.disk_limit_bytes = entry.limits.diskBytes;
    if (entry.diskUsedBytes !== undefined) out.disk_used_bytes = entry.diskUsedBytes;
    return out;
  }

  async destroyOrphans(known: ReadonlySet<string>): Promise<string[]> {
    const orphans = this.isolator.listContainers().filter((id) => !known.has(id) && !this.watched.has(id));
    for (const id of orphans) {
      this.log.warn(`Destroying orphaned container ${id} (cgroups left behind, not in any checkpoint)`);
      await this.isolator.destroy(id).catch(() => {});
    }
    return orphans;
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.watched.values()) entry.onStarted?.();
    for (const t of this.timers.splice(0)) t.cancel();
    this.launcher.stop();
    this.watched.clear();
    this.isolator.close();
  }

  private onStartNotice(containerId: string, taskPid: number): void {
    const entry = this.watched.get(containerId);
    if (entry === undefined) return;
    entry.taskPid = taskPid;
    entry.onStarted?.();
  }

  private onExitNotice(containerId: string, status: number, failed: boolean): void {
    const entry = this.watched.get(containerId);
    if (entry === undefined || entry.ending) return;
    entry.ending = true;
    void this.conclude(entry, () => (failed ? this.launchFailure(entry.runMetaDir) : decodeShellStatus(status)));
  }

  /** Termination of a run found ended at recovery (status recorded): with its limitation; cgroups removed. */
  private async concluded(containerId: string, runMetaDir: string, status: number, limits: ContainerLimits): Promise<Termination> {
    const error = await readTextIfExists(path.join(runMetaDir, LAUNCH_ERROR_FILE));
    const base: Termination = error !== undefined ? { kind: "launch_failed", message: error.trim() } : decodeShellStatus(status);
    const limitation = this.isolator.memoryLimitation(containerId, limits);
    await this.isolator.destroy(containerId).catch(() => {});
    return limitation ? { ...base, limitation } : base;
  }

  private launchFailure(runMetaDir: string): Termination {
    let message = "the container could not be set up";
    try {
      message = readFileSync(path.join(runMetaDir, LAUNCH_ERROR_FILE), "utf8").trim() || message;
    } catch {
      // keep the generic message
    }
    return { kind: "launch_failed", message };
  }

  /** Destroys an ended container (stragglers killed, cgroups removed), then reports it. */
  private async conclude(entry: Watched, how: () => Termination | Promise<Termination>): Promise<void> {
    let termination: Termination;
    try {
      termination = await how();
      const limitation = entry.limitation ?? this.isolator.memoryLimitation(entry.containerId, entry.limits);
      if (limitation !== undefined) termination = { ...termination, limitation };
    } catch (err) {
      termination = { kind: "lost", message: (err as Error).message };
    }
    await this.isolator.destroy(entry.containerId).catch((err: Error) => this.log.warn(`Failed to destroy container ${entry.containerId}: ${err.message}`));
    this.finish(entry, termination);
  }

  /** Termination of a wrapper that is gone: its recorded status, else "lost" (and kill orphans). */
  private async statusFromFiles(entry: Watched): Promise<Termination> {
    const status = await readIntFile(path.join(entry.runMetaDir, RUN_FILES.exitStatus)).catch(() => undefined);
    if (status !== undefined) {
      const error = await readTextIfExists(path.join(entry.runMetaDir, LAUNCH_ERROR_FILE)).catch(() => undefined);
      return error !== undefined ? { kind: "launch_failed", message: error.trim() } : decodeShellStatus(status);
    }
    const taskPid = entry.taskPid ?? (await readIntFile(path.join(entry.runMetaDir, RUN_FILES.taskPid)).catch(() => undefined));
    await this.isolator.killAll(entry.containerId, taskPid);
    return { kind: "lost", message: "the task wrapper exited without recording a status" };
  }

  private finish(entry: Watched, termination: Termination): void {
    entry.onStarted?.();
    if (this.stopped || this.watched.get(entry.containerId) !== entry) return;
    this.watched.delete(entry.containerId);
    for (const listener of this.listeners) listener(entry.containerId, termination);
  }

  /** Shared poll: liveness of wrappers (every pollIntervalMs) and OOM counters (every tick). */
  private poll(): void {
    const now = this.clock.now();
    const liveness = now >= this.livenessDueAt;
    if (liveness) this.livenessDueAt = now + (this.o.pollIntervalMs ?? 1000) - 1;
    for (const entry of this.watched.values()) {
      if (entry.ending || entry.wrapperPid === undefined) continue;
      if (entry.limitation === undefined && entry.limits.memBytes !== undefined && entry.taskPid !== undefined) {
        const limitation = this.isolator.memoryLimitation(entry.containerId, entry.limits);
        if (limitation !== undefined) this.limit(entry, limitation);
      }
      if (!liveness || (entry.adopted ? isRunning(entry.wrapperPid) : isAlive(entry.wrapperPid))) continue;
      entry.ending = true;
      void this.conclude(entry, () => this.statusFromFiles(entry));
    }
  }

  /** A running container hit a limit: kill it; its end (reported by the wrapper) carries the limitation. */
  private limit(entry: Watched, limitation: ContainerLimitation): void {
    entry.limitation = limitation;
    this.log.warn(`Container ${entry.containerId} hit a limit (${limitation.reason}); destroying it`);
    void this.isolator.killAll(entry.containerId, entry.taskPid);
  }

  /** disk/du: one sandbox at a time, containers with a disk resource only. */
  private async watchDisk(): Promise<void> {
    if (this.diskBusy) return;
    this.diskBusy = true;
    try {
      for (const entry of [...this.watched.values()]) {
        if (entry.ending || entry.sandbox === undefined || entry.limits.diskBytes === undefined) continue;
        // Persistent volumes bind-mounted into the sandbox are not the sandbox's disk (Mesos excludes them too).
        entry.diskUsedBytes = await diskUsage(entry.sandbox, new Set(mountsUnder(entry.sandbox)));
        const limit = entry.limits.diskBytes;
        if (this.o.enforceDiskQuota && entry.diskUsedBytes > limit && entry.limitation === undefined && !entry.ending) {
          this.limit(entry, {
            reason: "REASON_CONTAINER_LIMITATION_DISK",
            message: `Disk usage (${Math.round(entry.diskUsedBytes / MB)}MB) exceeds quota (${Math.round(limit / MB)}MB)`,
            resources: [{ name: "disk", type: "SCALAR", scalar: { value: Math.round(limit / MB) } }],
          });
        }
      }
    } finally {
      this.diskBusy = false;
    }
  }
}

/** The host pid of the init of the pid namespace `unshare` (pid `unsharePid`) created. */
function namespaceInit(unsharePid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, "utf8").trim().split(/\s+/);
    const pid = Number(children[0]);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}
