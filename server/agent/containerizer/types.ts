// The containerizer port: starts a task's (or executor's) processes in their own container,
// signals them as a whole, reports how they ended (with the resource limitation that ended them,
// if any), and re-adopts them after an agent restart. One implementation
// (`MesosContainerizer`, mesos.ts) with pluggable isolation: cgroups v1/v2 (limits enforced) or
// posix (process groups; monitoring only). See ../README.md.
//
// Contract: containers outlive the agent process. `stop()` only stops watching; it never kills.
// Every launched or recovered container produces exactly one termination callback while it is
// watched (unless `stop()` came first).
import type { Resource, TaskReason } from "../../protocol/mesos";
import type { CgroupStats, ContainerLimits } from "./cgroups";

export type { ContainerLimits } from "./cgroups";

/** A resource limit the container hit (Mesos's ContainerLimitation). */
export interface ContainerLimitation {
  reason: Extract<TaskReason, "REASON_CONTAINER_LIMITATION_MEMORY" | "REASON_CONTAINER_LIMITATION_DISK">;
  message: string;
  /** The resources whose limit was hit (TaskStatus.limitation.resources). */
  resources: Resource[];
}

export type Termination = (
  | { kind: "exited"; code: number }
  | { kind: "signaled"; signal: string; signo: number }
  /** The container's supervisor vanished without recording a status (e.g. SIGKILLed). */
  | { kind: "lost"; message: string }
  /** The container could not be set up (cgroups, sandbox…); nothing of the task ran. */
  | { kind: "launch_failed"; message: string }
) & { limitation?: ContainerLimitation };

export interface ContainerSpec {
  containerId: string;
  /** Absolute sandbox path (exists); cwd of the task; receives `stdout` / `stderr`. */
  sandbox: string;
  /** Absolute run meta dir (exists, with `pids/`): the containerizer's own checkpoints. */
  runMetaDir: string;
  /** The command as an argv; argv[0] is looked up in the task's PATH. */
  argv: string[];
  env: Record<string, string>;
  /** What the container may use: enforced by cgroups, watched by disk/du, accounting in posix. */
  resources: Resource[];
}

export interface RecoverSpec {
  containerId: string;
  runMetaDir: string;
  /** The sandbox (for disk usage); optional for runs that never got one. */
  sandbox?: string;
  resources?: Resource[];
  /** The host rebooted since the checkpoint: every old process is gone, pids mean nothing. */
  rebooted?: boolean;
}

export type RecoveredContainer =
  | { state: "running"; pid: number }
  | { state: "terminated"; termination: Termination }
  /** Never started (no supervisor pid was checkpointed). */
  | { state: "unknown" };

export class ContainerLaunchError extends Error {
  constructor(
    readonly containerId: string,
    reason: string,
  ) {
    super(`Failed to launch container ${containerId}: ${reason}`);
    this.name = "ContainerLaunchError";
  }
}

export type TerminationListener = (containerId: string, termination: Termination) => void;

/** Mesos ResourceStatistics (the fields Plateau fills). */
export interface ResourceStatistics extends CgroupStats {
  timestamp: number;
  cpus_limit?: number;
  mem_limit_bytes?: number;
  disk_limit_bytes?: number;
  disk_used_bytes?: number;
  processes?: number;
  threads?: number;
}

/** What isolation is in force (logged at start, shown in the agent's /state). */
export interface IsolationInfo {
  /** The isolators in force, Mesos names (`cgroups/cpu,cgroups/mem,…` or `posix/cpu,posix/mem`). */
  isolators: string[];
  /** `cgroups` enforces limits; `posix` only monitors. */
  mode: "cgroups" | "posix";
  cgroupsVersion?: 1 | 2;
  /** The agent's parent cgroup (cgroups mode). */
  cgroupsRoot?: string;
  enforcing: boolean;
  pidNamespace: boolean;
  /** Why cgroups are not used (posix mode), or other caveats. */
  note?: string;
}

export interface Containerizer {
  readonly isolation: IsolationInfo;
  /** One line for the start-up log: which isolation is in force. */
  readonly description: string;
  /**
   * Starts the container; resolves with the supervisor pid once the task's process has started
   * (or the container already ended — its termination follows). Rejects with ContainerLaunchError.
   */
  launch(spec: ContainerSpec): Promise<{ pid: number }>;
  /** Re-adopts a container from its checkpoints (watching it again if it still runs). */
  recover(spec: RecoverSpec): Promise<RecoveredContainer>;
  /**
   * Signals the task (its process group; SIGKILL goes to every process of the container,
   * daemons that left the group included). No-op once it is gone.
   */
  signal(containerId: string, signal: NodeJS.Signals): Promise<void>;
  /** Changes a running container's resources (limits follow). */
  update(containerId: string, resources: Resource[]): void;
  /** Usage of a running container; undefined when it is not watched. */
  usage(containerId: string): Promise<ResourceStatistics | undefined>;
  /** Destroys the cgroups of containers this agent left behind that no checkpoint mentions. */
  destroyOrphans(known: ReadonlySet<string>): Promise<string[]>;
  onTermination(listener: TerminationListener): void;
  /** Containers currently watched. */
  readonly size: number;
  stop(): void;
}
