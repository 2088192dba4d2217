// Task-level calls and messages: status updates from agents, ACKNOWLEDGE, KILL, RECONCILE,
// MESSAGE and SHUTDOWN from schedulers.
import type { TaskStatus } from "../protocol/mesos";
import { isTerminalState } from "../protocol/mesos";
import type { StatusUpdateMessage } from "../protocol/internal";
import type { SchedulerCall } from "../protocol/scheduler";
import type { Master } from "./master";
import type { Framework, Task } from "./state";
import { masterStatus, removeTask, stateFor, transitionTask } from "./task-lifecycle";

/** A reliable (uuid-carrying) status update forwarded by an agent's status update manager. */
export function statusUpdate(m: Master, agentId: string, update: StatusUpdateMessage): void {
  m.counters.countMessage("status_update");
  const frameworkId = update.framework_id.value;
  const taskId = update.status.task_id.value;
  const framework = m.frameworks.get(frameworkId);
  const task = framework?.tasks.get(taskId);
  if (!framework || !task || task.agentId !== agentId) {
    // Unknown framework/task (e.g. framework torn down): the agent keeps retrying until its
    // framework is shut down; count it like Mesos's invalid status updates.
    m.counters.invalidStatusUpdates++;
    if (!framework) m.agents.get(agentId)?.link?.send({ type: "SHUTDOWN_FRAMEWORK", framework_id: { value: frameworkId } });
    return;
  }
  m.counters.validStatusUpdates++;
  const received: TaskStatus = { ...update.status, agent_id: { value: agentId } };
  // Kills of a draining agent carry REASON_AGENT_DRAINING (./maintenance).
  const status = m.maintenance?.drainStatus(agentId, framework, received) ?? received;
  task.statusUpdateState = status.state;
  task.statusUpdateUuid = status.uuid;
  const latest = update.latest_state === undefined || update.latest_state === received.state ? status.state : update.latest_state;
  transitionTask(m, task, status, latest);
  m.sendStatusUpdate(framework, status);
}

type Ack = NonNullable<SchedulerCall["acknowledge"]>;

export function acknowledge(m: Master, framework: Framework, ack: Ack): void {
  m.counters.countMessage("status_update_acknowledgement");
  const task = framework.tasks.get(ack.task_id.value);
  const agent = m.agents.get(ack.agent_id.value);
  if (!agent || !agent.link) {
    m.counters.invalidAcknowledgements++;
    return;
  }
  m.counters.validAcknowledgements++;
  agent.link.send({ type: "STATUS_UPDATE_ACKNOWLEDGEMENT", agent_id: ack.agent_id, framework_id: { value: framework.id }, task_id: ack.task_id, uuid: ack.uuid });
  if (!task || task.statusUpdateUuid !== ack.uuid) return;
  // The acknowledged update is no longer pending; a terminal one completes the task.
  const ackedState = task.statusUpdateState;
  task.statusUpdateUuid = undefined;
  task.statusUpdateState = undefined;
  if (ackedState && isTerminalState(ackedState)) removeTask(m, task);
}

type Kill = NonNullable<SchedulerCall["kill"]>;

export function kill(m: Master, framework: Framework, body: Kill, requestedBy?: string): void {
  m.counters.countMessage("kill_task");
  const taskId = body.task_id.value;
  const task = framework.tasks.get(taskId);
  if (!task) {
    // Unknown task: answer with explicit reconciliation for it.
    reconcile(m, framework, [{ task_id: body.task_id, agent_id: body.agent_id }]);
    return;
  }
  if (isTerminalState(task.state)) return;
  task.killRequested = true;
  m.timeline.add({
    time: m.clock.now(),
    kind: requestedBy ? "operator" : "task",
    action: "KILL_TASK",
    summary: `Kill requested for task ${taskId} (${task.info.name})${requestedBy ? ` by ${requestedBy}` : ""}`,
    principal: requestedBy,
    frameworkId: framework.id,
    agentId: task.agentId,
    taskId,
  });
  const agent = m.agents.get(task.agentId);
  if (agent?.link && agent.connection === "connected") {
    agent.link.send({ type: "KILL_TASK", framework_id: { value: framework.id }, task_id: body.task_id, kill_policy: body.kill_policy });
  }
  // Otherwise the kill is re-sent when the agent re-registers (killRequested is kept).
}

type ReconcileTask = { task_id: { value: string }; agent_id?: { value: string } };

/** RECONCILE: implicit (empty list) or explicit, per scheduler-api.md §12. Replies carry no uuid. */
export function reconcile(m: Master, framework: Framework, tasks: ReconcileTask[]): void {
  m.counters.countMessage("reconcile_tasks");
  const reply = (task: Task) => {
    const state = task.statusUpdateState ?? task.state;
    const latest = task.statuses.at(-1);
    const status = masterStatus(m, { taskId: task.info.task_id.value, agentId: task.agentId, executorId: task.executorId }, state, "REASON_RECONCILIATION", "Reconciliation: Latest task state");
    if (latest?.healthy !== undefined) status.healthy = latest.healthy;
    if (task.unreachableTime !== undefined) status.unreachable_time = { nanoseconds: Math.round(task.unreachableTime * 1e6) };
    m.sendStatusUpdate(framework, status);
  };
  if (tasks.length === 0) {
    for (const task of framework.tasks.values()) reply(task);
    for (const task of framework.unreachableTasks.values()) reply(task);
    return;
  }
  for (const { task_id, agent_id } of tasks) {
    const known = framework.tasks.get(task_id.value) ?? framework.unreachableTasks.get(task_id.value);
    if (known) {
      reply(known);
      continue;
    }
    const agentId = agent_id?.value;
    const answer = (state: Parameters<typeof stateFor>[1], message: string, extra: Partial<TaskStatus> = {}) => {
      const status = masterStatus(m, { taskId: task_id.value, agentId }, stateFor(framework, state), "REASON_RECONCILIATION", message);
      m.sendStatusUpdate(framework, { ...status, ...extra });
    };
    if (agentId === undefined) {
      if (m.recoveredAgents.size > 0) continue; // wait for re-registration: no reply
      answer("TASK_UNKNOWN", "Reconciliation: Task is unknown");
    } else if (m.recoveredAgents.has(agentId)) {
      continue;
    } else if (m.agents.has(agentId)) {
      answer("TASK_GONE", "Reconciliation: Task is unknown to the agent");
    } else if (m.unreachableAgents.has(agentId)) {
      const since = m.unreachableAgents.get(agentId)!.since;
      answer("TASK_UNREACHABLE", "Reconciliation: Task is unreachable", { unreachable_time: { nanoseconds: Math.round(since * 1e6) } });
    } else if (m.goneAgents.has(agentId)) {
      answer("TASK_GONE_BY_OPERATOR", "Reconciliation: Task is gone");
    } else {
      answer("TASK_UNKNOWN", "Reconciliation: Task is unknown");
    }
  }
}

type Message = NonNullable<SchedulerCall["message"]>;

export function frameworkMessage(m: Master, framework: Framework, body: Message): void {
  m.counters.countMessage("framework_to_executor");
  const agent = m.agents.get(body.agent_id.value);
  if (!agent?.link) {
    m.counters.droppedMessages++;
    return;
  }
  agent.link.send({ type: "FRAMEWORK_TO_EXECUTOR", framework_id: { value: framework.id }, executor_id: body.executor_id, data: body.data });
}

type Shutdown = NonNullable<SchedulerCall["shutdown"]>;

/**
 * SHUTDOWN of an executor: a custom executor is told to shut down (the agent sends it SHUTDOWN);
 * for command executors this kills the task it runs.
 */
export function shutdownExecutor(m: Master, framework: Framework, body: Shutdown): void {
  const agent = m.agents.get(body.agent_id.value);
  if (agent?.executors.get(framework.id)?.has(body.executor_id.value)) {
    m.counters.countMessage("shutdown_executor");
    if (agent.link && agent.connection === "connected") agent.link.send({ type: "SHUTDOWN_EXECUTOR", framework_id: { value: framework.id }, executor_id: body.executor_id });
    return;
  }
  for (const task of framework.tasks.values()) {
    if (task.agentId === body.agent_id.value && task.executorId === body.executor_id.value) {
      kill(m, framework, { task_id: task.info.task_id, agent_id: body.agent_id });
    }
  }
}

export { masterStatus };
