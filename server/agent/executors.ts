// Custom executors (TaskInfo.executor) over the v1 executor API (agent-executor.md §1–2, §5).
// The HTTP side is executor-api.ts; this is the agent's bookkeeping:
//
//   RUN_TASK ─► new executor: sandbox + container (ExecutorInfo.command, MESOS_* env)
//               connection: launching ─► registering (--executor_registration_timeout)
//            ─► known executor: task queued, or LAUNCH at once if subscribed
//   SUBSCRIBE ─► SUBSCRIBED, queued tasks LAUNCHed, replayed updates re-processed
//   UPDATE ─► status update manager (journalled) ─► ACKNOWLEDGED to the executor
//   KILL_TASK ─► queued: TASK_KILLED (REASON_TASK_KILLED_DURING_LAUNCH); else KILL event
//   shutdown ─► SHUTDOWN event, container destroyed after the shutdown grace period
//   container ends ─► EXITED_EXECUTOR to the master; tasks not terminal: TASK_FAILED
//               (REASON_EXECUTOR_TERMINATED, the limitation's reason, or the timeout's)
// After an agent restart a live executor is "disconnected" until it re-subscribes within
// --executor_reregistration_timeout, else it is destroyed (REASON_EXECUTOR_REREGISTRATION_TIMEOUT).
import { EXECUTOR_TOKEN_ENV, issueExecutorToken } from "../security/executor-tokens";
import { randomUUID } from "node:crypto";
import type { Volumes } from "./volumes";
import type { AgentToMaster, StatusUpdateMessage } from "../protocol/internal";
import type { ExecutorCall, ExecutorEvent } from "../protocol/executor";
import { isTerminalState, type AgentInfo, type ExecutorInfo, type KillPolicy, type TaskInfo, type TaskStatus } from "../protocol/mesos";
import { formatDuration } from "../cli/flags";
import type { Clock } from "./clock";
import { CommandError, commandArgv, taskEnvironment } from "./command";
import type { Containerizer, Termination } from "./containerizer/types";
import type { Logger } from "./log";
import type { MetaStore } from "./meta";
import type { ResolvedOptions } from "./options";
import { containerResources, type AgentState, type ExecutorRecord, type ExecutorSubscriber, type FrameworkRecord, type TaskRecord } from "./state";
import type { TaskRunner } from "./tasks";
import { defaultExecutorArgv } from "./default-executor/launch";

export interface CustomExecutorsDeps {
  state: AgentState;
  runner: TaskRunner;
  containerizer: Containerizer;
  meta: MetaStore;
  clock: Clock;
  log: Logger;
  options: ResolvedOptions;
  agentId(): string;
  endpoint(): string;
  agentInfo(): AgentInfo;
  sendToMaster(message: AgentToMaster): void;
  volumes?: Volumes;
}

/** waitpid-style status for EXITED_EXECUTOR (exit code << 8, or the signal number). */
function waitStatus(t: Termination): number {
  if (t.kind === "exited") return t.code << 8;
  if (t.kind === "signaled") return t.signo;
  return 9;
}

export class CustomExecutors {
  constructor(private readonly d: CustomExecutorsDeps) {}

  /**
   * RUN_TASK of a task with TaskInfo.executor (one task), or RUN_TASK_GROUP (`group`: the tasks
   * are delivered together in one LAUNCH_GROUP event). Every task carries `executor`.
   */
  async runTasks(framework: FrameworkRecord, executorInfo: ExecutorInfo, tasks: TaskInfo[], ready: Promise<void>, group: boolean): Promise<void> {
    const info: ExecutorInfo = { ...executorInfo, framework_id: { value: framework.id } };
    const executorId = info.executor_id.value;
    const groupKey = group ? randomUUID() : undefined;
    const records: TaskRecord[] = tasks.map((task) => ({
      info: task, frameworkId: framework.id, executorId, state: "TASK_STAGING", statuses: [], killRequested: false, queued: true,
      ...(groupKey !== undefined ? { group: groupKey } : {}),
    }));
    const existing = framework.executors.get(executorId);
    if (existing !== undefined && existing.phase !== "terminated") {
      if (existing.kind !== "custom" || existing.connection === "terminating") {
        for (const record of records) {
          this.d.runner.update(record, { state: "TASK_FAILED", source: "SOURCE_AGENT", reason: "REASON_EXECUTOR_TERMINATED", message: `Executor ${executorId} is ${existing.kind !== "custom" ? "a command executor" : "terminating"}` });
        }
        return;
      }
      for (const record of records) existing.tasks.set(record.info.task_id.value, record);
      await ready;
      // In the launch slicer's order: the executor's own launch (which journals its run) went first.
      await this.d.runner.slicer.run(() => {
        if (existing.runMetaDir === "") return; // the executor failed meanwhile
        const live = records.filter((r) => !isTerminalState(r.state));
        for (const record of live) {
          try {
            this.d.meta.checkpointTask(this.runRef(existing), record.info);
          } catch (err) {
            this.d.log.warn(`Failed to checkpoint task ${record.info.task_id.value}: ${(err as Error).message}`);
          }
        }
        this.d.containerizer.update(existing.containerId, containerResources(existing));
        if (existing.connection === "subscribed" && live.length > 0) this.deliver(existing, live[0]!);
      });
      return;
    }
    const executor: ExecutorRecord = {
      frameworkId: framework.id, executorId, kind: "custom", info, containerId: randomUUID(), directory: "", runMetaDir: "",
      phase: "launching", tasks: new Map(records.map((r) => [r.info.task_id.value, r])), completedTasks: [], connection: "launching",
    };
    this.d.state.addExecutor(executor);
    await ready;
    const launched = await this.d.runner.slicer.run((): { launch: Promise<{ pid: number }> } | undefined => {
      let argv: string[];
      try {
        if (info.type === "DEFAULT") argv = defaultExecutorArgv();
        else if (info.command === undefined) throw new CommandError("ExecutorInfo has no command");
        else argv = commandArgv(info.command);
        this.d.meta.checkpointFramework(framework.info);
        const prepared = this.d.meta.prepareRun(this.runRef(executor), info, tasks[0]);
        for (const task of tasks.slice(1)) this.d.meta.checkpointTask(this.runRef(executor), task);
        executor.directory = prepared.sandbox;
        executor.runMetaDir = prepared.runMetaDir;
        // Volumes of the executor and of the tasks it starts with (a task group: all of them;
        // later tasks' new volumes are not attached).
        this.d.volumes?.attach(prepared.sandbox, [...(info.resources ?? []), ...tasks.flatMap((t) => t.resources ?? [])], tasks[0]!.task_id.value);
      } catch (err) {
        this.failTasks(executor, { reason: "REASON_CONTAINER_LAUNCH_FAILED", message: `Failed to launch executor: ${(err as Error).message}` });
        return undefined;
      }
      const launch = this.d.containerizer.launch({
        containerId: executor.containerId, sandbox: executor.directory, runMetaDir: executor.runMetaDir, argv,
        env: this.environment(framework, executor), resources: containerResources(executor),
      });
      return { launch };
    });
    if (launched === undefined) return;
    try {
      executor.pid = (await launched.launch).pid;
    } catch (err) {
      this.failTasks(executor, { reason: "REASON_CONTAINER_LAUNCH_FAILED", message: (err as Error).message });
      return;
    }
    this.d.log.info(`Launched executor ${executorId} of framework ${framework.id} (container ${executor.containerId}, pid ${executor.pid})`);
    const pending = executor.pendingTermination;
    executor.pendingTermination = undefined;
    executor.phase = "running";
    if (pending !== undefined) {
      this.d.runner.onTermination(executor.containerId, pending);
      return;
    }
    executor.connection = "registering";
    this.arm(executor, this.d.options.executorRegistrationTimeoutMs, () => {
      if (executor.connection !== "registering") return;
      this.destroy(executor, { reason: "REASON_EXECUTOR_REGISTRATION_TIMEOUT", message: `Executor did not register within ${formatDuration(this.d.options.executorRegistrationTimeoutMs)}` });
    });
  }

  /** The environment of an executor (agent-executor.md §2). */
  environment(framework: FrameworkRecord, executor: ExecutorRecord): Record<string, string> {
    const nanos = executor.info.shutdown_grace_period?.nanoseconds;
    const env = taskEnvironment({
      frameworkId: framework.id, executorId: executor.executorId, agentId: this.d.agentId(), sandbox: executor.directory,
      agentEndpoint: this.d.endpoint(), framework: framework.info, command: executor.info.command,
      executorShutdownGraceMs: nanos !== undefined ? Math.floor(nanos / 1e6) : this.d.options.executorShutdownGracePeriodMs,
      recoveryTimeoutMs: this.d.options.recoveryTimeoutMs, subscriptionBackoffMaxMs: this.d.options.executorReregistrationTimeoutMs,
      base: process.env,
    });
    // The executor's credential for the executor API (bound to framework, executor and container).
    const key = this.d.options.executorTokenKey;
    if (key) env[EXECUTOR_TOKEN_ENV] = issueExecutorToken(key, { frameworkId: framework.id, executorId: executor.executorId, containerId: executor.containerId });
    return env;
  }

  /** A SUBSCRIBE call (first registration or re-subscription after a disconnection/restart). */
  subscribe(executor: ExecutorRecord, call: NonNullable<ExecutorCall["subscribe"]>, subscriber: ExecutorSubscriber): void {
    const framework = this.d.state.frameworks.get(executor.frameworkId)!;
    const previous = executor.subscriber;
    executor.subscriber = subscriber;
    if (previous !== undefined && previous !== subscriber) previous.close();
    const reconnect = executor.recovered === true;
    executor.recovered = false;
    if (executor.connection !== "terminating") {
      executor.connection = "subscribed";
      executor.timer?.cancel();
    }
    this.d.log.info(`Executor ${executor.executorId} of framework ${framework.id} subscribed`);
    // After a restart: tasks never updated are re-delivered unless the executor says it has them.
    const unacknowledged = new Set((call.unacknowledged_tasks ?? []).map((t) => t.task_id.value));
    if (reconnect) for (const record of executor.tasks.values()) if (record.state === "TASK_STAGING") record.queued = !unacknowledged.has(record.info.task_id.value);
    // Tasks the executor has that the agent lost (launched just before a crash): track them again.
    for (const task of call.unacknowledged_tasks ?? []) {
      if (executor.tasks.has(task.task_id.value) || executor.completedTasks.some((t) => t.info.task_id.value === task.task_id.value)) continue;
      executor.tasks.set(task.task_id.value, { info: task, frameworkId: framework.id, executorId: executor.executorId, state: "TASK_STAGING", statuses: [], killRequested: false });
    }
    subscriber.send({
      type: "SUBSCRIBED",
      subscribed: {
        executor_info: executor.info, framework_info: framework.info, agent_info: this.d.agentInfo() as unknown as Record<string, unknown>,
        container_id: { value: executor.containerId },
      },
    });
    for (const update of call.unacknowledged_updates ?? []) this.update(executor, update.status);
    if (executor.connection === "terminating" || (reconnect && this.d.options.recover === "cleanup")) {
      subscriber.send({ type: "SHUTDOWN" });
      if (executor.connection !== "terminating") this.shutdown(executor);
      return;
    }
    for (const record of executor.tasks.values()) {
      if (record.queued) this.deliver(executor, record);
      else if (record.killRequested && !isTerminalState(record.state)) subscriber.send({ type: "KILL", kill: { task_id: record.info.task_id } });
    }
  }

  /** The executor's stream closed. */
  disconnected(executor: ExecutorRecord, subscriber: ExecutorSubscriber): void {
    if (executor.subscriber !== subscriber) return;
    executor.subscriber = undefined;
    if (executor.connection === "subscribed") executor.connection = "disconnected";
    this.d.log.warn(`Executor ${executor.executorId} of framework ${executor.frameworkId} disconnected`);
  }

  /** An UPDATE call (validated): journalled, forwarded, then ACKNOWLEDGED to the executor. */
  update(executor: ExecutorRecord, status: TaskStatus): void {
    const taskId = status.task_id.value;
    const full: TaskStatus = {
      ...status, source: "SOURCE_EXECUTOR", executor_id: { value: executor.executorId }, agent_id: { value: this.d.agentId() },
      timestamp: status.timestamp ?? this.d.clock.now() / 1000,
    };
    const message: StatusUpdateMessage = {
      framework_id: { value: executor.frameworkId }, executor_id: { value: executor.executorId }, agent_id: { value: this.d.agentId() }, status: full,
    };
    const record = executor.tasks.get(taskId);
    const duplicate = record?.statuses.some((s) => s.uuid === status.uuid) ?? false;
    if (record === undefined) this.d.log.warn(`Status update ${full.state} from executor ${executor.executorId} for unknown task ${taskId}`);
    if (record !== undefined && !duplicate && isTerminalState(record.state)) {
      this.d.log.warn(`Ignoring ${full.state} for task ${taskId}: it already ended ${record.state}`);
    } else if (!duplicate) {
      if (record !== undefined) record.queued = false;
      this.d.runner.forwardExecutorUpdate(record, message);
    }
    executor.subscriber?.send({ type: "ACKNOWLEDGED", acknowledged: { task_id: status.task_id, uuid: status.uuid! } });
  }

  /** A MESSAGE call: to the scheduler (unreliable). */
  message(executor: ExecutorRecord, data: string): void {
    this.d.sendToMaster({
      type: "EXECUTOR_TO_FRAMEWORK", agent_id: { value: this.d.agentId() }, framework_id: { value: executor.frameworkId },
      executor_id: { value: executor.executorId }, data,
    });
  }

  /** FRAMEWORK_TO_EXECUTOR from the master; dropped when the executor is not connected (unreliable). */
  frameworkMessage(executor: ExecutorRecord, data: string): void {
    if (executor.subscriber === undefined) {
      this.d.log.warn(`Dropping framework message for executor ${executor.executorId}: not subscribed`);
      return;
    }
    executor.subscriber.send({ type: "MESSAGE", message: { data } });
  }

  /** KILL_TASK of a task run by a custom executor. */
  killTask(executor: ExecutorRecord, record: TaskRecord, policy?: KillPolicy): void {
    if (isTerminalState(record.state)) return;
    record.killRequested = true;
    if (record.queued) {
      record.queued = false;
      this.d.runner.update(record, { state: "TASK_KILLED", source: "SOURCE_AGENT", reason: "REASON_TASK_KILLED_DURING_LAUNCH", message: "Task killed before it was delivered to the executor" });
      this.d.containerizer.update(executor.containerId, containerResources(executor));
      return;
    }
    // Not connected: the KILL is re-sent when the executor re-subscribes.
    executor.subscriber?.send({ type: "KILL", kill: { task_id: record.info.task_id, ...(policy ? { kill_policy: policy } : {}) } });
  }

  /** Asks the executor to shut down; its container is destroyed after the grace period. */
  shutdown(executor: ExecutorRecord, graceMs?: number): void {
    if (executor.phase === "terminated" || executor.connection === "terminating") return;
    const subscribed = executor.connection === "subscribed";
    executor.connection = "terminating";
    executor.timer?.cancel();
    for (const record of executor.tasks.values()) {
      if (!record.queued || isTerminalState(record.state)) continue;
      record.queued = false;
      this.d.runner.update(record, { state: "TASK_KILLED", source: "SOURCE_AGENT", reason: "REASON_TASK_KILLED_DURING_LAUNCH", message: "Executor shut down before the task was delivered" });
    }
    if (!subscribed) {
      this.destroy(executor);
      return;
    }
    executor.subscriber!.send({ type: "SHUTDOWN" });
    const nanos = executor.info.shutdown_grace_period?.nanoseconds;
    const grace = graceMs ?? (nanos !== undefined ? Math.floor(nanos / 1e6) : this.d.options.executorShutdownGracePeriodMs);
    this.arm(executor, grace, () => this.destroy(executor));
  }

  /** Kills the executor's container (SIGKILL, whole tree). `failure` says why, for its tasks. */
  destroy(executor: ExecutorRecord, failure?: ExecutorRecord["pendingFailure"]): void {
    if (failure !== undefined) executor.pendingFailure ??= failure;
    executor.connection = "terminating";
    executor.timer?.cancel();
    if (executor.phase !== "running") return;
    this.d.log.info(`Destroying container ${executor.containerId} of executor ${executor.executorId}${failure ? `: ${failure.message}` : ""}`);
    void this.d.containerizer.signal(executor.containerId, "SIGKILL");
  }

  /** After recovery: the executor's container lives; it has to re-subscribe in time. */
  recovered(executor: ExecutorRecord): void {
    executor.connection = "disconnected";
    executor.recovered = true;
    this.arm(executor, this.d.options.executorReregistrationTimeoutMs, () => {
      if (executor.connection === "subscribed") return;
      this.destroy(executor, { reason: "REASON_EXECUTOR_REREGISTRATION_TIMEOUT", message: `Executor did not re-register within ${formatDuration(this.d.options.executorReregistrationTimeoutMs)}` });
    });
  }

  /** The executor's container ended: tell the master, fail what its tasks did not finish. */
  onTerminated(executor: ExecutorRecord, termination: Termination): void {
    executor.timer?.cancel();
    executor.connection = "terminating";
    executor.subscriber?.close();
    executor.subscriber = undefined;
    const how = termination.kind === "exited" ? `exited with status ${termination.code}` : termination.kind === "signaled" ? `terminated with signal ${termination.signal}` : termination.message;
    this.d.log.info(`Executor ${executor.executorId} of framework ${executor.frameworkId} ${how}`);
    this.d.sendToMaster({
      type: "EXITED_EXECUTOR", agent_id: { value: this.d.agentId() }, framework_id: { value: executor.frameworkId },
      executor_id: { value: executor.executorId }, status: waitStatus(termination),
    });
    const failure = termination.limitation
      ? { reason: termination.limitation.reason, message: termination.limitation.message }
      : termination.kind === "launch_failed"
        ? { reason: "REASON_CONTAINER_LAUNCH_FAILED" as const, message: termination.message }
        : executor.pendingFailure ?? { reason: "REASON_EXECUTOR_TERMINATED" as const, message: `Executor terminated: ${how}` };
    this.failTasks(executor, failure, termination.limitation ? { resources: termination.limitation.resources } : undefined);
  }

  private failTasks(executor: ExecutorRecord, failure: NonNullable<ExecutorRecord["pendingFailure"]>, limitation?: { resources?: TaskInfo["resources"] }): void {
    this.d.runner.markTerminated(executor);
    for (const record of executor.tasks.values()) {
      if (isTerminalState(record.state)) continue;
      const killed = record.killRequested && failure.reason === "REASON_EXECUTOR_TERMINATED";
      this.d.runner.update(record, {
        state: killed ? "TASK_KILLED" : "TASK_FAILED", source: "SOURCE_AGENT", reason: failure.reason, message: failure.message,
        ...(limitation ? { limitation } : {}),
      });
    }
    this.d.runner.retireIfComplete(executor);
  }

  private deliver(executor: ExecutorRecord, record: TaskRecord): void {
    if (record.group === undefined) {
      record.queued = false;
      executor.subscriber!.send({ type: "LAUNCH", launch: { task: record.info } } satisfies ExecutorEvent);
      return;
    }
    // The whole group in one event; its TaskInfos without `executor` (as in a TaskGroupInfo).
    const members = [...executor.tasks.values()].filter((r) => r.group === record.group && r.queued === true);
    for (const member of members) member.queued = false;
    const tasks = members.map(({ info: { executor: _executor, ...task } }) => task);
    executor.subscriber!.send({ type: "LAUNCH_GROUP", launch_group: { task_group: { tasks } } } satisfies ExecutorEvent);
  }

  private arm(executor: ExecutorRecord, ms: number, fn: () => void): void {
    executor.timer?.cancel();
    executor.timer = this.d.clock.setTimeout(fn, ms);
  }

  private runRef(executor: ExecutorRecord) {
    return { agentId: this.d.agentId(), frameworkId: executor.frameworkId, executorId: executor.executorId, containerId: executor.containerId };
  }
}
