// Tasks on the agent: launch, kill, health checks, and the terminal update when their container
// ends. Command tasks play Mesos's command executor (TASK_STARTING → TASK_RUNNING → terminal,
// graceful kill, health checks) without a process of their own: the containerizer's wrapper
// supervises each. Tasks with TaskInfo.executor go to their custom executor (executors.ts).
//
// Update order per task is guaranteed: a termination that races the launch is held in
// `executor.pendingTermination` until TASK_RUNNING has been queued.
import { randomUUID } from "node:crypto";
import type { StatusUpdateMessage } from "../protocol/internal";
import type { AgentInfo, ExecutorInfo, FrameworkInfo, Id, KillPolicy, TaskInfo } from "../protocol/mesos";
import { isTerminalState } from "../protocol/mesos";
import type { AgentToMaster } from "../protocol/internal";
import type { Clock } from "./clock";
import { CommandError, commandArgv, taskEnvironment } from "./command";
import type { Containerizer, Termination } from "./containerizer/types";
import { CustomExecutors } from "./executors";
import { HealthChecker, healthCheckConfig, type HealthCheckConfig } from "./health";
import type { Logger } from "./log";
import type { MetaStore } from "./meta";
import type { ResolvedOptions } from "./options";
import { AgentState, checkpoints, containerResources, hasCapability, type ExecutorRecord, type FrameworkRecord, type TaskRecord } from "./state";
import { makeStatusUpdate, terminalOutcome, type StatusFields } from "./status";
import { Slicer } from "./slicer";
import type { Volumes } from "./volumes";
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
  agentInfo(): AgentInfo;
  sendToMaster(message: AgentToMaster): void;
  /** Persistent volumes: attached to sandboxes at launch, detached when the container ends. */
  volumes?: Volumes;
}

type UpdateFields = Omit<StatusFields, "frameworkId" | "agentId" | "taskId" | "executorId">;

export class TaskRunner {
  readonly custom: CustomExecutors;
  /** Paces the synchronous part of launches (see slicer.ts). */
  readonly slicer = new Slicer();
  /** Called when an executor retires (its sandbox becomes eligible for garbage collection). */
  onRetired?: (executor: ExecutorRecord) => void;
  private readonly terminationWaiters = new Map<ExecutorRecord, (() => void)[]>();

  constructor(private readonly d: TaskRunnerDeps) {
    d.containerizer.onTermination((containerId, termination) => this.onTermination(containerId, termination));
    this.custom = new CustomExecutors({ ...d, runner: this });
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
   * Launches a task. The task is in the model when this returns its promise (so a KILL_TASK
   * right behind the RUN_TASK finds it); disk work waits for `ready` (the agent id checkpoint).
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
    if (this.d.state.findTask(framework.id, taskId) !== undefined || (task.executor === undefined && framework.executors.has(taskId))) {
      this.d.log.warn(`Ignoring task ${taskId} of framework ${framework.id}: a task with that id is already on this agent`);
      return;
    }
    if (task.executor !== undefined) return this.custom.runTasks(framework, task.executor, [task], ready, false);

    const executor: ExecutorRecord = {
      frameworkId: framework.id, executorId: taskId, kind: "command", info: TaskRunner.commandExecutorInfo(task, framework.id),
      containerId: randomUUID(), directory: "", runMetaDir: "", phase: "launching", tasks: new Map(), completedTasks: [],
    };
    const record: TaskRecord = {
      info: task, frameworkId: framework.id, executorId: taskId, state: "TASK_STAGING", statuses: [], killRequested: false,
    };
    executor.tasks.set(taskId, record);
    this.d.state.addExecutor(executor);

    await ready;
    // The synchronous part (checkpoints, sandbox, cgroups, launch script, wrapper start) runs in
    // its turn of the launch slicer; the launch then resolves when the task's process exists.
    // (The launch promise is wrapped: a promise resolving to a promise would adopt it.)
    const launched = await this.slicer.run((): { launch: Promise<{ pid: number }> } | "failed" | "killed" => {
      const agentId = this.d.agentId();
      let argv: string[];
      try {
        if (task.command === undefined) throw new CommandError("Task has neither command nor executor");
        argv = commandArgv(task.command);
        if (task.health_check !== undefined) {
          const health = healthCheckConfig(task.health_check);
          if (typeof health === "string") throw new CommandError(`Invalid health check: ${health}`);
        }
        const run = { agentId, frameworkId: framework.id, executorId: taskId, containerId: executor.containerId };
        this.d.meta.checkpointFramework(framework.info);
        const prepared = this.d.meta.prepareRun(run, executor.info, task);
        executor.directory = prepared.sandbox;
        executor.runMetaDir = prepared.runMetaDir;
        this.d.volumes?.attach(prepared.sandbox, task.resources, taskId);
      } catch (err) {
        this.failLaunch(executor, record, (err as Error).message);
        return "failed";
      }
      if (record.killRequested) {
        this.markTerminated(executor);
        this.update(record, { state: "TASK_KILLED", source: "SOURCE_AGENT", reason: "REASON_TASK_KILLED_DURING_LAUNCH", message: "Task killed before it was launched" });
        this.retireIfComplete(executor);
        return "killed";
      }
      this.update(record, { state: "TASK_STARTING", source: "SOURCE_EXECUTOR" });
      const launch = this.d.containerizer.launch({
        containerId: executor.containerId, sandbox: executor.directory, runMetaDir: executor.runMetaDir, argv,
        env: this.environment(framework, record), resources: task.resources ?? [],
      });
      return { launch };
    });
    if (launched === "failed" || launched === "killed") return;
    try {
      executor.pid = (await launched.launch).pid;
    } catch (err) {
      this.failLaunch(executor, record, (err as Error).message);
      return;
    }
    this.markRunning(executor, record);
  }

  /** LAUNCH_GROUP: the tasks go to `executorInfo` (default or custom) together, or none of them does. */
  async runTaskGroup(frameworkInfo: FrameworkInfo, executorInfo: ExecutorInfo, tasks: TaskInfo[], ready: Promise<void> = Promise.resolve()): Promise<void> {
    const ids = tasks.map((t) => t.task_id.value).join(", ");
    if (frameworkInfo.id === undefined) {
      this.d.log.warn(`Ignoring task group [${ids}]: RUN_TASK_GROUP without a framework id`);
      return;
    }
    const framework = this.d.state.upsertFramework(frameworkInfo as FrameworkInfo & { id: Id });
    if (framework.terminating) {
      this.d.log.warn(`Ignoring task group [${ids}] of framework ${framework.id}: the framework is shutting down`);
      return;
    }
    const duplicate = tasks.find((t) => this.d.state.findTask(framework.id, t.task_id.value) !== undefined);
    if (duplicate !== undefined || tasks.length === 0) {
      this.d.log.warn(`Ignoring task group [${ids}] of framework ${framework.id}: ${duplicate ? `task ${duplicate.task_id.value} is already on this agent` : "it is empty"}`);
      return;
    }
    const executor: ExecutorInfo = { ...executorInfo, framework_id: { value: framework.id } };
    // Each task keeps its executor in the agent's records and checkpoints (recovery knows it by that).
    return this.custom.runTasks(framework, executor, tasks.map((t) => ({ ...t, executor })), ready, true);
  }

  private environment(framework: FrameworkRecord, record: TaskRecord): Record<string, string> {
    const executor = this.d.state.executorOf(record)!;
    return taskEnvironment({
      frameworkId: framework.id, executorId: record.executorId, agentId: this.d.agentId(), sandbox: executor.directory,
      agentEndpoint: this.d.endpoint(), framework: framework.info, task: record.info,
      executorShutdownGraceMs: this.d.options.executorShutdownGracePeriodMs, recoveryTimeoutMs: this.d.options.recoveryTimeoutMs,
      subscriptionBackoffMaxMs: this.d.options.executorReregistrationTimeoutMs, base: process.env,
    });
  }

  /**
   * The container runs: announce TASK_RUNNING (not for re-adopted ones), start health checks and
   * apply what waited for it. `startedAt`: when the task started (re-adopted: its first RUNNING).
   */
  markRunning(executor: ExecutorRecord, record: TaskRecord, announce = true, startedAt = this.d.clock.now()): void {
    executor.phase = "running";
    if (announce) {
      this.update(record, {
        state: "TASK_RUNNING", source: "SOURCE_EXECUTOR",
        containerStatus: { container_id: { value: executor.containerId }, executor_pid: executor.pid },
      });
    }
    const pending = executor.pendingTermination;
    executor.pendingTermination = undefined;
    if (pending !== undefined) {
      this.onTerminated(executor, pending);
      return;
    }
    if (record.killRequested) void this.signalKill(executor, record, this.currentGraceMs(record));
    else if (record.info.health_check !== undefined) this.startHealthChecks(executor, record, startedAt);
  }

  private startHealthChecks(executor: ExecutorRecord, record: TaskRecord, startedAt: number): void {
    const config = healthCheckConfig(record.info.health_check!) as HealthCheckConfig;
    const framework = this.frameworkOf(record);
    record.health = new HealthChecker(
      {
        clock: this.d.clock,
        config,
        context: () => ({ env: this.environment(framework, record), cwd: executor.directory }),
        report: (healthy) => {
          if (record.state !== "TASK_RUNNING" || record.killRequested) return;
          this.d.log.info(`Task ${record.info.task_id.value} is ${healthy ? "healthy" : "unhealthy"}`);
          this.update(record, { state: "TASK_RUNNING", source: "SOURCE_EXECUTOR", healthy, reason: "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED" });
        },
        kill: () => {
          this.d.log.warn(`Killing task ${record.info.task_id.value}: it failed ${config.consecutiveFailures} consecutive health checks`);
          record.killedUnhealthy = true;
          this.killTask(record);
        },
      },
      startedAt,
    );
    record.health.start();
  }

  /**
   * Kills a task: SIGTERM to its process group, SIGKILL (to every process of its container)
   * when the grace period ends. Grace: `policy` (KILL_TASK's), else the task's kill_policy,
   * else 3 s. A repeated kill can only shorten the grace. Custom executors get a KILL event.
   */
  killTask(record: TaskRecord, policy?: KillPolicy, maxGraceMs?: number): void {
    const executor = this.d.state.executorOf(record);
    if (executor === undefined || isTerminalState(record.state)) return;
    if (executor.kind === "custom") {
      this.custom.killTask(executor, record, policy);
      return;
    }
    record.health?.stop();
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
        if (executor.kind === "custom") this.custom.shutdown(executor, maxGraceMs);
        else for (const task of executor.tasks.values()) this.killTask(task, undefined, maxGraceMs);
      }
    }
    await Promise.all(waits);
  }

  /** Queues an agent- or command-executor-generated status update for a task. */
  update(record: TaskRecord, fields: UpdateFields): void {
    const update = makeStatusUpdate(
      { ...fields, frameworkId: record.frameworkId, agentId: this.d.agentId(), taskId: record.info.task_id.value, executorId: record.executorId },
      this.d.clock.now(),
    );
    this.d.log.info(`Task ${record.info.task_id.value} of framework ${record.frameworkId} is ${fields.state}${fields.message ? `: ${fields.message.split("\n")[0]}` : ""}`);
    this.forwardExecutorUpdate(record, update);
  }

  /** Records an update (from a custom executor, or built by `update`) and hands it to the status update manager. */
  forwardExecutorUpdate(record: TaskRecord | undefined, update: StatusUpdateMessage): void {
    const framework = this.d.state.frameworks.get(update.framework_id.value);
    if (record !== undefined) {
      record.state = update.status.state;
      record.statuses.push(update.status);
      if (isTerminalState(update.status.state)) record.health?.stop();
    }
    if (framework === undefined || framework.terminating) {
      if (record !== undefined && isTerminalState(update.status.state)) this.complete(record);
      return;
    }
    this.d.sum.update(update, { checkpoint: checkpoints(framework) });
  }

  /** The terminal update of `record` was acknowledged (or its framework is gone). */
  complete(record: TaskRecord): void {
    const executor = this.d.state.executorOf(record);
    record.health?.stop();
    this.d.state.completeTask(record);
    if (executor === undefined) return;
    if (executor.kind === "custom" && executor.phase === "running") this.d.containerizer.update(executor.containerId, containerResources(executor));
    this.retireIfComplete(executor);
  }

  onTermination(containerId: string, termination: Termination): void {
    const executor = this.d.state.executorByContainer(containerId);
    if (executor === undefined) return;
    if (executor.phase === "launching") executor.pendingTermination = termination;
    else this.onTerminated(executor, termination);
  }

  private onTerminated(executor: ExecutorRecord, termination: Termination): void {
    for (const record of executor.tasks.values()) {
      record.killTimer?.cancel();
      record.health?.stop();
    }
    if (executor.kind === "custom") {
      this.custom.onTerminated(executor, termination);
      return;
    }
    this.markTerminated(executor);
    for (const record of executor.tasks.values()) {
      if (isTerminalState(record.state)) continue;
      this.update(record, terminalOutcome(termination, record.killRequested, record.killedUnhealthy === true));
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
    const retired = this.d.state.retireExecutor(executor);
    this.onRetired?.(executor);
    if (retired !== undefined) this.d.meta.forgetFramework(retired.id);
    if (executor.runMetaDir === "") return; // never checkpointed
    try {
      void this.d.meta.retireRun(executor.containerId).catch((err: Error) => this.d.log.warn(`Failed to remove the runtime dir of ${executor.containerId}: ${err.message}`));
    } catch (err) {
      this.d.log.warn(`Failed to checkpoint the end of container ${executor.containerId}: ${(err as Error).message}`);
    }
  }

  private async signalKill(executor: ExecutorRecord, record: TaskRecord, graceMs: number): Promise<void> {
    this.armEscalation(executor, record, graceMs);
    try {
      if (executor.runMetaDir !== "") this.d.meta.markKillRequested(executor.containerId);
    } catch {
      // best effort: only changes how a restarted agent names the end
    }
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

  private waitTerminated(executor: ExecutorRecord): Promise<void> {
    if (executor.phase === "terminated") return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.terminationWaiters.get(executor) ?? [];
      list.push(resolve);
      this.terminationWaiters.set(executor, list);
    });
  }

  /** The executor's container is gone (or never started). */
  markTerminated(executor: ExecutorRecord): void {
    executor.phase = "terminated";
    if (this.d.volumes !== undefined && executor.directory !== "") {
      void this.d.volumes.detach(executor.directory).catch((err: Error) => this.d.log.warn(`Failed to detach volumes of ${executor.containerId}: ${err.message}`));
    }
    for (const resolve of this.terminationWaiters.get(executor) ?? []) resolve();
    this.terminationWaiters.delete(executor);
  }

  private frameworkOf(record: TaskRecord): FrameworkRecord {
    return this.d.state.frameworks.get(record.frameworkId)!;
  }
}
