// Renderers for the legacy (v0) JSON endpoints (/master/state, /master/frameworks, /master/slaves,
// /master/tasks): Mesos's keys and shapes (operator-api.md §5.1, Mesos common/http.cpp and
// master/http.cpp). Pure functions over master state returning JSON text fragments; the cache
// (./cache.ts) decides when to call them.
import type { Attribute, ExecutorInfo, TaskStatus } from "../../../protocol/mesos";
import type { Resource } from "../../../protocol/mesos";
import { reservationRole, type Resources } from "../../../resources";
import { formatRanges, canonicalRanges } from "../../../resources/ranges";
import type { Agent, Framework, Offer, Task } from "../../state";
import { arrayOf, flatObject, j, labelsArray, num, optField, secs, str } from "./json";

/** The parts of a task's JSON that never change for a given Task object (its TaskInfo). */
export interface LegacyTaskStatic {
  /** `{"id":…,"slave_id":…,"state":"` */
  head: string;
  /** `","resources":…,"role":…,"statuses":[` */
  mid: string;
  /** `]…}` */
  tail: string;
}

export function legacyTaskStatic(task: Task): LegacyTaskStatic {
  const info = task.info;
  const executorId = info.executor?.executor_id.value ?? "";
  // The TaskInfo's resources are the task's resources in wire form (normalised at launch). Using
  // them, not Resources.toArray(), matters: toArray's objects come from an allocation site V8
  // pretenures (the master keeps many of them), so temporary copies would land in old space.
  const role = info.resources?.[0]?.allocation_info?.role ?? "*";
  let limits = "";
  if (info.limits && Object.keys(info.limits).length > 0) {
    limits = `,"limits":${j(Object.fromEntries(Object.entries(info.limits).map(([k, v]) => [k, v.value])))}`;
  }
  const labels = info.labels?.labels?.length ? `,"labels":${labelsArray(info.labels.labels)}` : "";
  return {
    head: `{"id":${str(info.task_id.value)},"name":${str(info.name)},"framework_id":${str(task.frameworkId)},"executor_id":${str(executorId)},"slave_id":${str(task.agentId)},"state":"`,
    mid: `","resources":${flatObject(task.resources.summary())}${limits},"role":${str(role)},"statuses":[`,
    tail: `]${task.user === undefined ? "" : `,"user":${str(task.user)}`}${labels}${optField("discovery", info.discovery)}${optField("container", info.container)}${optField("health_check", info.health_check)}}`,
  };
}

/** One legacy status: state, timestamp, labels?, container_status?, healthy? (no message/reason). */
export function legacyStatus(s: TaskStatus): string {
  let out = `{"state":"${s.state}","timestamp":${num(s.timestamp ?? 0)}`;
  if (s.labels?.labels?.length) out += `,"labels":${labelsArray(s.labels.labels)}`;
  if (s.container_status) {
    const c = s.container_status as Record<string, unknown>;
    const kept: Record<string, unknown> = {};
    for (const key of ["container_id", "network_infos", "cgroup_info"]) if (c[key] !== undefined) kept[key] = c[key];
    out += `,"container_status":${j(kept)}`;
  }
  if (s.healthy !== undefined) out += `,"healthy":${s.healthy}`;
  return out + "}";
}

export function legacyStatuses(statuses: readonly TaskStatus[]): string {
  return statuses.map(legacyStatus).join(",");
}

/** Agent attributes as Mesos's legacy JSON object: scalars as numbers, the rest as text. */
export function legacyAttributes(attributes: readonly Attribute[]): string {
  const out: Record<string, string | number> = {};
  for (const a of attributes) {
    switch (a.type) {
      case "SCALAR":
        out[a.name] = a.scalar?.value ?? 0;
        break;
      case "RANGES":
        out[a.name] = formatRanges(canonicalRanges(a.ranges?.range ?? []), ", ");
        break;
      case "SET":
        out[a.name] = `{${(a.set?.item ?? []).join(", ")}}`;
        break;
      case "TEXT":
        out[a.name] = a.text?.value ?? "";
        break;
    }
  }
  return j(out);
}

/** `{role: summary}` of the reserved part of `total`, by the role at the top of each stack. */
export function reservedByRole(total: Resources): Map<string, Resource[]> {
  const byRole = new Map<string, Resource[]>();
  for (const r of total.reserved().toArray()) {
    const role = reservationRole(r);
    const list = byRole.get(role);
    if (list) list.push(r);
    else byRole.set(role, [r]);
  }
  return byRole;
}

/** The parts of an agent's JSON that depend only on its AgentInfo and total resources. */
export interface LegacyAgentStatic {
  /** `"hostname":…,"port":…,"attributes":…,"domain"?` */
  identity: string;
  resources: string;
  reserved: string;
  unreserved: string;
  /** /master/slaves extras. */
  reservedFull: string;
  unreservedFull: string;
}

export function legacyAgentStatic(agent: Pick<Agent, "info" | "total">, summarize: (r: Resources | readonly Resource[]) => string): LegacyAgentStatic {
  const reserved = reservedByRole(agent.total);
  const reservedSummary: string[] = [];
  const reservedFull: string[] = [];
  for (const [role, list] of reserved) {
    reservedSummary.push(`${j(role)}:${summarize(list)}`);
    reservedFull.push(`${j(role)}:${j(list)}`);
  }
  const info = agent.info;
  return {
    identity: `"hostname":${j(info.hostname)},"port":${j(info.port)},"attributes":${legacyAttributes(info.attributes)}${optField("domain", info.domain)}`,
    resources: summarize(agent.total),
    reserved: `{${reservedSummary.join(",")}}`,
    unreserved: summarize(agent.total.unreserved()),
    reservedFull: `{${reservedFull.join(",")}}`,
    unreservedFull: j(agent.total.unreserved().toArray()),
  };
}

export function agentPid(agent: Agent): string {
  return `slave(1)@${agent.endpoint}`;
}

/** Mesos's Slave::active: connected and not deactivated by an operator. */
export function agentActive(agent: Agent): boolean {
  return agent.connection === "connected" && !agent.deactivated;
}

export interface AgentDynamic {
  used: string;
  offered: string;
  /** Only for /master/slaves. */
  full?: { used: string; offered: string };
}

export function legacyAgent(agent: Agent, s: LegacyAgentStatic, d: AgentDynamic): string {
  let out = `{"id":${j(agent.id)},"pid":${j(agentPid(agent))},${s.identity},"registered_time":${j(secs(agent.registeredTime))}`;
  if (agent.reregisteredTime !== undefined) out += `,"reregistered_time":${j(secs(agent.reregisteredTime))}`;
  out += `,"resources":${s.resources},"used_resources":${d.used},"offered_resources":${d.offered},"reserved_resources":${s.reserved},"unreserved_resources":${s.unreserved}`;
  out += `,"active":${agentActive(agent)},"deactivated":${agent.deactivated},"version":${j(agent.version)},"capabilities":${j(agent.capabilities)}`;
  if (agent.drainInfo) out += `,"drain_info":${j(agent.drainInfo)}`;
  if (d.full) {
    out += `,"reserved_resources_full":${s.reservedFull},"unreserved_resources_full":${s.unreservedFull},"used_resources_full":${d.full.used},"offered_resources_full":${d.full.offered}`;
  }
  return out + "}";
}

/** A recovered (not yet re-registered) agent: its AgentInfo in legacy form. */
export function legacyAgentInfo(id: string, info: Agent["info"], summarize: (r: readonly Resource[]) => string): string {
  return `{"id":${j(id)},"hostname":${j(info.hostname)},"port":${j(info.port)},"attributes":${legacyAttributes(info.attributes ?? [])},"resources":${summarize(info.resources ?? [])}${optField("domain", info.domain)}}`;
}

export function legacyOffer(offer: Offer, summarize: (r: Resources) => string): string {
  return `{"id":${j(offer.id)},"framework_id":${j(offer.frameworkId)},"allocation_info":{"role":${j(offer.role)}},"slave_id":${j(offer.agentId)},"resources":${summarize(offer.resources)}}`;
}

/** json(ExecutorInfo) + slave_id. */
export function legacyExecutor(info: ExecutorInfo, frameworkId: string, agentId: string, summarize: (r: readonly Resource[]) => string): string {
  const c = info.command;
  const command = `{${c?.shell !== undefined ? `"shell":${c.shell},` : ""}${c?.value !== undefined ? `"value":${j(c.value)},` : ""}"argv":${j(c?.arguments ?? [])}${optField("environment", c?.environment)},"uris":${j((c?.uris ?? []).map((u) => ({ value: u.value, executable: u.executable ?? false })))}}`;
  const resources = info.resources ?? [];
  let out = `{"executor_id":${j(info.executor_id.value)},"name":${j(info.name ?? "")},"framework_id":${j(info.framework_id?.value ?? frameworkId)},"command":${command},"resources":${summarize(resources)}`;
  if (resources.length > 0) out += `,"role":${j(resources[0]!.allocation_info?.role ?? "*")}`;
  if (info.labels?.labels?.length) out += `,"labels":${j(info.labels.labels)}`;
  if (info.type) out += `,"type":${j(info.type)}`;
  return out + `,"slave_id":${j(agentId)}}`;
}

/** Framework fields before its task lists (Summary<Framework> + Full<Framework> scalars). */
export function legacyFrameworkHead(fw: Framework, usage: { used: string; offered: string; usedAndOffered: string }): string {
  const info = fw.info;
  const connected = fw.lifecycle === "connected";
  let out = `{"id":${j(fw.id)},"name":${j(info.name)},"used_resources":${usage.used},"offered_resources":${usage.offered}`;
  out += `,"capabilities":${j([...fw.capabilities])},"hostname":${j(info.hostname ?? "")},"webui_url":${j(info.webui_url ?? "")}`;
  out += `,"active":${connected},"connected":${connected},"recovered":${fw.lifecycle === "recovered"}`;
  out += `,"user":${j(info.user)},"failover_timeout":${j(info.failover_timeout ?? 0)},"checkpoint":${info.checkpoint ?? false}`;
  out += `,"registered_time":${j(secs(fw.registeredTime))},"unregistered_time":${j(secs(fw.unregisteredTime ?? 0))}`;
  if (info.principal !== undefined) out += `,"principal":${j(info.principal)}`;
  out += `,"resources":${usage.usedAndOffered}`;
  if (fw.reregisteredTime !== undefined && fw.reregisteredTime !== fw.registeredTime) out += `,"reregistered_time":${j(secs(fw.reregisteredTime))}`;
  out += fw.capabilities.has("MULTI_ROLE") ? `,"roles":${j(fw.roles)}` : `,"role":${j(info.role ?? "*")}`;
  return out;
}

/** Framework fields after its task lists. */
export function legacyFrameworkTail(fw: Framework, offers: readonly string[], executors: readonly string[]): string {
  let out = `,"offers":${arrayOf(offers)},"executors":${arrayOf(executors)}`;
  if (fw.info.labels?.labels?.length) out += `,"labels":${j(fw.info.labels.labels)}`;
  return out + "}";
}
