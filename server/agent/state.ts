// The agent's in-memory model: frameworks → executors (one container run each) → tasks.
// What was asked (killRequested) is kept apart from what was observed (state, container).
//
// Task life on the agent:  active (in executor.tasks; terminal but unacknowledged tasks stay
// here) ──terminal update acknowledged──► executor.completedTasks.
// An executor is complete when its container has terminated and it has no active task; a
// framework is complete when it has no executor left.
import type { AgentTask } from "../protocol/internal";
import type { ExecutorInfo, FrameworkInfo, Id, TaskInfo, TaskState, TaskStatus } from "../protocol/mesos";
import type { TimerHandle } from "./clock";
import type { Termination } from "./containerizer/types";

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
}

export type ContainerPhase = "launching" | "running" | "terminated";

export interface ExecutorRecord {
  frameworkId: string;
  executorId: string;
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
   * does not track them, as in Mesos).
   */
  reregistrationPayload(head: (frameworkId: string, taskId: string) => TaskStatus | undefined): {
    frameworks: FrameworkInfo[];
    executors: ExecutorInfo[];
    tasks: AgentTask[];
  } {
    const frameworks: FrameworkInfo[] = [];
    const tasks: AgentTask[] = [];
    for (const framework of this.frameworks.values()) {
      if (framework.terminating) continue;
      frameworks.push(framework.info);
      for (const executor of framework.executors.values()) {
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
    return { frameworks, executors: [], tasks };
  }
}
