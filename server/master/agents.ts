// Agent lifecycle on the master: registration, disconnection, health checks by ping, marking
// unreachable, removal. Re-registration (the agent's report reconciled with the master's view)
// is in ./reregistration.ts.
import type { AgentToMaster } from "../protocol/internal";
import type { Id } from "../protocol/mesos";
import { isTerminalState } from "../protocol/mesos";
import { Resources } from "../resources";
import type { AgentLink } from "./agent-link";
import type { Master } from "./master";
import { rescindAgentOffers } from "./offers";
import { registeredTotal } from "./operations";
import { AdmitAgent, MarkAgentUnreachable } from "./registrar";
import type { Agent } from "./state";
import { masterStatus, removeTask, stateFor, transitionTask } from "./task-lifecycle";

type Register = Extract<AgentToMaster, { type: "REGISTER_AGENT" }>;
export type Reregister = Extract<AgentToMaster, { type: "REREGISTER_AGENT" }>;

export function newAgent(m: Master, id: string, msg: Register | Reregister, link: AgentLink, now: number): Agent {
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

export function addToAllocator(m: Master, agent: Agent): void {
  m.allocator.addAgent(agent.id, { hostname: agent.info.hostname, total: agent.total, active: !agent.deactivated }, usedByFramework(agent));
}

export function startHealthChecks(m: Master, agent: Agent): void {
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

export function registeredReply(m: Master, agent: Agent, type: "AGENT_REGISTERED" | "AGENT_REREGISTERED", unknown?: { framework_id: Id; task_id: Id }[]) {
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

export function agentAdded(m: Master, agent: Agent, how: string): void {
  m.events.publish({ type: "AGENT_ADDED", agent });
  m.timeline.add({ time: m.clock.now(), kind: "agent", action: `AGENT_${how.toUpperCase()}`, summary: `Agent ${agent.info.hostname} (${agent.id}) ${how}`, agentId: agent.id });
  m.requestAllocation(agent.id);
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
