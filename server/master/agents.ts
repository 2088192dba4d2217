// Agent lifecycle on the master: registration, re-registration (after an agent restart, a master
// restart or a partition), disconnection, health checks by ping, marking unreachable.
import type { AgentTask } from "../protocol/internal";
import type { AgentToMaster } from "../protocol/internal";
import type { Id, TaskInfo } from "../protocol/mesos";
import { isTerminalState } from "../protocol/mesos";
import { Resources } from "../resources";
import type { AgentLink } from "./agent-link";
import { allocatorFramework } from "./framework-info";
import { newFramework, usedByAgent } from "./frameworks";
import type { Master } from "./master";
import { rescindAgentOffers } from "./offers";
import { registeredTotal, syncCheckpoint } from "./operations";
import { AdmitAgent, MarkAgentUnreachable, RegistryOperationError, UpdateAgentInfo } from "./registrar";
import type { Agent, Task } from "./state";
import { addTask, masterStatus, removeTask, stateFor, transitionTask } from "./task-lifecycle";

type Register = Extract<AgentToMaster, { type: "REGISTER_AGENT" }>;
type Reregister = Extract<AgentToMaster, { type: "REREGISTER_AGENT" }>;

function newAgent(m: Master, id: string, msg: Register | Reregister, link: AgentLink, now: number): Agent {
  return {
    id,
    info: { ...msg.agent_info, id: { value: id } },
    endpoint: msg.endpoint,
    version: msg.version,
    capabilities: msg.capabilities,
    connection: "connected",
    link,
    registeredTime: now,
    total: registeredTotal(msg),
    offeredIds: new Set(),
    tasks: new Map(),
    executors: new Map(),
    deactivated: false,
    missedPings: 0,
    lastPongSeq: 0,
    pingSeq: 0,
  };
}

function usedByFramework(agent: Agent): Map<string, Resources> {
  const used = new Map<string, Resources>();
  for (const [frameworkId, tasks] of agent.tasks) {
    let sum = Resources.empty();
    for (const t of tasks.values()) if (!isTerminalState(t.state)) sum = sum.add(t.resources);
    if (!sum.isEmpty()) used.set(frameworkId, sum);
  }
  // Custom executors hold their own resources too.
  for (const [frameworkId, executors] of agent.executors) {
    for (const e of executors.values()) {
      if (e.resources && e.resources.length > 0) used.set(frameworkId, (used.get(frameworkId) ?? Resources.empty()).add(Resources.from(e.resources)));
    }
  }
  return used;
}

function addToAllocator(m: Master, agent: Agent): void {
  m.allocator.addAgent(agent.id, { hostname: agent.info.hostname, total: agent.total, active: !agent.deactivated }, usedByFramework(agent));
}

function startHealthChecks(m: Master, agent: Agent): void {
  const timer = m.clock.setInterval(() => {
    if (m.agents.get(agent.id) !== agent) {
      timer.cancel();
      return;
    }
    if (agent.link && agent.lastPongSeq >= agent.pingSeq) agent.missedPings = 0;
    else agent.missedPings++;
    if (agent.missedPings >= m.config.maxAgentPingTimeouts) {
      timer.cancel();
      void markUnreachable(m, agent, `health check timed out after ${agent.missedPings} missed pings`);
      return;
    }
    agent.pingSeq++;
    agent.link?.send({ type: "PING", seq: agent.pingSeq });
  }, m.config.agentPingTimeoutMs);
}

export function pong(agent: Agent, seq: number): void {
  agent.lastPongSeq = Math.max(agent.lastPongSeq, seq);
  agent.missedPings = 0;
}

function registeredReply(m: Master, agent: Agent, type: "AGENT_REGISTERED" | "AGENT_REREGISTERED", unknown?: { framework_id: Id; task_id: Id }[]) {
  const base = { agent_id: { value: agent.id }, master_info: m.info, ping_interval_ms: m.config.agentPingTimeoutMs };
  agent.link?.send(type === "AGENT_REGISTERED" ? { type, ...base } : { type, ...base, unknown_tasks: unknown ?? [] });
}

/** First registration: admit into the registry, then reply with the new agent id. */
export async function registerAgent(m: Master, msg: Register, link: AgentLink): Promise<Agent | null> {
  m.counters.countMessage("register_slave");
  const refusal = m.maintenance?.refusal(msg.agent_info.hostname, msg.endpoint);
  if (refusal) {
    link.send({ type: "SHUTDOWN_AGENT", message: refusal });
    return null;
  }
  const now = m.clock.now();
  // An agent restarted without recovery at the same address replaces the old one.
  for (const old of m.agents.values()) {
    if (old.endpoint === msg.endpoint) removeAgent(m, old, "a new agent registered at the same address");
  }
  const id = m.nextAgentId();
  const agent = newAgent(m, id, msg, link, now);
  try {
    await m.registrar.apply(AdmitAgent(agent.info, now));
  } catch (err) {
    link.send({ type: "ERROR", message: `Failed to admit agent: ${(err as Error).message}` });
    link.close();
    return null;
  }
  m.agents.set(id, agent);
  m.counters.agentRegistrations++;
  addToAllocator(m, agent);
  registeredReply(m, agent, "AGENT_REGISTERED");
  startHealthChecks(m, agent);
  agentAdded(m, agent, "registered");
  return agent;
}

function agentAdded(m: Master, agent: Agent, how: string): void {
  m.events.publish({ type: "AGENT_ADDED", agent });
  m.timeline.add({ time: m.clock.now(), kind: "agent", action: `AGENT_${how.toUpperCase()}`, summary: `Agent ${agent.info.hostname} (${agent.id}) ${how}`, agentId: agent.id });
  m.requestAllocation(agent.id);
}

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

/**
 * A custom executor exited on an agent (EXITED_EXECUTOR): the master forgets it and frees its
 * resources (its tasks' resources are freed by their own terminal updates).
 */
export function executorExited(m: Master, agent: Agent, frameworkId: string, executorId: string): void {
  const byFramework = agent.executors.get(frameworkId);
  const info = byFramework?.get(executorId);
  byFramework?.delete(executorId);
  if (byFramework?.size === 0) agent.executors.delete(frameworkId);
  const framework = m.frameworks.get(frameworkId);
  if (framework?.executors.get(executorId)?.agentId === agent.id) framework.executors.delete(executorId);
  if (info?.resources && info.resources.length > 0) {
    m.allocator.recoverResources(frameworkId, agent.id, Resources.from(info.resources), undefined, m.clock.now());
    m.requestAllocation();
  }
}

/** The agent's socket closed. Tasks of non-checkpointing frameworks are lost at once. */
export function agentDisconnected(m: Master, agent: Agent, link: AgentLink): void {
  if (agent.link !== link) return; // an older socket of a re-registered agent
  agent.link = null;
  agent.connection = "disconnected";
  m.allocator.deactivateAgent(agent.id);
  rescindAgentOffers(m, agent);
  for (const [frameworkId, tasks] of [...agent.tasks]) {
    const framework = m.frameworks.get(frameworkId);
    if (!framework || framework.info.checkpoint) continue;
    for (const task of [...tasks.values()]) {
      if (isTerminalState(task.state)) continue;
      const status = masterStatus(m, { taskId: task.info.task_id.value, agentId: agent.id, executorId: task.executorId }, "TASK_LOST", "REASON_AGENT_DISCONNECTED", "Agent disconnected");
      transitionTask(m, task, status);
      m.sendStatusUpdate(framework, status);
      removeTask(m, task);
    }
  }
  m.events.publish({ type: "AGENT_UPDATED", agent });
  m.timeline.add({ time: m.clock.now(), kind: "agent", action: "AGENT_DISCONNECTED", summary: `Agent ${agent.info.hostname} (${agent.id}) disconnected`, agentId: agent.id });
}

/** Health check failure: registry first, then tasks become UNREACHABLE (PA) / LOST. */
export async function markUnreachable(m: Master, agent: Agent, why: string): Promise<void> {
  m.counters.agentsUnreachableScheduled++;
  const now = m.clock.now();
  try {
    await m.registrar.apply(MarkAgentUnreachable(agent.id, now));
  } catch (err) {
    console.error(`master] failed to mark agent ${agent.id} unreachable: ${(err as Error).message}`);
    return;
  }
  if (m.agents.get(agent.id) !== agent) return;
  m.counters.agentsUnreachableCompleted++;
  for (const [frameworkId, tasks] of [...agent.tasks]) {
    const framework = m.frameworks.get(frameworkId);
    for (const task of [...tasks.values()]) {
      if (isTerminalState(task.state)) {
        removeTask(m, task);
        continue;
      }
      const state = stateFor(framework, "TASK_UNREACHABLE");
      const status = masterStatus(m, { taskId: task.info.task_id.value, agentId: agent.id, executorId: task.executorId }, state, "REASON_AGENT_REMOVED", `Agent ${agent.id} is unreachable: ${why}`);
      status.unreachable_time = { nanoseconds: Math.round(now * 1e6) };
      task.unreachableTime = now;
      m.allocator.recoverResources(task.frameworkId, agent.id, task.resources, undefined, now);
      task.state = state;
      task.statuses.push(status);
      m.events.publish({ type: "TASK_UPDATED", task, status });
      if (framework) m.sendStatusUpdate(framework, status);
      removeTask(m, task, { unreachable: true });
      if (state === "TASK_LOST") m.counters.countTerminal(state, "SOURCE_MASTER", "REASON_AGENT_REMOVED");
    }
  }
  dropAgent(m, agent);
  m.unreachableAgents.set(agent.id, { id: agent.id, info: agent.info, since: now });
  for (const framework of m.frameworks.values()) {
    m.sendToFramework(framework, { type: "FAILURE", failure: { agent_id: { value: agent.id } } });
  }
  m.events.publish({ type: "AGENT_REMOVED", agentId: agent.id, reason: "unreachable" });
  m.timeline.add({ time: now, kind: "agent", action: "AGENT_UNREACHABLE", summary: `Agent ${agent.info.hostname} (${agent.id}) marked unreachable: ${why}`, agentId: agent.id });
}

function dropAgent(m: Master, agent: Agent): void {
  rescindAgentOffers(m, agent);
  agent.link?.close();
  agent.link = null;
  m.allocator.removeAgent(agent.id);
  m.agents.delete(agent.id);
}

/** Removal without the registry (the registry entry is replaced by the caller). */
export function removeAgent(m: Master, agent: Agent, why: string): void {
  m.counters.agentRemovals++;
  for (const [frameworkId, tasks] of [...agent.tasks]) {
    const framework = m.frameworks.get(frameworkId);
    for (const task of [...tasks.values()]) {
      if (!isTerminalState(task.state)) {
        const status = masterStatus(m, { taskId: task.info.task_id.value, agentId: agent.id, executorId: task.executorId }, "TASK_LOST", "REASON_AGENT_REMOVED", `Agent ${agent.id} removed: ${why}`);
        transitionTask(m, task, status);
        if (framework) m.sendStatusUpdate(framework, status);
      }
      removeTask(m, task);
    }
  }
  dropAgent(m, agent);
  for (const framework of m.frameworks.values()) {
    m.sendToFramework(framework, { type: "FAILURE", failure: { agent_id: { value: agent.id } } });
  }
  m.events.publish({ type: "AGENT_REMOVED", agentId: agent.id, reason: why });
  m.timeline.add({ time: m.clock.now(), kind: "agent", action: "AGENT_REMOVED", summary: `Agent ${agent.info.hostname} (${agent.id}) removed: ${why}`, agentId: agent.id });
}

/** After a master (re)start: agents admitted in the registry must re-register in time. */
export function scheduleReregistrationTimeout(m: Master): void {
  if (m.recoveredAgents.size === 0) return;
  m.clock.setTimeout(() => {
    for (const recovered of [...m.recoveredAgents.values()]) {
      m.recoveredAgents.delete(recovered.id);
      void m.registrar
        .apply(MarkAgentUnreachable(recovered.id, m.clock.now()))
        .then(() => {
          m.unreachableAgents.set(recovered.id, { id: recovered.id, info: recovered.info, since: m.clock.now() });
          m.timeline.add({ time: m.clock.now(), kind: "agent", action: "AGENT_UNREACHABLE", summary: `Agent ${recovered.info.hostname} (${recovered.id}) did not re-register in time`, agentId: recovered.id });
        })
        .catch((err) => console.error(`master] failed to mark recovered agent ${recovered.id} unreachable: ${(err as Error).message}`));
    }
  }, m.config.agentReregisterTimeoutMs);
}
