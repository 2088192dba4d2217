// Plateau's default executor (ExecutorInfo.type = DEFAULT, used with LAUNCH_GROUP), the
// counterpart of mesos-default-executor (agent-executor.md §7). A separate process started by
// the agent in the executor's container; it speaks the v1 executor API to the agent like any
// custom executor and runs each task of a group as a child process group ("nested container")
// with its own sandbox `containers/<id>` and the link `tasks/<task_id>` inside the executor's
// sandbox. Tasks share the executor container's resources (its cgroups).
//
// Group semantics as Mesos: a task that fails or is killed kills the rest of its group; a task
// that finishes leaves the others running. The executor exits once no task is live and every
// update was acknowledged by the agent (or after SHUTDOWN).
//
// The state machine is here, the process and HTTP plumbing is injected (`ExecutorIo`), so the
// behaviour is unit-tested without an agent.
import crypto from "node:crypto";
import { isTerminalState as isTerminal, type FrameworkInfo, type KillPolicy, type TaskInfo, type TaskState, type TaskStatus } from "../../protocol/mesos";
import type { ExecutorEvent } from "../../protocol/executor";
import { allocationRole, commandArgv } from "../command";

/** Default kill grace period of Mesos's built-in executors. */
export const DEFAULT_KILL_GRACE_MS = 3000;

export interface ChildHandle {
  pid: number;
  /** Signals the child's whole process group. */
  signal(signal: NodeJS.Signals): void;
}

export type ChildExit = { code: number | null; signal: NodeJS.Signals | null };

export interface ExecutorIo {
  /** Sends an executor call (UPDATE, MESSAGE) to the agent. Resolves with the HTTP status (0: not sent). */
  post(call: Record<string, unknown>): Promise<number>;
  /** Prepares `containers/<id>` and the `tasks/<task_id>` link; returns the task's sandbox. */
  prepareSandbox(taskId: string, containerId: string): string;
  /** Starts the task's process in its own process group. `onExit` runs once. */
  spawn(argv: string[], cwd: string, env: Record<string, string>, onExit: (exit: ChildExit) => void): ChildHandle;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
  exit(code: number): void;
  log(message: string): void;
}

interface LiveTask {
  info: TaskInfo;
  group: string;
  containerId: string;
  state: TaskState;
  child?: ChildHandle;
  /** Why the task is being killed: by request, or because a sibling failed. */
  killing?: { reason: "requested" | "group" | "shutdown" | "max_completion_time"; message: string };
  killTimer?: { cancel(): void };
  completionTimer?: { cancel(): void };
  /** No update of this task acknowledged yet (SUBSCRIBE's unacknowledged_tasks). */
  unacknowledged: boolean;
}

export class DefaultExecutor {
  private framework: FrameworkInfo | undefined;
  private containerId = "";
  private readonly tasks = new Map<string, LiveTask>();
  private readonly unacked = new Map<string, TaskStatus>();
  private shuttingDown = false;
  private exitTimer: { cancel(): void } | undefined;

  constructor(
    private readonly io: ExecutorIo,
    private readonly env: Record<string, string | undefined>,
    private readonly shutdownGraceMs: number,
  ) {}

  /** What SUBSCRIBE carries: tasks and updates the agent has not acknowledged. */
  subscribeCall(): Record<string, unknown> {
    return {
      type: "SUBSCRIBE",
      subscribe: {
        unacknowledged_tasks: [...this.tasks.values()].filter((t) => t.unacknowledged).map((t) => t.info),
        unacknowledged_updates: [...this.unacked.values()].map((status) => ({
          framework_id: { value: this.env.MESOS_FRAMEWORK_ID }, status,
        })),
      },
    };
  }

  onEvent(event: ExecutorEvent): void {
    switch (event.type) {
      case "SUBSCRIBED":
        this.framework = event.subscribed.framework_info;
        this.containerId = event.subscribed.container_id.value;
        this.io.log(`Subscribed to the agent (container ${this.containerId})`);
        return;
      case "LAUNCH":
        // The agent only sends LAUNCH_GROUP to a DEFAULT executor; a LAUNCH is refused, not lost.
        void this.update(event.launch.task, "TASK_FAILED", { message: "The default executor runs task groups only (LAUNCH_GROUP)" });
        return;
      case "LAUNCH_GROUP":
        this.launchGroup(event.launch_group.task_group.tasks);
        return;
      case "KILL": {
        const task = this.tasks.get(event.kill.task_id.value);
        if (task === undefined) {
          this.io.log(`Ignoring kill of unknown task ${event.kill.task_id.value}`);
          return;
        }
        // Killing one task kills its whole group.
        const message = `Task ${task.info.task_id.value} was killed`;
        for (const member of this.groupOf(task)) {
          // The call's kill_policy is for the task named; its siblings get their own.
          if (member === task) this.kill(member, { reason: "requested", message: "Killed on request" }, event.kill.kill_policy);
          else this.kill(member, { reason: "group", message });
        }
        return;
      }
      case "ACKNOWLEDGED": {
        this.unacked.delete(event.acknowledged.uuid);
        const task = this.tasks.get(event.acknowledged.task_id.value);
        if (task !== undefined) task.unacknowledged = false;
        this.maybeExit();
        return;
      }
      case "SHUTDOWN":
        this.shutdown();
        return;
      case "MESSAGE":
        this.io.log("Dropping a framework message: the default executor does not handle messages");
        return;
      case "ERROR":
        this.io.log(`Error from the agent: ${event.error.message}`);
        return;
      case "HEARTBEAT":
        return;
    }
  }

  /** The connection to the agent is gone for good (recovery timeout, or a non-checkpointing framework). */
  abandon(why: string): void {
    this.io.log(`Shutting down: ${why}`);
    this.shutdown();
  }

  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const live = [...this.tasks.values()].filter((t) => !isTerminal(t.state));
    // Leave the agent time to receive the terminal updates before its own grace period ends.
    const grace = Math.max(0, Math.min(DEFAULT_KILL_GRACE_MS, this.shutdownGraceMs - 1000));
    for (const task of live) this.kill(task, { reason: "shutdown", message: "The executor was shut down" }, { grace_period: { nanoseconds: grace * 1e6 } });
    this.io.setTimeout(() => this.io.exit(0), this.shutdownGraceMs);
    this.maybeExit();
  }

  private launchGroup(infos: TaskInfo[]): void {
    const group = crypto.randomUUID();
    const members: LiveTask[] = [];
    for (const info of infos) {
      if (this.tasks.has(info.task_id.value)) {
        this.io.log(`Ignoring duplicate task ${info.task_id.value}`);
        continue;
      }
      const task: LiveTask = { info, group, containerId: crypto.randomUUID(), state: "TASK_STAGING", unacknowledged: true };
      this.tasks.set(info.task_id.value, task);
      members.push(task);
    }
    if (this.shuttingDown) {
      for (const task of members) void this.finish(task, "TASK_KILLED", "The executor is shutting down");
      return;
    }
    this.exitTimer?.cancel();
    this.exitTimer = undefined;
    for (const task of members) this.start(task);
  }

  private start(task: LiveTask): void {
    const taskId = task.info.task_id.value;
    let argv: string[];
    let sandbox: string;
    try {
      if (task.info.command === undefined) throw new Error("Task has no CommandInfo");
      argv = commandArgv(task.info.command);
      sandbox = this.io.prepareSandbox(taskId, task.containerId);
    } catch (err) {
      void this.finish(task, "TASK_FAILED", `Failed to launch task: ${(err as Error).message}`, "REASON_CONTAINER_LAUNCH_FAILED");
      this.failGroup(task);
      return;
    }
    void this.update(task.info, "TASK_STARTING", {});
    task.state = "TASK_STARTING";
    try {
      task.child = this.io.spawn(argv, sandbox, this.taskEnv(task, sandbox), (exit) => this.onExit(task, exit));
    } catch (err) {
      void this.finish(task, "TASK_FAILED", `Failed to launch task: ${(err as Error).message}`, "REASON_CONTAINER_LAUNCH_FAILED");
      this.failGroup(task);
      return;
    }
    task.state = "TASK_RUNNING";
    void this.update(task.info, "TASK_RUNNING", {
      container_status: { container_id: { value: task.containerId, parent: { value: this.containerId } }, executor_pid: task.child.pid },
    });
    const limit = task.info.max_completion_time?.nanoseconds;
    if (limit !== undefined) {
      task.completionTimer = this.io.setTimeout(() => {
        this.kill(task, { reason: "max_completion_time", message: `Task exceeded its max_completion_time of ${limit / 1e9} s` }, { grace_period: { nanoseconds: 0 } });
      }, limit / 1e6);
    }
    this.io.log(`Started task ${taskId} (pid ${task.child.pid}) in ${sandbox}`);
  }

  private taskEnv(task: LiveTask, sandbox: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.env)) if (v !== undefined) env[k] = v;
    env.MESOS_SANDBOX = sandbox;
    if (this.framework !== undefined) env.MESOS_ALLOCATION_ROLE = allocationRole(task.info, this.framework);
    for (const v of task.info.command?.environment?.variables ?? []) {
      if ((v.type === undefined || v.type === "VALUE") && v.value !== undefined) env[v.name] = v.value;
    }
    return env;
  }

  private onExit(task: LiveTask, exit: ChildExit): void {
    task.killTimer?.cancel();
    task.completionTimer?.cancel();
    const how = exit.signal !== null ? `Command terminated with signal ${exit.signal}` : `Command exited with status ${exit.code}`;
    if (task.killing?.reason === "max_completion_time") {
      void this.finish(task, "TASK_FAILED", task.killing.message, "REASON_MAX_COMPLETION_TIME_REACHED");
      this.failGroup(task);
    } else if (task.killing !== undefined) {
      void this.finish(task, "TASK_KILLED", task.killing.reason === "requested" ? how : `${task.killing.message} (${how})`);
    } else if (exit.code === 0) {
      void this.finish(task, "TASK_FINISHED", how);
    } else {
      void this.finish(task, "TASK_FAILED", how);
      this.failGroup(task);
    }
  }

  /** A failed task takes its group down with it. */
  private failGroup(failed: LiveTask): void {
    const message = `Task ${failed.info.task_id.value} in its group failed`;
    for (const member of this.groupOf(failed)) if (member !== failed) this.kill(member, { reason: "group", message });
  }

  private groupOf(task: LiveTask): LiveTask[] {
    return [...this.tasks.values()].filter((t) => t.group === task.group);
  }

  private kill(task: LiveTask, why: NonNullable<LiveTask["killing"]>, override?: KillPolicy): void {
    if (isTerminal(task.state)) return;
    const graceNs = override?.grace_period?.nanoseconds ?? task.info.kill_policy?.grace_period?.nanoseconds;
    const graceMs = graceNs !== undefined ? graceNs / 1e6 : DEFAULT_KILL_GRACE_MS;
    if (task.child === undefined) {
      void this.finish(task, "TASK_KILLED", why.message);
      return;
    }
    if (task.killing !== undefined) {
      // A repeated kill can only shorten the grace period.
      if (graceMs === 0) task.child.signal("SIGKILL");
      return;
    }
    task.killing = why;
    if (this.framework?.capabilities?.some((c) => c.type === "TASK_KILLING_STATE")) {
      task.state = "TASK_KILLING";
      void this.update(task.info, "TASK_KILLING", {});
    }
    if (graceMs <= 0) {
      task.child.signal("SIGKILL");
      return;
    }
    task.child.signal("SIGTERM");
    task.killTimer = this.io.setTimeout(() => task.child?.signal("SIGKILL"), graceMs);
  }

  private async finish(task: LiveTask, state: TaskState, message: string, reason?: string): Promise<void> {
    task.state = state;
    await this.update(task.info, state, { message, ...(reason !== undefined ? { reason } : {}) });
    this.maybeExit();
  }

  private async update(info: TaskInfo, state: TaskState, fields: Record<string, unknown>): Promise<void> {
    const status = {
      task_id: info.task_id,
      state,
      source: "SOURCE_EXECUTOR",
      uuid: crypto.randomBytes(16).toString("base64"),
      timestamp: Date.now() / 1000,
      ...fields,
    } as TaskStatus;
    this.unacked.set(status.uuid!, status);
    const code = await this.io.post({ type: "UPDATE", update: { status } });
    // Not delivered (agent restarting): it goes out again with the next SUBSCRIBE.
    if (code !== 202 && code !== 0) this.io.log(`The agent refused the ${state} update of ${info.task_id.value} (HTTP ${code})`);
  }

  /** Exits when nothing is left to run or to deliver. */
  private maybeExit(): void {
    const live = [...this.tasks.values()].some((t) => !isTerminal(t.state));
    if (live || this.unacked.size > 0 || this.tasks.size === 0 || this.exitTimer !== undefined) return;
    // A short pause: a LAUNCH_GROUP for this executor may be right behind the last acknowledgement.
    this.exitTimer = this.io.setTimeout(() => {
      this.io.log("No task left: exiting");
      this.io.exit(0);
    }, this.shuttingDown ? 0 : 1000);
  }

  /** For tests and logs. */
  snapshot(): { taskId: string; state: TaskState; group: string }[] {
    return [...this.tasks.values()].map((t) => ({ taskId: t.info.task_id.value, state: t.state, group: t.group }));
  }
}
