// Renderers for the v1 operator API (GET_STATE, GET_TASKS, GET_AGENTS, GET_FRAMEWORKS,
// GET_EXECUTORS and the SUBSCRIBE events): protobuf JSON of the v1 master.proto messages
// (operator-api.md §2.1) with scheduler-api.md §0's conventions — enum names, `{"value":…}` ids,
// `{"nanoseconds":…}` times, empty repeated fields omitted, non-deprecated proto defaults emitted.
import type { ExecutorInfo, TaskStatus } from "../../../protocol/mesos";
import type { Master } from "../../master";
import { offerToWire } from "../../offers";
import type { Agent, Framework, Offer, Task } from "../../state";
import { agentActive, agentPid } from "./legacy";
import { idJson, j, labelsArray, optField, str, timeInfo } from "./json";

/** The parts of a v1 Task that never change for a given Task object. */
export interface V1TaskStatic {
  /** `{"name":…,"agent_id":…,"state":"` */
  head: string;
  /** `","resources":[…]` */
  resources: string;
  /** `,"labels":…,…}` */
  tail: string;
}

export function v1TaskStatic(task: Task): V1TaskStatic {
  const info = task.info;
  const executor = info.executor ? `,"executor_id":${idJson(info.executor.executor_id.value)}` : "";
  let tail = "";
  if (info.labels?.labels?.length) tail += `,"labels":{"labels":${labelsArray(info.labels.labels)}}`;
  tail += optField("discovery", info.discovery) + optField("container", info.container) + optField("health_check", info.health_check) + optField("kill_policy", info.kill_policy);
  if (task.user !== undefined) tail += `,"user":${str(task.user)}`;
  if (info.limits && Object.keys(info.limits).length > 0) tail += `,"limits":${j(info.limits)}`;
  return {
    head: `{"name":${str(info.name)},"task_id":${idJson(info.task_id.value)},"framework_id":${idJson(task.frameworkId)}${executor},"agent_id":${idJson(task.agentId)},"state":"`,
    resources: `","resources":${j(info.resources ?? task.resources.toArray())}`, // wire form kept in the TaskInfo (see legacyTaskStatic)
    tail: tail + "}",
  };
}

/** A TaskStatus as stored in a Task (the `data` payload is not kept). */
export function v1Status(s: TaskStatus): string {
  if (s.data === undefined) return j(s);
  const { data: _data, ...rest } = s;
  return j(rest);
}

/** The changing part of a v1 Task: statuses and the pending status update. */
export function v1TaskDynamic(task: Task): string {
  let out = task.statuses.length > 0 ? `,"statuses":[${task.statuses.map(v1Status).join(",")}]` : "";
  if (task.statusUpdateState !== undefined) out += `,"status_update_state":"${task.statusUpdateState}"`;
  if (task.statusUpdateUuid !== undefined) out += `,"status_update_uuid":${j(task.statusUpdateUuid)}`;
  return out;
}

/** AgentInfo as protobuf JSON (`port` defaults to 5051). */
export function v1AgentInfo(id: string, info: Agent["info"]): string {
  const out: Record<string, unknown> = { hostname: info.hostname, port: info.port ?? 5051 };
  if (info.resources?.length) out.resources = info.resources;
  if (info.attributes?.length) out.attributes = info.attributes;
  out.id = { value: id };
  if (info.domain) out.domain = info.domain;
  return j(out);
}

/** GetAgents.Agent; `infoJson`/`totalJson` come from the cache, `allocated`/`offered` are arrays. */
export function v1Agent(agent: Agent, infoJson: string, totalJson: string, allocated: string, offered: string): string {
  let out = `{"agent_info":${infoJson},"active":${agentActive(agent)},"deactivated":${agent.deactivated},"version":${j(agent.version)},"pid":${j(agentPid(agent))}`;
  out += `,"registered_time":${timeInfo(agent.registeredTime)}`;
  if (agent.reregisteredTime !== undefined) out += `,"reregistered_time":${timeInfo(agent.reregisteredTime)}`;
  if (totalJson !== "[]") out += `,"total_resources":${totalJson}`;
  if (allocated !== "[]") out += `,"allocated_resources":${allocated}`;
  if (offered !== "[]") out += `,"offered_resources":${offered}`;
  if (agent.capabilities.length > 0) out += `,"capabilities":${j(agent.capabilities.map((type) => ({ type })))}`;
  if (agent.drainInfo) out += `,"drain_info":${j(agent.drainInfo)}`;
  return out + "}";
}

/** FrameworkInfo as protobuf JSON, with the explicit proto defaults Mesos emits. */
export function v1FrameworkInfo(fw: Framework): string {
  const info = fw.info;
  return j({ ...info, failover_timeout: info.failover_timeout ?? 0, checkpoint: info.checkpoint ?? false });
}

/** GetFrameworks.Framework. `withResources` false for stream events (no offers/resources). */
export function v1Framework(
  m: Master,
  fw: Framework,
  infoJson: string,
  resources?: { allocated: string; offered: string },
  completed = false,
): string {
  const connected = !completed && fw.lifecycle === "connected";
  let out = `{"framework_info":${infoJson},"active":${connected},"connected":${connected},"recovered":${!completed && fw.lifecycle === "recovered"}`;
  out += `,"registered_time":${timeInfo(fw.registeredTime)}`;
  if (fw.reregisteredTime !== undefined) out += `,"reregistered_time":${timeInfo(fw.reregisteredTime)}`;
  if (fw.unregisteredTime !== undefined) out += `,"unregistered_time":${timeInfo(fw.unregisteredTime)}`;
  if (resources && !completed) {
    const offers: string[] = [];
    for (const id of fw.offers) {
      const offer = m.offers.get(id);
      const agent = offer && m.agents.get(offer.agentId);
      if (offer && agent) offers.push(j(offerToWire(m, offer, fw, agent)));
    }
    if (offers.length > 0) out += `,"offers":[${offers.join(",")}]`;
    const inverse = m.maintenance?.inverse.of(fw.id) ?? [];
    if (inverse.length > 0) out += `,"inverse_offers":${j(inverse)}`;
    if (resources.allocated !== "[]") out += `,"allocated_resources":${resources.allocated}`;
    if (resources.offered !== "[]") out += `,"offered_resources":${resources.offered}`;
  }
  return out + "}";
}

/** GetExecutors.Executor. */
export function v1Executor(info: ExecutorInfo, agentId: string): string {
  return `{"executor_info":${j(info)},"agent_id":${idJson(agentId)}}`;
}

/** Resources of outstanding offers, as a wire array. */
export function offeredArray(offers: readonly Offer[]): string {
  const list = offers.flatMap((o) => o.resources.toArray());
  return j(list);
}
