// Framework lifecycle: SUBSCRIBE (new, re-subscribe, scheduler failover), disconnection with the
// failover timeout, TEARDOWN / removal, UPDATE_FRAMEWORK.
import type { FrameworkInfo } from "../protocol/mesos";
import type { Resources } from "../resources";
import { isTerminalState } from "../protocol/mesos";
import type { SchedulerCall } from "../protocol/scheduler";
import { allocatorFramework, capabilitySet, frameworkRoles, validateFrameworkInfo } from "./framework-info";
import type { Master } from "./master";
import { rescindFrameworkOffers, rescindOffer } from "./offers";
import type { Framework } from "./state";
import type { SchedulerStream } from "./http/stream";
import { masterStatus, removeTask, transitionTask } from "./task-lifecycle";

type Subscribe = NonNullable<SchedulerCall["subscribe"]>;

export function newFramework(_m: Master, id: string, info: FrameworkInfo, now: number, lifecycle: Framework["lifecycle"] = "connected"): Framework {
  return {
    id,
    info: { ...info, id: { value: id } },
    roles: frameworkRoles(info),
    capabilities: capabilitySet(info),
    lifecycle,
    stream: null,
    registeredTime: now,
    suppressedRoles: new Set(),
    tasks: new Map(),
    unreachableTasks: new Map(),
    completedTasks: [],
    executors: new Map(),
    offers: new Set(),
  };
}

function refuse(stream: SchedulerStream, message: string): void {
  stream.send({ type: "ERROR", error: { message } });
  stream.close();
}

/** Handles an accepted SUBSCRIBE: the stream is open (200 sent) and receives SUBSCRIBED or ERROR. */
export function subscribe(m: Master, stream: SchedulerStream, call: Subscribe): Framework | null {
  const info = call.framework_info;
  const suppressed = call.suppressed_roles ?? [];
  const error = validateFrameworkInfo(info, suppressed);
  if (error) {
    refuse(stream, error);
    return null;
  }
  const now = m.clock.now();
  const requestedId = info.id?.value;
  if (requestedId && m.completedFrameworks.some((c) => c.framework.id === requestedId)) {
    refuse(stream, "Framework has been removed");
    return null;
  }

  let framework = requestedId ? m.frameworks.get(requestedId) : undefined;
  let added = false;
  if (!framework) {
    const id = requestedId ?? m.nextFrameworkId();
    framework = newFramework(m, id, info, now);
    m.frameworks.set(id, framework);
    added = true;
  } else {
    if (framework.stream && !framework.stream.isClosed) {
      const old = framework.stream;
      framework.stream = null; // detach first: closing it must not count as a disconnection
      old.send({ type: "ERROR", error: { message: "Framework failed over" } });
      old.close();
    }
    framework.failoverTimer?.cancel();
    framework.failoverTimer = undefined;
    rescindFrameworkOffers(m, framework);
    // user, principal and checkpoint cannot change on re-subscription (Mesos ignores changes).
    const keep = { user: framework.info.user, checkpoint: framework.info.checkpoint, principal: framework.info.principal };
    framework.info = { ...info, ...keep, id: { value: framework.id } };
    framework.roles = frameworkRoles(info);
    framework.capabilities = capabilitySet(info);
    framework.reregisteredTime = now;
    framework.unregisteredTime = undefined;
  }

  framework.lifecycle = "connected";
  framework.suppressedRoles = new Set(suppressed);
  framework.stream = stream;
  attachStream(m, framework, stream);

  // Invariant: every framework in m.frameworks is known to the allocator.
  if (added) {
    m.allocator.addFramework(framework.id, allocatorFramework(framework), usedByAgent(framework));
  } else {
    m.allocator.updateFramework(framework.id, allocatorFramework(framework));
    m.allocator.activateFramework(framework.id);
  }

  m.sendToFramework(framework, {
    type: "SUBSCRIBED",
    subscribed: {
      framework_id: { value: framework.id },
      heartbeat_interval_seconds: m.config.heartbeatIntervalMs / 1000,
      master_info: m.info,
    },
  });
  stream.startHeartbeats(m.clock, m.config.heartbeatIntervalMs, { type: "HEARTBEAT" });
  m.events.publish({ type: added ? "FRAMEWORK_ADDED" : "FRAMEWORK_UPDATED", framework });
  m.timeline.add({
    time: now,
    kind: "framework",
    action: added ? "FRAMEWORK_ADDED" : "FRAMEWORK_RESUBSCRIBED",
    summary: `Framework ${framework.info.name} (${framework.id}) ${added ? "subscribed" : "re-subscribed"}`,
    frameworkId: framework.id,
  });
  m.requestAllocation();
  return framework;
}

export function usedByAgent(framework: Framework): Map<string, Resources> {
  const used = new Map<string, Resources>();
  for (const task of framework.tasks.values()) {
    if (isTerminalState(task.state)) continue;
    const current = used.get(task.agentId);
    used.set(task.agentId, current ? current.add(task.resources) : task.resources);
  }
  return used;
}

function attachStream(m: Master, framework: Framework, stream: SchedulerStream): void {
  stream.onClose(() => {
    if (framework.stream === stream) disconnectFramework(m, framework);
  });
}

/** The subscription connection broke: deactivate, rescind offers, start the failover timer. */
export function disconnectFramework(m: Master, framework: Framework): void {
  const now = m.clock.now();
  framework.stream = null;
  framework.lifecycle = "disconnected";
  framework.unregisteredTime = now;
  m.allocator.deactivateFramework(framework.id);
  rescindFrameworkOffers(m, framework);
  const timeoutMs = Math.max(0, (framework.info.failover_timeout ?? 0) * 1000);
  m.events.publish({ type: "FRAMEWORK_UPDATED", framework });
  m.timeline.add({
    time: now,
    kind: "framework",
    action: "FRAMEWORK_DISCONNECTED",
    summary: `Framework ${framework.info.name} (${framework.id}) disconnected; failover timeout ${timeoutMs / 1000}s`,
    frameworkId: framework.id,
  });
  if (timeoutMs === 0) {
    removeFramework(m, framework, "failover timeout of 0 seconds");
    return;
  }
  framework.failoverTimer = m.clock.setTimeout(() => {
    if (framework.lifecycle === "disconnected" && m.frameworks.get(framework.id) === framework) {
      removeFramework(m, framework, "failover timeout expired");
    }
  }, timeoutMs);
}

/** Tears the framework down: its tasks are killed, it moves to the completed list. */
export function removeFramework(m: Master, framework: Framework, why: string): void {
  const now = m.clock.now();
  framework.failoverTimer?.cancel();
  const stream = framework.stream;
  framework.stream = null;
  stream?.close();
  rescindFrameworkOffers(m, framework);

  const agentIds = new Set<string>();
  for (const task of [...framework.tasks.values()]) {
    agentIds.add(task.agentId);
    if (!isTerminalState(task.state)) {
      const status = masterStatus(
        m,
        { taskId: task.info.task_id.value, agentId: task.agentId, executorId: task.executorId },
        "TASK_KILLED",
        "REASON_FRAMEWORK_REMOVED",
        `Framework ${framework.id} removed`,
      );
      transitionTask(m, task, status);
    }
    removeTask(m, task);
  }
  for (const agentId of agentIds) {
    m.agents.get(agentId)?.link?.send({ type: "SHUTDOWN_FRAMEWORK", framework_id: { value: framework.id } });
  }
  m.allocator.removeFramework(framework.id);
  m.frameworks.delete(framework.id);
  framework.unregisteredTime ??= now;
  m.completedFrameworks.push({ framework, removedTime: now });
  if (m.completedFrameworks.length > m.config.maxCompletedFrameworks) m.completedFrameworks.shift();
  m.events.publish({ type: "FRAMEWORK_REMOVED", framework });
  m.timeline.add({
    time: now,
    kind: "framework",
    action: "FRAMEWORK_REMOVED",
    summary: `Framework ${framework.info.name} (${framework.id}) removed: ${why}`,
    frameworkId: framework.id,
  });
}

/** UPDATE_FRAMEWORK: returns an error message (→ 400) or null once applied. */
export function updateFramework(m: Master, framework: Framework, body: Subscribe): string | null {
  const info = body.framework_info;
  const suppressed = body.suppressed_roles ?? [];
  const error = validateFrameworkInfo(info, suppressed);
  if (error) return error;
  if (info.user !== framework.info.user) return "Updating 'FrameworkInfo.user' is unsupported";
  if ((info.checkpoint ?? false) !== (framework.info.checkpoint ?? false)) return "Updating 'FrameworkInfo.checkpoint' is unsupported";
  if (info.principal !== framework.info.principal) return "Changing 'FrameworkInfo.principal' is not allowed";
  const oldRoles = new Set(framework.roles);
  framework.info = { ...info, id: { value: framework.id } };
  framework.roles = frameworkRoles(info);
  framework.capabilities = capabilitySet(info);
  const newSuppressed = new Set(suppressed);
  const unsuppressed = [...framework.suppressedRoles].filter((r) => !newSuppressed.has(r) && framework.roles.includes(r));
  framework.suppressedRoles = newSuppressed;
  // Offers for roles the framework left are rescinded.
  for (const id of [...framework.offers]) {
    const offer = m.offers.get(id);
    if (offer && oldRoles.has(offer.role) && !framework.roles.includes(offer.role)) rescindOffer(m, offer, { filterSeconds: undefined });
  }
  m.allocator.updateFramework(framework.id, allocatorFramework(framework));
  if (unsuppressed.length > 0) m.allocator.reviveOffers(framework.id, unsuppressed);
  for (const agent of m.agents.values()) {
    if (agent.tasks.has(framework.id)) agent.link?.send({ type: "UPDATE_FRAMEWORK", framework_id: { value: framework.id }, framework_info: framework.info });
  }
  m.events.publish({ type: "FRAMEWORK_UPDATED", framework });
  m.requestAllocation();
  return null;
}
