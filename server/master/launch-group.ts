// LAUNCH_GROUP (scheduler-api.md, offer operations): a task group is delivered atomically to one
// executor — Plateau's default executor (`ExecutorInfo.type = DEFAULT`, run by the agent) or a
// custom one, which then gets a LAUNCH_GROUP event. All tasks launch or none: one invalid task,
// or a group that does not fit in the offered resources, fails every task of the group with
// TASK_ERROR / REASON_TASK_GROUP_INVALID (master/validation.cpp's task-group rules).
import type { ExecutorInfo, OfferOperation, TaskInfo } from "../protocol/mesos";
import { Resources } from "../resources";
import { executorResourcesToAllocate, recordLaunchedTask, trackExecutor, validateExecutor, validateTaskFields, withAllocationInfo } from "./accept";
import type { Master } from "./master";
import type { Agent, Framework } from "./state";
import { masterStatus } from "./task-lifecycle";

/** Validates a task group against the pooled offer resources; null when it may launch. */
export function validateTaskGroup(framework: Framework, agent: Agent, executor: ExecutorInfo, tasks: TaskInfo[], available: Resources, launchedHere: Set<string>): string | null {
  if (tasks.length === 0) return "Task group cannot be empty";
  const executorError = validateExecutor(framework, agent, executor, true);
  if (executorError) return `Task group has invalid ExecutorInfo: ${executorError}`;
  const inGroup = new Set<string>();
  for (const task of tasks) {
    const taskId = task.task_id.value;
    if (inGroup.has(taskId)) return `Task group has duplicate task ID: ${taskId}`;
    inGroup.add(taskId);
    if (task.executor) return `Task '${taskId}' must not have 'TaskInfo.executor' set: the group's executor runs it`;
    if (executor.type === "DEFAULT" && !task.command) return `Task '${taskId}' has no CommandInfo: the default executor runs commands`;
    const error = validateTaskFields(framework, agent, task, launchedHere);
    if (error) return `Task '${taskId}' is invalid: ${error}`;
  }
  const needed = groupResources(framework, agent, executor, tasks);
  const roles = new Set(needed.toArray().map((r) => r.allocation_info?.role));
  if (roles.size > 1) return "Task group uses resources allocated to multiple roles";
  if (!available.contains(needed)) {
    return `Task group uses more resources ${needed.toString()} than available ${available.toString()}`;
  }
  return null;
}

/** What the group consumes from the offer: its tasks, plus its executor when it is not running yet. */
function groupResources(framework: Framework, agent: Agent, executor: ExecutorInfo, tasks: TaskInfo[]): Resources {
  let total = executorResourcesToAllocate(framework, agent, executor);
  for (const task of tasks) total = total.add(Resources.from(task.resources ?? []));
  return total;
}

/** Applies one LAUNCH_GROUP operation; returns what is left of the pooled offer resources. */
export function launchGroup(
  m: Master,
  framework: Framework,
  agent: Agent,
  op: OfferOperation,
  roles: Set<string>,
  available: Resources,
  launchedHere: Set<string>,
): Resources {
  const group = op.launch_group;
  const tasks = (group?.task_group.tasks ?? []).map((t) => withAllocationInfo(t, roles));
  const executorInfo = group ? withAllocationInfo({ name: "", task_id: { value: "" }, agent_id: { value: "" }, executor: group.executor }, roles).executor! : undefined;
  const error = executorInfo === undefined
    ? "LAUNCH_GROUP operation without 'launch_group'"
    : op.id !== undefined
      ? "The 'id' field was set in an offer operation of type LAUNCH_GROUP: operation feedback is not supported for it"
      : validateTaskGroup(framework, agent, executorInfo, tasks, available, launchedHere);
  if (error !== null || executorInfo === undefined) {
    for (const task of tasks) {
      m.sendStatusUpdate(framework, masterStatus(m, { taskId: task.task_id.value, agentId: agent.id }, "TASK_ERROR", "REASON_TASK_GROUP_INVALID", error ?? "invalid task group"));
      m.counters.countTerminal("TASK_ERROR", "SOURCE_MASTER", "REASON_TASK_GROUP_INVALID");
    }
    return available;
  }
  const consumed = groupResources(framework, agent, executorInfo, tasks);
  const executor = trackExecutor(framework, agent, executorInfo);
  const launched = tasks.map((task) => {
    launchedHere.add(task.task_id.value);
    return recordLaunchedTask(m, framework, agent, { ...task, executor }, executor.executor_id.value);
  });
  if (agent.link && agent.connection === "connected") {
    // The agent gets TaskInfos without `executor` (as in a TaskGroupInfo) plus the executor once.
    agent.link.send({
      type: "RUN_TASK_GROUP",
      framework: framework.info,
      executor,
      task_group: { tasks: launched.map(({ executor: _executor, ...task }) => task) },
    });
  }
  return available.subtract(consumed);
}
