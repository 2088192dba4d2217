// The agent's `/state` JSON (operator-api.md §5.3): the keys Mesos tools and dashboards read.
// Pure view of the agent model.
import type { Attribute, Resource, TaskStatus } from "../protocol/mesos";
import { Resources } from "../resources";
import type { Agent } from "./agent";
import { AGENT_CAPABILITIES, AGENT_VERSION } from "./agent";
import { containerResources, type ExecutorRecord, type FrameworkRecord, type TaskRecord } from "./state";

type Json = Record<string, unknown>;

const summary = (resources: readonly Resource[] | undefined) => Resources.from(resources ?? []).summary();

/** Attributes as Mesos's legacy JSON: `{name: value}` (scalars numbers; ranges/sets/text strings). */
export function attributesJson(attributes: readonly Attribute[]): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const a of attributes) {
    if (a.type === "SCALAR") out[a.name] = a.scalar?.value ?? 0;
    else if (a.type === "TEXT") out[a.name] = a.text?.value ?? "";
    else if (a.type === "RANGES") out[a.name] = `[${(a.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(", ")}]`;
    else out[a.name] = `{${(a.set?.item ?? []).join(", ")}}`;
  }
  return out;
}

function statusJson(s: TaskStatus): Json {
  return {
    state: s.state,
    timestamp: s.timestamp,
    ...(s.labels !== undefined ? { labels: s.labels } : {}),
    ...(s.container_status !== undefined ? { container_status: s.container_status } : {}),
    ...(s.healthy !== undefined ? { healthy: s.healthy } : {}),
  };
}

function taskJson(t: TaskRecord, agentId: string, role: string): Json {
  return {
    id: t.info.task_id.value,
    name: t.info.name,
    framework_id: t.frameworkId,
    executor_id: t.executorId,
    slave_id: agentId,
    state: t.state,
    resources: summary(t.info.resources),
    role,
    statuses: t.statuses.map(statusJson),
    ...(t.info.labels !== undefined ? { labels: t.info.labels } : {}),
    ...(t.info.discovery !== undefined ? { discovery: t.info.discovery } : {}),
    ...(t.info.container !== undefined ? { container: t.info.container } : {}),
    ...(t.info.health_check !== undefined ? { health_check: t.info.health_check } : {}),
  };
}

function executorJson(e: ExecutorRecord, agentId: string, role: string): Json {
  const tasks = [...e.tasks.values()];
  return {
    id: e.executorId,
    name: e.info.name ?? "",
    source: e.info.source ?? "",
    container: e.containerId,
    directory: e.directory,
    resources: summary(containerResources(e)),
    role,
    ...(e.kind === "custom" ? { type: e.info.type ?? "CUSTOM" } : {}),
    ...(e.info.labels !== undefined ? { labels: e.info.labels } : {}),
    tasks: tasks.filter((t) => !t.queued).map((t) => taskJson(t, agentId, role)),
    queued_tasks: tasks.filter((t) => t.queued).map((t) => taskJson(t, agentId, role)),
    completed_tasks: e.completedTasks.map((t) => taskJson(t, agentId, role)),
  };
}

function frameworkJson(f: FrameworkRecord, agentId: string): Json {
  const role = f.info.roles?.[0] ?? f.info.role ?? "*";
  return {
    id: f.id,
    name: f.info.name,
    user: f.info.user,
    failover_timeout: f.info.failover_timeout ?? 0,
    checkpoint: f.info.checkpoint ?? false,
    hostname: f.info.hostname ?? "",
    ...(f.info.principal !== undefined ? { principal: f.info.principal } : {}),
    ...(f.info.roles !== undefined ? { roles: f.info.roles } : { role }),
    executors: [...f.executors.values()].map((e) => executorJson(e, agentId, role)),
    completed_executors: f.completedExecutors.map((e) => executorJson(e, agentId, role)),
  };
}

export function agentStateJson(agent: Agent): Json {
  const info = agent.info;
  const agentId = agent.agentId ?? "";
  // Static resources with the checkpointed dynamic reservations and persistent volumes applied.
  const total = agent.volumes?.total() ?? Resources.from(info.resources);
  const reserved: Record<string, unknown> = {};
  for (const [role, resources] of reservedByRole(total)) reserved[role] = resources.summary();
  return {
    version: AGENT_VERSION,
    build_date: "",
    build_time: 0,
    build_user: "",
    start_time: agent.startTime / 1000,
    id: agentId,
    pid: `slave(1)@${agent.endpoint}`,
    hostname: info.hostname,
    capabilities: AGENT_CAPABILITIES,
    resources: total.summary(),
    reserved_resources: reserved,
    unreserved_resources: total.unreserved().summary(),
    reserved_resources_full: Object.fromEntries([...reservedByRole(total)].map(([role, r]) => [role, r.toArray()])),
    unreserved_resources_full: total.unreserved().toArray(),
    attributes: attributesJson(info.attributes),
    ...(agent.masterHostname !== undefined ? { master_hostname: agent.masterHostname } : {}),
    flags: agent.options.flags,
    // Plateau extension: the isolation in force (posix = usage monitored, limits NOT enforced).
    isolation: {
      isolators: agent.containerizer.isolation.isolators.join(","),
      mode: agent.containerizer.isolation.mode,
      enforcing: agent.containerizer.isolation.enforcing,
      ...(agent.containerizer.isolation.cgroupsVersion !== undefined ? { cgroups_version: agent.containerizer.isolation.cgroupsVersion } : {}),
      ...(agent.containerizer.isolation.cgroupsRoot !== undefined ? { cgroups_root: agent.containerizer.isolation.cgroupsRoot } : {}),
      ...(agent.containerizer.isolation.note !== undefined ? { note: agent.containerizer.isolation.note } : {}),
    },
    frameworks: [...agent.state.frameworks.values()].map((f) => frameworkJson(f, agentId)),
    completed_frameworks: agent.state.completedFrameworks.map((f) => frameworkJson(f, agentId)),
  };
}

function reservedByRole(total: Resources): Map<string, Resources> {
  const out = new Map<string, Resources>();
  for (const r of total.reserved().toArray()) {
    const stack = r.reservations ?? [];
    const role = stack[stack.length - 1]?.role ?? r.role ?? "*";
    out.set(role, (out.get(role) ?? Resources.empty()).add([r]));
  }
  return out;
}
