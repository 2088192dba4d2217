// ACCEPT: validate the offers, apply the operations in order against the pooled offer resources
// (LAUNCH here; reservation and volume operations are plugged in via `m.offerOperations`), and
// give back what is left with the call's filter. Invalid tasks get TASK_ERROR, tasks on invalid
// offers TASK_DROPPED (partition-aware) / TASK_LOST, as the Mesos master does. The HTTP answer is
// 202 either way: results arrive on the event stream.
import type { ExecutorInfo, OfferOperation, TaskInfo } from "../protocol/mesos";
import type { SchedulerCall } from "../protocol/scheduler";
import { sameJson } from "../protocol/json";
import { validateIdString } from "../protocol/values";
import { Resources, validateResources } from "../resources";
import { effectiveRefuseSeconds } from "../allocator/filters";
import type { Master } from "./master";
import { removeOffer, takeOffer } from "./offers";
import type { Agent, Framework, Offer, Task } from "./state";
import { launchGroup } from "./launch-group";
import { addTask, masterStatus, stateFor } from "./task-lifecycle";

type Accept = NonNullable<SchedulerCall["accept"]>;

/** Non-LAUNCH operations (RESERVE, UNRESERVE, CREATE, DESTROY, …) register here. */
export type OfferOperationHandler = (
  m: Master,
  framework: Framework,
  agent: Agent,
  operation: OfferOperation,
  available: Resources,
) => { ok: true; available: Resources } | { ok: false; error: string };

function validateOffers(m: Master, framework: Framework, ids: string[]): string | null {
  if (ids.length === 0) return "No offers specified";
  const seen = new Set<string>();
  let agentId: string | undefined;
  for (const id of ids) {
    if (seen.has(id)) return `Duplicate offer ${id} in offer list`;
    seen.add(id);
    const offer = m.offers.get(id);
    if (!offer) return `Offer ${id} is no longer valid`;
    if (offer.frameworkId !== framework.id) return `Offer ${id} has invalid framework ${offer.frameworkId} while framework ${framework.id} is expected`;
    if (agentId !== undefined && offer.agentId !== agentId) return "Aggregated offers must belong to one single agent";
    agentId = offer.agentId;
    const agent = m.agents.get(offer.agentId);
    if (!agent) return `Offer ${id} outlived agent ${offer.agentId}`;
  }
  return null;
}

function launchedTasks(operations: OfferOperation[]): TaskInfo[] {
  const tasks: TaskInfo[] = [];
  for (const op of operations) {
    if (op.type === "LAUNCH") tasks.push(...(op.launch?.task_infos ?? []));
    if (op.type === "LAUNCH_GROUP") tasks.push(...(op.launch_group?.task_group.tasks ?? []));
  }
  return tasks;
}

export function accept(m: Master, framework: Framework, body: Accept): void {
  const offerIds = (body.offer_ids ?? []).map((o) => o.value);
  const operations = body.operations ?? [];
  const refuseSeconds = effectiveRefuseSeconds(body.filters?.refuse_seconds, m.config.allocationIntervalMs);
  const offerError = validateOffers(m, framework, offerIds);
  if (offerError) {
    for (const id of offerIds) {
      const offer = m.offers.get(id);
      if (offer && offer.frameworkId === framework.id) removeOffer(m, offer, undefined);
    }
    for (const task of launchedTasks(operations)) {
      const state = stateFor(framework, "TASK_DROPPED");
      const status = masterStatus(m, { taskId: task.task_id.value, agentId: task.agent_id?.value }, state, "REASON_INVALID_OFFERS", `Task launched with invalid offers: ${offerError}`);
      m.sendStatusUpdate(framework, status);
    }
    return;
  }

  const offers = offerIds.map((id) => m.offers.get(id)!) as Offer[];
  const agent = m.agents.get(offers[0]!.agentId)!;
  let available = Resources.empty();
  for (const offer of offers) {
    available = available.add(offer.resources);
    takeOffer(m, offer);
  }
  const roles = new Set(offers.map((o) => o.role));
  const launchedHere = new Set<string>();

  for (const op of operations) {
    if (op.type === "LAUNCH") {
      for (const info of op.launch?.task_infos ?? []) {
        available = launchOne(m, framework, agent, withAllocationInfo(info, roles), available, launchedHere);
      }
      continue;
    }
    if (op.type === "LAUNCH_GROUP") {
      available = launchGroup(m, framework, agent, op, roles, available, launchedHere);
      continue;
    }
    const handler = m.offerOperations.get(op.type);
    if (!handler) {
      console.warn(`master] ignoring unsupported offer operation ${op.type} from framework ${framework.id}`);
      continue;
    }
    const result = handler(m, framework, agent, op, available);
    if (result.ok) available = result.available;
    else console.warn(`master] dropping ${op.type} from framework ${framework.id}: ${result.error}`);
  }

  if (!available.isEmpty()) {
    m.allocator.recoverResources(framework.id, agent.id, available, refuseSeconds, m.clock.now());
  }
  m.events.publish({ type: "OFFERS_CHANGED" });
  m.requestAllocation();
}

/** Frameworks that are not MULTI_ROLE may omit allocation_info; inject the offers' role. */
export function withAllocationInfo(info: TaskInfo, roles: Set<string>): TaskInfo {
  if (roles.size !== 1 || !info.resources) return info;
  const [role] = roles;
  const inject = (list: TaskInfo["resources"]) => list?.map((r) => (r.allocation_info ? r : { ...r, allocation_info: { role } }));
  const out: TaskInfo = { ...info, resources: inject(info.resources) };
  if (info.executor?.resources) out.executor = { ...info.executor, resources: inject(info.executor.resources) };
  return out;
}

export function validateTask(framework: Framework, agent: Agent, info: TaskInfo, available: Resources, launchedHere: Set<string>): string | null {
  if (!!info.command === !!info.executor) {
    return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
  }
  const executorError = info.executor ? validateExecutor(framework, agent, info.executor) : null;
  if (executorError) return `Task has invalid ExecutorInfo: ${executorError}`;
  const common = validateTaskFields(framework, agent, info, launchedHere);
  if (common) return common;
  const resources = Resources.from(info.resources ?? []).add(newExecutorResources(framework, agent, info));
  const taskRoles = new Set(resources.toArray().map((r) => r.allocation_info?.role));
  if (taskRoles.size > 1) return "Task uses resources allocated to multiple roles";
  if (!available.contains(resources)) {
    return `Task uses more resources ${resources.toString()} than available ${available.toString()}`;
  }
  return null;
}

/** The checks every task gets, in LAUNCH and in LAUNCH_GROUP: id, duplicates, agent, resources, kill policy. */
export function validateTaskFields(framework: Framework, agent: Agent, info: TaskInfo, launchedHere: Set<string>): string | null {
  const taskId = info.task_id.value;
  const idError = validateIdString(taskId);
  if (idError) return `Task ID '${taskId}' is invalid: ${idError}`;
  if (framework.tasks.has(taskId) || launchedHere.has(taskId)) return `Task has duplicate ID: ${taskId}`;
  if (info.agent_id.value !== agent.id) return `Task uses invalid agent: ${info.agent_id.value}`;
  if (!info.resources || info.resources.length === 0) return "Task uses no resources";
  const resourceError = validateResources(info.resources);
  if (resourceError) return `Task uses invalid resources: ${resourceError}`;
  const grace = info.kill_policy?.grace_period?.nanoseconds;
  if (grace !== undefined && grace < 0) return "Task's 'kill_policy.grace_period' must be non-negative";
  if (info.max_completion_time && info.max_completion_time.nanoseconds < 0) return "Task's `max_completion_time` must be non-negative";
  return null;
}

/** Mesos's ExecutorInfo checks (common/validation.cpp): ids, framework, compatibility with a running executor of that id. */
export function validateExecutor(framework: Framework, agent: Agent, executor: ExecutorInfo, group = false): string | null {
  const idError = validateIdString(executor.executor_id.value);
  if (idError) return `Executor ID '${executor.executor_id.value}' is invalid: ${idError}`;
  if (executor.framework_id && executor.framework_id.value !== framework.id) {
    return `ExecutorInfo has an invalid FrameworkID (Actual: ${executor.framework_id.value} vs Expected: ${framework.id})`;
  }
  if (executor.type === "DEFAULT") {
    if (!group) return "ExecutorInfo of type DEFAULT can only be used with LAUNCH_GROUP";
    if (executor.command) return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
  } else if (!executor.command) return "ExecutorInfo must have a CommandInfo";
  if (executor.resources) {
    const error = validateResources(executor.resources);
    if (error) return `Executor uses invalid resources: ${error}`;
  }
  const running = agent.executors.get(framework.id)?.get(executor.executor_id.value);
  if (running && !sameJson(comparable(running), comparable(executor))) {
    return `ExecutorInfo is not compatible with the ExecutorInfo of the running executor '${executor.executor_id.value}'`;
  }
  return null;
}

/** The fields that must match between launches on one executor. */
const comparable = (e: ExecutorInfo) => ({ isDefault: e.type === "DEFAULT", command: e.command, container: e.container, name: e.name, source: e.source, data: e.data });

/** The resources of `info`'s executor if it is not running on the agent yet (they are consumed from the offer too). */
function newExecutorResources(framework: Framework, agent: Agent, info: TaskInfo): Resources {
  return info.executor ? executorResourcesToAllocate(framework, agent, info.executor) : Resources.empty();
}

/** An executor's resources when it is not running on the agent yet (consumed from the offer too), else none. */
export function executorResourcesToAllocate(framework: Framework, agent: Agent, executor: ExecutorInfo): Resources {
  if (agent.executors.get(framework.id)?.has(executor.executor_id.value)) return Resources.empty();
  return Resources.from(executor.resources ?? []);
}

function launchOne(m: Master, framework: Framework, agent: Agent, info: TaskInfo, available: Resources, launchedHere: Set<string>): Resources {
  const taskId = info.task_id.value;
  const error = validateTask(framework, agent, info, available, launchedHere);
  if (error) {
    m.sendStatusUpdate(framework, masterStatus(m, { taskId, agentId: agent.id }, "TASK_ERROR", "REASON_TASK_INVALID", error));
    m.counters.countTerminal("TASK_ERROR", "SOURCE_MASTER", "REASON_TASK_INVALID");
    return available;
  }
  launchedHere.add(taskId);
  const executorResources = newExecutorResources(framework, agent, info);
  const executor = info.executor ? trackExecutor(framework, agent, info.executor) : undefined;
  const normalized = recordLaunchedTask(m, framework, agent, { ...info, ...(executor ? { executor } : {}) }, executor?.executor_id.value ?? taskId);
  if (agent.link && agent.connection === "connected") {
    agent.link.send({ type: "RUN_TASK", framework: framework.info, task: normalized });
  }
  // A disconnected agent gets a reconciliation on re-registration (unknown_tasks) and reports
  // the task as dropped/lost through its status update manager.
  return available.subtract(Resources.from(normalized.resources ?? [])).subtract(executorResources);
}

/**
 * A custom or default executor: the master tracks it (offers' executor_ids, re-registration,
 * FAILURE on exit) and its resources stay allocated until it exits. Returns the ExecutorInfo
 * the tasks carry (framework id set, resources normalized).
 */
export function trackExecutor(framework: Framework, agent: Agent, info: ExecutorInfo): ExecutorInfo {
  const running = agent.executors.get(framework.id)?.get(info.executor_id.value);
  if (running) return running;
  const resources = Resources.from(info.resources ?? []);
  const executor: ExecutorInfo = { ...info, framework_id: { value: framework.id }, resources: resources.isEmpty() ? info.resources : resources.toArray() };
  const byFramework = agent.executors.get(framework.id) ?? new Map<string, ExecutorInfo>();
  byFramework.set(executor.executor_id.value, executor);
  agent.executors.set(framework.id, byFramework);
  framework.executors.set(executor.executor_id.value, { agentId: agent.id, info: executor });
  return executor;
}

/** Adds a validated task (TASK_STAGING) to the master's model and the timeline; returns the TaskInfo sent to the agent. */
export function recordLaunchedTask(m: Master, framework: Framework, agent: Agent, info: TaskInfo, executorId: string): TaskInfo {
  const taskId = info.task_id.value;
  const resources = Resources.from(info.resources ?? []);
  const normalized: TaskInfo = { ...info, resources: resources.toArray() };
  const task: Task = {
    frameworkId: framework.id,
    agentId: agent.id,
    executorId,
    info: normalized,
    state: "TASK_STAGING",
    statuses: [],
    resources,
    user: info.command?.user ?? framework.info.user,
    killRequested: false,
  };
  addTask(m, task);
  m.timeline.add({
    time: m.clock.now(),
    kind: "task",
    action: "TASK_STAGING",
    summary: `Task ${taskId} (${info.name}) launched on agent ${agent.info.hostname}`,
    frameworkId: framework.id,
    agentId: agent.id,
    taskId,
  });
  return normalized;
}
