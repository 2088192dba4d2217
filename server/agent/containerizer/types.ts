// The containerizer port: starts a task's processes in their own container, signals them as a
// whole, reports how they ended, and re-adopts them after an agent restart. Implementations:
// `posix` (process groups; accounting only) now; `cgroups` (v1/v2, limits + OOM) in issue #4.
//
// Contract: containers outlive the agent process. `stop()` only stops watching; it never kills.
// Every launched or recovered container produces exactly one termination callback while it is
// watched (unless `stop()` came first).
import type { Resource } from "../../protocol/mesos";

export type Termination =
  | { kind: "exited"; code: number }
  | { kind: "signaled"; signal: string; signo: number }
  /** The container's supervisor vanished without recording a status (e.g. SIGKILLed). */
  | { kind: "lost"; message: string };

export interface ContainerSpec {
  containerId: string;
  /** Absolute sandbox path (exists); cwd of the task; receives `stdout` / `stderr`. */
  sandbox: string;
  /** Absolute run meta dir (exists, with `pids/`): the containerizer's own checkpoints. */
  runMetaDir: string;
  /** The command as an argv; argv[0] is looked up in the task's PATH. */
  argv: string[];
  env: Record<string, string>;
  /** What the container may use (isolation in #4; accounting only in posix). */
  resources: Resource[];
}

export interface RecoverSpec {
  containerId: string;
  runMetaDir: string;
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

export interface Containerizer {
  /** One line for the start-up log: which isolation is in force. */
  readonly description: string;
  /**
   * Starts the container; resolves with the supervisor pid once the task's process has started
   * (or the container already ended — its termination follows). Rejects with ContainerLaunchError.
   */
  launch(spec: ContainerSpec): Promise<{ pid: number }>;
  /** Re-adopts a container from its checkpoints (watching it again if it still runs). */
  recover(spec: RecoverSpec): Promise<RecoveredContainer>;
  /** Signals every process of the task (not the supervisor). No-op once it is gone. */
  signal(containerId: string, signal: NodeJS.Signals): Promise<void>;
  onTermination(listener: TerminationListener): void;
  /** Containers currently watched. */
  readonly size: number;
  stop(): void;
}
