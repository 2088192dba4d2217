// The agent's in-memory model: frameworks → executors (one container run each) → tasks.
// What was asked (killRequested) is kept apart from what was observed (state, container).
//
// Task life on the agent:  active (in executor.tasks; terminal but unacknowledged tasks stay
// here) ──terminal update acknowledged──► executor.completedTasks.
// An executor is complete when its container has terminated and it has no active task; a
// framework is complete when it has no executor left.
import type { AgentTask } from "../protocol/internal";
import type { ExecutorEvent } from "../protocol/executor";
import type { ExecutorInfo, FrameworkInfo, Id, Resource, TaskInfo, TaskReason, TaskState, TaskStatus } from "../protocol/mesos";
import type { TimerHandle } from "./clock";
import type { Termination } from "./containerizer/types";
import type { HealthChecker } from "./health";

export const MAX_COMPLETED_EXECUTORS_PER_FRAMEWORK = 150;
export const MAX_COMPLETED_TASKS_PER_EXECUTOR = 200;
export const MAX_COMPLETED_FRAMEWORKS = 50;

export interface TaskRecord {
  info: TaskInfo;
  frameworkId: string;
  executorId: string;
  /** Observed: latest state generated for the task. */
  state: TaskState;
  statuses: TaskStatus[];
  /** Desired: a kill was requested; the grace period in force and when SIGKILL follows. */
  killRequested: boolean;
  killDeadline?: number;
  killTimer?: TimerHandle;
  /** Custom executors: launched on the agent but not yet delivered to the executor (LAUNCH). */
  queued?: boolean;
  /** LAUNCH_GROUP: the tasks sharing this key are delivered together in one LAUNCH_GROUP event. */
  group?: string;
  /** Command tasks with a health check. */
  health?: HealthChecker;
  /** Health checks asked for the kill (the terminal update says healthy: false). */
  killedUnhealthy?: boolean;
}

/** The agent's end of a custom executor's SUBSCRIBE stream. */
export interface ExecutorSubscriber {
  send(event: ExecutorEvent): void;
  close(): void;
}

/**
 * A custom executor's connection: launching (container starting) → registering (waiting for
 * SUBSCRIBE, registration timeout running) → subscribed ⇄ disconnected (stream lost; after an
 * agent restart, re-registration timeout running) → terminating (SHUTDOWN sent / destroying).
 */
export type ExecutorConnection = "launching" | "registering" | "subscribed" | "disconnected" | "terminating";

export type ContainerPhase = "launching" | "running" | "terminated";

export interface ExecutorRecord {
  frameworkId: string;
  executorId: string;
  /** `command`: Plateau's built-in command executor (no process of its own); `custom`: ExecutorInfo. */
  kind: "command" | "custom";
  info: ExecutorInfo;
  containerId: string;
  /** Absolute sandbox path (the /state `directory`). */
  directory: string;
  runMetaDir: string;
  phase: ContainerPhase;
  /** The container's supervisor pid, once running. */
  pid?: number;
  /** A termination that arrived while the launch was still being reported. */
  pendingTermination?: Termination;
  tasks: Map<string, TaskRecord>;
  completedTasks: TaskRecord[];
  /** Custom executors only. */
  connection?: ExecutorConnection;
  subscriber?: ExecutorSubscriber;
  /** Registration / re-registration / shutdown deadline. */
  timer?: TimerHandle;
  /** Why the agent is destroying the container (reported on the tasks it fails). */
  pendingFailure?: { reason: TaskReason; message: string };
  /** Recovered after an agent restart and not yet re-subscribed. */
  recovered?: boolean;
  /** Sandbox garbage-collected (no longer served by /files). */
  sandboxRemoved?: boolean;
}

/** The resources of an executor's container: its own plus its active tasks'. */
export function containerResources(executor: ExecutorRecord): Resource[] {
  const out: Resource[] = [...(executor.kind === "custom" ? (executor.info.resources ?? []) : [])];
  for (const task of executor.tasks.values()) out.push(...(task.info.resources ?? []));
  return out;
}

export interface FrameworkRecord {
  id: string;
  info: FrameworkInfo & { id: Id };
  /** The framework was shut down: its updates are no longer delivered. */
  terminating: boolean;
  executors: Map<string, ExecutorRecord>;
  completedExecutors: ExecutorRecord[];
}

export const checkpoints = (f: FrameworkRecord) => f.info.checkpoint === true;

export const hasCapability = (f: FrameworkRecord, type: string) =>
  (f.info.capabilities ?? []).some((c) => c.type === type);

function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

export class AgentState {
  readonly frameworks = new Map<string, FrameworkRecord>();
  readonly completedFrameworks: FrameworkRecord[] = [];
  private readonly byContainer = new Map<string, ExecutorRecord>();

  /** Adds or refreshes a framework from the info the master sent. */
  upsertFramework(info: FrameworkInfo & { id: Id }): FrameworkRecord {
    let framework = this.frameworks.get(info.id.value);
    if (framework === undefined) {
      framework = { id: info.id.value, info, terminating: false, executors: new Map(), completedExecutors: [] };
      this.frameworks.set(framework.id, framework);
    } else {
      framework.info = info;
    }
    return framework;
  }

  addExecutor(executor: ExecutorRecord): void {
    this.frameworks.get(executor.frameworkId)!.executors.set(executor.executorId, executor);
    this.byContainer.set(executor.containerId, executor);
  }

  executorByContainer(containerId: string): ExecutorRecord | undefined {
    return this.byContainer.get(containerId);
  }

  findTask(frameworkId: string, taskId: string): TaskRecord | undefined {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) return undefined;
    for (const executor of framework.executors.values()) {
      const task = executor.tasks.get(taskId);
      if (task !== undefined) return task;
    }
    return undefined;
  }

  /** An executor run, active or completed, by container id or `latest` (the newest run). */
  findRun(frameworkId: string, executorId: string, run: string): ExecutorRecord | undefined {
    const frameworks = [this.frameworks.get(frameworkId), ...this.completedFrameworks.filter((f) => f.id === frameworkId).reverse()];
    const runs: ExecutorRecord[] = [];
    for (const f of frameworks) {
      if (f === undefined) continue;
      const active = f.executors.get(executorId);
      if (active !== undefined) runs.push(active);
      for (let i = f.completedExecutors.length - 1; i >= 0; i--) if (f.completedExecutors[i]!.executorId === executorId) runs.push(f.completedExecutors[i]!);
    }
    return run === "latest" ? runs[0] : runs.find((e) => e.containerId === run);
  }

  /** Every executor run the agent remembers, active first. */
  *allExecutors(): Iterable<ExecutorRecord> {
    for (const f of this.frameworks.values()) yield* f.executors.values();
    for (const f of this.frameworks.values()) yield* f.completedExecutors;
    for (const f of this.completedFrameworks) yield* f.completedExecutors;
  }

  executorOf(task: TaskRecord): ExecutorRecord | undefined {
    return this.frameworks.get(task.frameworkId)?.executors.get(task.executorId);
  }

  /** Moves an active task to its executor's completed list. */
  completeTask(task: TaskRecord): void {
    const executor = this.executorOf(task);
    if (executor === undefined || !executor.tasks.delete(task.info.task_id.value)) return;
    task.killTimer?.cancel();
    pushBounded(executor.completedTasks, task, MAX_COMPLETED_TASKS_PER_EXECUTOR);
  }

  /** Terminated, no active task, and not retired yet. */
  isExecutorComplete(executor: ExecutorRecord): boolean {
    const current = this.frameworks.get(executor.frameworkId)?.executors.get(executor.executorId);
    return current === executor && executor.phase === "terminated" && executor.tasks.size === 0;
  }

  /** Retires a complete executor (and its framework once empty). Returns the retired framework, if any. */
  retireExecutor(executor: ExecutorRecord): FrameworkRecord | undefined {
    const framework = this.frameworks.get(executor.frameworkId);
    this.byContainer.delete(executor.containerId);
    if (framework === undefined || framework.executors.get(executor.executorId) !== executor) return undefined;
    framework.executors.delete(executor.executorId);
    pushBounded(framework.completedExecutors, executor, MAX_COMPLETED_EXECUTORS_PER_FRAMEWORK);
    if (framework.executors.size > 0) return undefined;
    this.frameworks.delete(framework.id);
    pushBounded(this.completedFrameworks, framework, MAX_COMPLETED_FRAMEWORKS);
    return framework;
  }

  *activeTasks(): Iterable<TaskRecord> {
    for (const framework of this.frameworks.values()) {
      for (const executor of framework.executors.values()) yield* executor.tasks.values();
    }
  }

  get activeTaskCount(): number {
    let n = 0;
    for (const framework of this.frameworks.values()) for (const e of framework.executors.values()) n += e.tasks.size;
    return n;
  }

  /**
   * The REREGISTER_AGENT payload. Command executors are left out of `executors` (the master
   * does not track them, as in Mesos); custom executors are listed.
   */
  reregistrationPayload(head: (frameworkId: string, taskId: string) => TaskStatus | undefined): {
    frameworks: FrameworkInfo[];
    executors: ExecutorInfo[];
    tasks: AgentTask[];
  } {
    const frameworks: FrameworkInfo[] = [];
    const tasks: AgentTask[] = [];
    const executors: ExecutorInfo[] = [];
    for (const framework of this.frameworks.values()) {
      if (framework.terminating) continue;
      frameworks.push(framework.info);
      for (const executor of framework.executors.values()) {
        if (executor.kind === "custom" && executor.phase !== "terminated") executors.push({ ...executor.info, framework_id: { value: framework.id } });
        for (const task of executor.tasks.values()) {
          const pending = head(framework.id, task.info.task_id.value);
          tasks.push({
            framework_id: { value: framework.id },
            executor_id: { value: executor.executorId },
            task: task.info,
            state: task.state,
            statuses: task.statuses,
            ...(pending !== undefined ? { status_update_state: pending.state, status_update_uuid: pending.uuid } : {}),
          });
        }
      }
    }
    return { frameworks, executors, tasks };
  }
}
