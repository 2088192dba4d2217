// Agent re-registration (after an agent restart, a master failover or a partition): the agent
// reports its frameworks, executors and tasks, and the master reconciles that report with what it
// knows — re-admitting an agent recovered from the registry (or unreachable), adopting tasks it
// did not know, and losing the tasks the agent no longer has.
import type { AgentTask } from "../protocol/internal";
import type { Id, TaskInfo } from "../protocol/mesos";
import { isTerminalState } from "../protocol/mesos";
import { Resources } from "../resources";
import type { AgentLink } from "./agent-link";
import { addToAllocator, agentAdded, executorExited, newAgent, registeredReply, startHealthChecks, type Reregister } from "./agents";
import { allocatorFramework } from "./framework-info";
import { newFramework, usedByAgent } from "./frameworks";
import type { Master } from "./master";
import { syncCheckpoint } from "./operations";
import { RegistryOperationError, UpdateAgentInfo } from "./registrar";
import type { Agent, Task } from "./state";
import { addTask, masterStatus, removeTask, stateFor, transitionTask } from "./task-lifecycle";

/** Re-registration: the agent reports its frameworks and tasks; the master reconciles. */
export async function reregisterAgent(m: Master, msg: Reregister, link: AgentLink): Promise<Agent | null> {
  m.counters.countMessage("reregister_slave");
  const id = msg.agent_info.id?.value;
  if (!id) {
    link.send({ type: "ERROR", message: "Re-registration without an agent id" });
    link.close();
    return null;
  }
  if (m.goneAgents.has(id)) {
    link.send({ type: "SHUTDOWN_AGENT", message: "Agent has been marked gone" });
    return null;
  }
  const refusal = m.maintenance?.refusal(msg.agent_info.hostname, msg.endpoint);
  if (refusal) {
    link.send({ type: "SHUTDOWN_AGENT", message: refusal });
    return null;
  }
  const now = m.clock.now();
  const existing = m.agents.get(id);
  if (existing) {
    if (existing.link && existing.link !== link) existing.link.close("replaced by a new connection");
    existing.link = link;
    existing.connection = "connected";
    existing.endpoint = msg.endpoint;
    existing.reregisteredTime = now;
    existing.missedPings = 0;
    existing.lastPongSeq = existing.pingSeq;
    if (!existing.deactivated) m.allocator.activateAgent(id);
    const unknown = reconcileAgentTasks(m, existing, msg.tasks);
    reconcileAgentExecutors(m, existing, msg.executors);
    registeredReply(m, existing, "AGENT_REREGISTERED", unknown);
    syncCheckpoint(existing, msg);
    loseUnknownTasks(m, existing, unknown);
    resendKills(m, existing);
    m.counters.agentReregistrations++;
    m.events.publish({ type: "AGENT_UPDATED", agent: existing });
    m.timeline.add({ time: now, kind: "agent", action: "AGENT_RECONNECTED", summary: `Agent ${existing.info.hostname} (${id}) reconnected`, agentId: id });
    m.requestAllocation(id);
    return existing;
  }

  // Recovered from the registry, unreachable, or unknown: (re-)admit it.
  const wasUnreachable = m.unreachableAgents.has(id);
  const agent = newAgent(m, id, msg, link, now);
  try {
    await m.registrar.apply(UpdateAgentInfo(agent.info, now));
  } catch (err) {
    const message = err instanceof RegistryOperationError ? err.message : `Failed to re-admit agent: ${(err as Error).message}`;
    link.send({ type: "SHUTDOWN_AGENT", message });
    return null;
  }
  agent.deactivated = m.registrar.view().agents.get(id)?.deactivated ?? false;
  m.recoveredAgents.delete(id);
  m.unreachableAgents.delete(id);
  m.agents.set(id, agent);
  for (const info of msg.frameworks) ensureFramework(m, info);
  for (const executor of msg.executors) {
    const fwId = executor.framework_id?.value;
    if (!fwId) continue;
    const byFw = agent.executors.get(fwId) ?? new Map();
    byFw.set(executor.executor_id.value, executor);
    agent.executors.set(fwId, byFw);
    m.frameworks.get(fwId)?.executors.set(executor.executor_id.value, { agentId: id, info: executor });
  }
  for (const reported of msg.tasks) readmitTask(m, agent, reported, wasUnreachable ? "Unreachable agent re-reregistered" : undefined);
  addToAllocator(m, agent);
  registeredReply(m, agent, "AGENT_REREGISTERED", []);
  resendKills(m, agent);
  startHealthChecks(m, agent);
  m.counters.agentReregistrations++;
  agentAdded(m, agent, "reregistered");
  return agent;
}

/** Frameworks reported by an agent that this master does not know become "recovered". */
function ensureFramework(m: Master, info: Reregister["frameworks"][number]): void {
  const id = info.id?.value;
  if (!id || m.frameworks.has(id)) return;
  if (m.completedFrameworks.some((c) => c.framework.id === id)) return;
  const framework = newFramework(m, id, info, m.clock.now(), "recovered");
  m.frameworks.set(id, framework);
  m.allocator.addFramework(id, allocatorFramework(framework), usedByAgent(framework));
  m.allocator.deactivateFramework(id);
  m.events.publish({ type: "FRAMEWORK_ADDED", framework });
}

function readmitTask(m: Master, agent: Agent, reported: AgentTask, reregisteredMessage?: string): void {
  const frameworkId = reported.framework_id.value;
  const framework = m.frameworks.get(frameworkId);
  if (!framework) {
    // Task of a framework the master knows as completed: tell the agent to shut it down.
    agent.link?.send({ type: "SHUTDOWN_FRAMEWORK", framework_id: reported.framework_id });
    return;
  }
  const taskId = reported.task.task_id.value;
  const old = framework.unreachableTasks.get(taskId) ?? framework.tasks.get(taskId);
  framework.unreachableTasks.delete(taskId);
  const task: Task = {
    frameworkId,
    agentId: agent.id,
    executorId: reported.executor_id.value,
    info: reported.task as TaskInfo,
    state: reported.state,
    statusUpdateState: reported.status_update_state,
    statusUpdateUuid: reported.status_update_uuid,
    statuses: reported.statuses.length > 0 ? reported.statuses : old?.statuses ?? [],
    resources: Resources.from(reported.task.resources ?? []),
    user: reported.task.command?.user ?? framework.info.user,
    killRequested: old?.killRequested ?? false,
  };
  addTask(m, task);
  if (reregisteredMessage && !isTerminalState(task.state)) {
    const status = masterStatus(m, { taskId, agentId: agent.id, executorId: task.executorId }, task.state, "REASON_AGENT_REREGISTERED", reregisteredMessage);
    m.sendStatusUpdate(framework, status);
  }
}

/** Compares a known agent's report with the master's view. Returns the tasks the agent lacks. */
function reconcileAgentTasks(m: Master, agent: Agent, reported: AgentTask[]): { framework_id: Id; task_id: Id }[] {
  const reportedIds = new Set(reported.map((t) => `${t.framework_id.value}/${t.task.task_id.value}`));
  for (const t of reported) {
    const known = m.frameworks.get(t.framework_id.value)?.tasks.get(t.task.task_id.value);
    if (!known) readmitTask(m, agent, t);
  }
  const unknown: { framework_id: Id; task_id: Id }[] = [];
  for (const [frameworkId, tasks] of agent.tasks) {
    for (const task of tasks.values()) {
      if (!reportedIds.has(`${frameworkId}/${task.info.task_id.value}`) && !isTerminalState(task.state)) {
        unknown.push({ framework_id: { value: frameworkId }, task_id: task.info.task_id });
      }
    }
  }
  return unknown;
}

/** Custom executors the master holds for an agent that it no longer reports have exited. */
function reconcileAgentExecutors(m: Master, agent: Agent, reported: Reregister["executors"]): void {
  const reportedIds = new Set(reported.map((e) => `${e.framework_id?.value}/${e.executor_id.value}`));
  for (const [frameworkId, executors] of [...agent.executors]) {
    for (const executorId of [...executors.keys()]) if (!reportedIds.has(`${frameworkId}/${executorId}`)) executorExited(m, agent, frameworkId, executorId);
  }
}

/**
 * Tasks the master holds for an agent that the agent no longer knows (its launch was lost in
 * flight, or the agent dropped them at recovery): they are gone. Not-yet-started tasks are
 * DROPPED, others GONE (both LOST for frameworks that are not partition-aware).
 */
function loseUnknownTasks(m: Master, agent: Agent, unknown: { framework_id: Id; task_id: Id }[]): void {
  for (const { framework_id, task_id } of unknown) {
    const framework = m.frameworks.get(framework_id.value);
    const task = framework?.tasks.get(task_id.value);
    if (!framework || !task || isTerminalState(task.state)) continue;
    const state = stateFor(framework, task.state === "TASK_STAGING" ? "TASK_DROPPED" : "TASK_GONE");
    const status = masterStatus(m, { taskId: task_id.value, agentId: agent.id, executorId: task.executorId }, state, "REASON_AGENT_RESTARTED", "Task is unknown to the agent after it re-registered");
    transitionTask(m, task, status);
    m.sendStatusUpdate(framework, status);
    removeTask(m, task);
  }
}

function resendKills(m: Master, agent: Agent): void {
  for (const [frameworkId, tasks] of agent.tasks) {
    for (const task of tasks.values()) {
      if (task.killRequested && !isTerminalState(task.state)) {
        agent.link?.send({ type: "KILL_TASK", framework_id: { value: frameworkId }, task_id: task.info.task_id });
      }
    }
  }
}
