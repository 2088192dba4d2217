// Command tasks: launch, kill, and the terminal update when their container ends. This plays
// Mesos's command executor (TASK_STARTING → TASK_RUNNING → terminal, graceful kill) without a
// process of its own: the containerizer's wrapper supervises each task.
//
// Update order per task is guaranteed: a termination that races the launch is held in
// `executor.pendingTermination` until TASK_RUNNING has been queued.
import { randomUUID } from "node:crypto";
import type { ExecutorInfo, FrameworkInfo, Id, KillPolicy, TaskInfo } from "../protocol/mesos";
import { isTerminalState } from "../protocol/mesos";
import type { Clock } from "./clock";
import { CommandError, commandArgv, taskEnvironment } from "./command";
import type { Containerizer, Termination } from "./containerizer/types";
import type { Logger } from "./log";
import type { MetaStore } from "./meta";
import { taskUpdatesPath, type RunRef } from "./paths";
import type { ResolvedOptions } from "./options";
import { AgentState, checkpoints, hasCapability, type ExecutorRecord, type FrameworkRecord, type TaskRecord } from "./state";
import { makeStatusUpdate, terminalOutcome, type StatusFields } from "./status";
import type { StatusUpdateManager } from "./status-update-manager";

/** Mesos's default kill grace period for command tasks (ms). */
export const DEFAULT_KILL_GRACE_MS = 3000;

const nanosToMs = (n: number) => Math.max(0, Math.floor(n / 1e6));

export interface TaskRunnerDeps {
  state: AgentState;
  containerizer: Containerizer;
  sum: StatusUpdateManager;
  meta: MetaStore;
  clock: Clock;
  log: Logger;
  options: ResolvedOptions;
  agentId(): string;
  /** ip:port of the agent's HTTP server. */
  endpoint(): string;
}

type UpdateFields = Omit<StatusFields, "frameworkId" | "agentId" | "taskId" | "executorId">;

export class TaskRunner {
  constructor(private readonly d: TaskRunnerDeps) {
    d.containerizer.onTermination((containerId, termination) => this.onTermination(containerId, termination));
  }

  /** Command-executor info Mesos synthesises for a command task (executor id = task id). */
  static commandExecutorInfo(task: TaskInfo, frameworkId: string): ExecutorInfo {
    const command = task.command?.value ?? "";
    return {
      executor_id: { value: task.task_id.value },
      framework_id: { value: frameworkId },
      name: `Command Executor (Task: ${task.task_id.value}) (Command: sh -c '${command.slice(0, 60)}${command.length > 60 ? "..." : ""}')`,
      source: task.task_id.value,
      command: task.command,
      resources: [],
    };
  }

  /**
   * Launches a command task. The task is in the model when this returns its promise (so a
   * KILL_TASK right behind the RUN_TASK finds it); disk work waits for `ready` (the agent id
   * checkpoint).
   */
  async runTask(frameworkInfo: FrameworkInfo, task: TaskInfo, ready: Promise<void> = Promise.resolve()): Promise<void> {
    const taskId = task.task_id.value;
    if (frameworkInfo.id === undefined) {
      this.d.log.warn(`Ignoring task ${taskId}: RUN_TASK without a framework id`);
      return;
    }
    const framework = this.d.state.upsertFramework(frameworkInfo as FrameworkInfo & { id: Id });
    if (framework.terminating) {
      this.d.log.warn(`Ignoring task ${taskId} of framework ${framework.id}: the framework is shutting down`);
      return;
    }
    if (framework.executors.has(taskId)) {
      this.d.log.warn(`Ignoring task ${taskId} of framework ${framework.id}: a task with that id is already on this agent`);
      return;
    }
    const executor: ExecutorRecord = {
      frameworkId: framework.id, executorId: taskId, info: TaskRunner.commandExecutorInfo(task, framework.id),
      containerId: randomUUID(), directory: "", runMetaDir: "", phase: "launching", tasks: new Map(), completedTasks: [],
    };
    const record: TaskRecord = {
      info: task, frameworkId: framework.id, executorId: taskId, state: "TASK_STAGING", statuses: [], killRequested: false,
    };
    executor.tasks.set(taskId, record);
    this.d.state.addExecutor(executor);

    let argv: string[];
    await ready;
    const agentId = this.d.agentId();
    try {
      if (task.executor !== undefined) throw new CommandError("Custom executors (TaskInfo.executor) are not supported yet");
      if (task.command === undefined) throw new CommandError("Task has neither command nor executor");
      argv = commandArgv(task.command);
      const run = { agentId, frameworkId: framework.id, executorId: taskId, containerId: executor.containerId };
      await this.d.meta.checkpointFramework(agentId, framework.info);
      const prepared = await this.d.meta.prepareRun(run, executor.info, task, checkpoints(framework));
      executor.directory = prepared.sandbox;
      executor.runMetaDir = prepared.runMetaDir;
    } catch (err) {
      this.failLaunch(executor, record, (err as Error).message);
      return;
    }
    if (record.killRequested) {
      this.markTerminated(executor);
      this.update(record, { state: "TASK_KILLED", source: "SOURCE_AGENT", reason: "REASON_TASK_KILLED_DURING_LAUNCH", message: "Task killed before it was launched" });
      this.retireIfComplete(executor);
      return;
    }
    this.update(record, { state: "TASK_STARTING", source: "SOURCE_EXECUTOR" });
    try {
      const env = taskEnvironment({
        frameworkId: framework.id, executorId: taskId, agentId, sandbox: executor.directory, agentEndpoint: this.d.endpoint(),
        framework: framework.info, task, executorShutdownGraceMs: this.d.options.executorShutdownGracePeriodMs,
        recoveryTimeoutMs: this.d.options.recoveryTimeoutMs, base: process.env,
      });
      const { pid } = await this.d.containerizer.launch({
        containerId: executor.containerId, sandbox: executor.directory, runMetaDir: executor.runMetaDir, argv, env,
        resources: task.resources ?? [],
      });
      executor.pid = pid;
    } catch (err) {
      this.failLaunch(executor, record, (err as Error).message);
      return;
    }
    this.markRunning(executor, record);
  }

  /** The container runs: announce TASK_RUNNING (not for re-adopted ones) and apply what waited for it. */
  markRunning(executor: ExecutorRecord, record: TaskRecord, announce = true): void {
    executor.phase = "running";
    if (announce) {
      this.update(record, {
        state: "TASK_RUNNING", source: "SOURCE_EXECUTOR",
        containerStatus: { container_id: { value: executor.containerId }, executor_pid: executor.pid },
      });
    }
    const pending = executor.pendingTermination;
    executor.pendingTermination = undefined;
    if (pending !== undefined) this.onTerminated(executor, pending);
    else if (record.killRequested) void this.signalKill(executor, record, this.currentGraceMs(record));
  }

  /**
   * Kills a task: SIGTERM to its process group, SIGKILL when the grace period ends. Grace:
   * `policy` (KILL_TASK's), else the task's kill_policy, else 3 s. A repeated kill can only
   * shorten the grace.
   */
  killTask(record: TaskRecord, policy?: KillPolicy, maxGraceMs?: number): void {
    const executor = this.d.state.executorOf(record);
    if (executor === undefined || isTerminalState(record.state)) return;
    const nanos = policy?.grace_period?.nanoseconds ?? record.info.kill_policy?.grace_period?.nanoseconds;
    let graceMs = nanos !== undefined ? nanosToMs(nanos) : DEFAULT_KILL_GRACE_MS;
    if (maxGraceMs !== undefined) graceMs = Math.min(graceMs, maxGraceMs);
    const deadline = this.d.clock.now() + graceMs;
    if (record.killRequested) {
      if (executor.phase === "running" && record.killDeadline !== undefined && deadline < record.killDeadline) this.armEscalation(executor, record, graceMs);
      return;
    }
    record.killRequested = true;
    record.killDeadline = deadline;
    if (executor.phase !== "running") return; // launch path picks the kill up
    if (hasCapability(this.frameworkOf(record), "TASK_KILLING_STATE")) this.update(record, { state: "TASK_KILLING", source: "SOURCE_EXECUTOR" });
    void this.signalKill(executor, record, graceMs);
  }

  /** Kills every task of the agent (or of one framework); resolves when their containers ended. */
  async killAll(frameworkId?: string, maxGraceMs = this.d.options.executorShutdownGracePeriodMs): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const framework of this.d.state.frameworks.values()) {
      if (frameworkId !== undefined && framework.id !== frameworkId) continue;
      for (const executor of framework.executors.values()) {
        if (executor.phase === "terminated") continue;
        waits.push(this.waitTerminated(executor));
        for (const task of executor.tasks.values()) this.killTask(task, undefined, maxGraceMs);
      }
    }
    await Promise.all(waits);
  }

  /** Queues a status update for a task (through the status update manager unless the framework is gone). */
  update(record: TaskRecord, fields: UpdateFields): void {
    const framework = this.frameworkOf(record);
    const update = makeStatusUpdate(
      { ...fields, frameworkId: record.frameworkId, agentId: this.d.agentId(), taskId: record.info.task_id.value, executorId: record.executorId },
      this.d.clock.now(),
    );
    record.state = fields.state;
    record.statuses.push(update.status);
    this.d.log.info(`Task ${record.info.task_id.value} of framework ${record.frameworkId} is ${fields.state}${fields.message ? `: ${fields.message}` : ""}`);
    if (framework.terminating) {
      if (isTerminalState(fields.state)) this.complete(record);
      return;
    }
    const executor = this.d.state.executorOf(record);
    const run = executor && { agentId: this.d.agentId(), frameworkId: record.frameworkId, executorId: record.executorId, containerId: executor.containerId };
    const journalFile = checkpoints(framework) && run && executor.runMetaDir !== "" ? this.updatesFile(run, record) : undefined;
    void this.d.sum.update(update, { journalFile });
  }

  /** The terminal update of `record` was acknowledged (or its framework is gone). */
  complete(record: TaskRecord): void {
    const executor = this.d.state.executorOf(record);
    this.d.state.completeTask(record);
    if (executor !== undefined) this.retireIfComplete(executor);
  }

  onTermination(containerId: string, termination: Termination): void {
    const executor = this.d.state.executorByContainer(containerId);
    if (executor === undefined) return;
    if (executor.phase === "launching") executor.pendingTermination = termination;
    else this.onTerminated(executor, termination);
  }

  private onTerminated(executor: ExecutorRecord, termination: Termination): void {
    this.markTerminated(executor);
    for (const record of executor.tasks.values()) {
      record.killTimer?.cancel();
      if (isTerminalState(record.state)) continue;
      this.update(record, terminalOutcome(termination, record.killRequested));
    }
    this.retireIfComplete(executor);
  }

  private failLaunch(executor: ExecutorRecord, record: TaskRecord, message: string): void {
    this.markTerminated(executor);
    this.d.log.warn(`Failed to launch task ${record.info.task_id.value}: ${message}`);
    this.update(record, { state: "TASK_FAILED", source: "SOURCE_AGENT", reason: "REASON_CONTAINER_LAUNCH_FAILED", message });
    this.retireIfComplete(executor);
  }

  /** Retires the executor (and drops its checkpoints) once its container ended and its tasks completed. */
  retireIfComplete(executor: ExecutorRecord): void {
    if (!this.d.state.isExecutorComplete(executor)) return;
    const agentId = this.d.agentId();
    const retired = this.d.state.retireExecutor(executor);
    const cleanup = retired !== undefined
      ? this.d.meta.removeFrameworkMeta(agentId, retired.id)
      : this.d.meta.removeExecutorMeta(agentId, executor.frameworkId, executor.executorId);
    void cleanup.catch((err: Error) => this.d.log.warn(`Failed to remove checkpoints of executor ${executor.executorId}: ${err.message}`));
  }

  private async signalKill(executor: ExecutorRecord, record: TaskRecord, graceMs: number): Promise<void> {
    this.armEscalation(executor, record, graceMs);
    await this.d.meta.markKillRequested(executor.runMetaDir).catch(() => {});
    if (executor.phase !== "running") return;
    this.d.log.info(`Killing task ${record.info.task_id.value} (SIGTERM, SIGKILL in ${graceMs} ms)`);
    await this.d.containerizer.signal(executor.containerId, "SIGTERM");
  }

  private armEscalation(executor: ExecutorRecord, record: TaskRecord, graceMs: number): void {
    record.killTimer?.cancel();
    record.killDeadline = this.d.clock.now() + graceMs;
    record.killTimer = this.d.clock.setTimeout(() => {
      if (executor.phase === "running") void this.d.containerizer.signal(executor.containerId, "SIGKILL");
    }, graceMs);
  }

  private currentGraceMs(record: TaskRecord): number {
    return Math.max(0, (record.killDeadline ?? this.d.clock.now()) - this.d.clock.now());
  }

  private readonly terminationWaiters = new Map<ExecutorRecord, (() => void)[]>();

  private waitTerminated(executor: ExecutorRecord): Promise<void> {
    if (executor.phase === "terminated") return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.terminationWaiters.get(executor) ?? [];
      list.push(resolve);
      this.terminationWaiters.set(executor, list);
    });
  }

  private markTerminated(executor: ExecutorRecord): void {
    executor.phase = "terminated";
    for (const resolve of this.terminationWaiters.get(executor) ?? []) resolve();
    this.terminationWaiters.delete(executor);
  }

  private frameworkOf(record: TaskRecord): FrameworkRecord {
    return this.d.state.frameworks.get(record.frameworkId)!;
  }

  private updatesFile(run: RunRef, record: TaskRecord): string {
    return taskUpdatesPath(this.d.meta.workDir, run, record.info.task_id.value);
  }
}
