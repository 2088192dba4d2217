// Read-only views of the master state for the dashboard and the public handle: plain,
// JSON-serialisable objects (no class instances), cheap to build.
import { isTerminalState, type TaskState } from "../protocol/mesos";
import { Resources } from "../resources";
import type { Master } from "./master";
import { currentQuotas, currentWeights, roleConsumption } from "./roles";
import type { Agent, Framework, Task } from "./state";

export const SUMMARY_RESOURCES = ["cpus", "mem", "disk", "gpus", "ports"] as const;
export type ResourceName = (typeof SUMMARY_RESOURCES)[number];
export type Quantities = Record<ResourceName, number>;

function quantities(r: Resources): Quantities {
  const q = r.quantities();
  return { cpus: q.get("cpus") ?? 0, mem: q.get("mem") ?? 0, disk: q.get("disk") ?? 0, gpus: q.get("gpus") ?? 0, ports: q.get("ports") ?? 0 };
}

function activeTaskResources(agent: Agent): Resources {
  let sum = Resources.empty();
  for (const tasks of agent.tasks.values()) for (const t of tasks.values()) if (!isTerminalState(t.state)) sum = sum.add(t.resources);
  return sum;
}

function offeredResources(m: Master, ids: Iterable<string>): Resources {
  let sum = Resources.empty();
  for (const id of ids) {
    const offer = m.offers.get(id);
    if (offer) sum = sum.add(offer.resources);
  }
  return sum;
}

export interface ClusterOverview {
  masterId: string;
  hostname: string;
  version: string;
  startTime: number;
  electedTime?: number;
  leading: boolean;
  resources: { total: Quantities; allocated: Quantities; offered: Quantities; idle: Quantities };
  agents: { connected: number; disconnected: number; recovered: number; unreachable: number; gone: number; deactivated: number };
  frameworks: { connected: number; disconnected: number; recovered: number; completed: number };
  tasks: Partial<Record<TaskState, number>>;
  outstandingOffers: number;
}

export function clusterOverview(m: Master): ClusterOverview {
  let total = Resources.empty();
  let allocated = Resources.empty();
  const agents = { connected: 0, disconnected: 0, recovered: m.recoveredAgents.size, unreachable: m.unreachableAgents.size, gone: m.goneAgents.size, deactivated: 0 };
  for (const agent of m.agents.values()) {
    total = total.add(agent.total);
    allocated = allocated.add(activeTaskResources(agent));
    if (agent.connection === "connected") agents.connected++;
    else agents.disconnected++;
    if (agent.deactivated) agents.deactivated++;
  }
  const offered = offeredResources(m, m.offers.keys());
  const t = quantities(total);
  const a = quantities(allocated);
  const o = quantities(offered);
  const idle = Object.fromEntries(SUMMARY_RESOURCES.map((k) => [k, Math.max(0, round3(t[k] - a[k] - o[k]))])) as Quantities;
  const frameworks = { connected: 0, disconnected: 0, recovered: 0, completed: m.completedFrameworks.length };
  const tasks: Partial<Record<TaskState, number>> = {};
  const countTask = (task: Task) => (tasks[task.state] = (tasks[task.state] ?? 0) + 1);
  for (const fw of m.frameworks.values()) {
    frameworks[fw.lifecycle]++;
    for (const task of fw.tasks.values()) countTask(task);
    for (const task of fw.unreachableTasks.values()) countTask(task);
    for (const task of fw.completedTasks) countTask(task);
  }
  for (const c of m.completedFrameworks) for (const task of c.framework.completedTasks) countTask(task);
  return {
    masterId: m.id,
    hostname: m.info.hostname,
    version: m.info.version,
    startTime: m.startTime,
    electedTime: m.electedTime,
    leading: m.isLeading,
    resources: { total: t, allocated: a, offered: o, idle },
    agents,
    frameworks,
    tasks,
    outstandingOffers: m.offers.size,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export interface AgentView {
  id: string;
  hostname: string;
  endpoint: string;
  connection: Agent["connection"] | "unreachable";
  deactivated: boolean;
  registeredTime: number;
  reregisteredTime?: number;
  attributes: Record<string, string | number>;
  total: Quantities;
  allocated: Quantities;
  offered: Quantities;
  taskCount: number;
  version: string;
}

export function agentView(m: Master, agent: Agent): AgentView {
  let taskCount = 0;
  for (const tasks of agent.tasks.values()) for (const t of tasks.values()) if (!isTerminalState(t.state)) taskCount++;
  const attributes: Record<string, string | number> = {};
  for (const a of agent.info.attributes) {
    attributes[a.name] = a.type === "SCALAR" ? (a.scalar?.value ?? 0) : a.type === "TEXT" ? (a.text?.value ?? "") : a.type === "RANGES" ? (a.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(",") : (a.set?.item ?? []).join(",");
  }
  return {
    id: agent.id,
    hostname: agent.info.hostname,
    endpoint: agent.endpoint,
    connection: agent.connection,
    deactivated: agent.deactivated,
    registeredTime: agent.registeredTime,
    reregisteredTime: agent.reregisteredTime,
    attributes,
    total: quantities(agent.total),
    allocated: quantities(activeTaskResources(agent)),
    offered: quantities(offeredResources(m, agent.offeredIds)),
    taskCount,
    version: agent.version,
  };
}

export interface FrameworkView {
  id: string;
  name: string;
  user: string;
  principal?: string;
  roles: string[];
  lifecycle: Framework["lifecycle"] | "completed";
  capabilities: string[];
  registeredTime: number;
  reregisteredTime?: number;
  unregisteredTime?: number;
  failoverTimeoutSeconds: number;
  webuiUrl?: string;
  activeTasks: number;
  offers: number;
  allocated: Quantities;
}

export function frameworkView(m: Master, fw: Framework, completed = false): FrameworkView {
  let allocated = Resources.empty();
  let activeTasks = 0;
  for (const t of fw.tasks.values()) {
    if (isTerminalState(t.state)) continue;
    activeTasks++;
    allocated = allocated.add(t.resources);
  }
  return {
    id: fw.id,
    name: fw.info.name,
    user: fw.info.user,
    principal: fw.info.principal,
    roles: fw.roles,
    lifecycle: completed ? "completed" : fw.lifecycle,
    capabilities: [...fw.capabilities],
    registeredTime: fw.registeredTime,
    reregisteredTime: fw.reregisteredTime,
    unregisteredTime: fw.unregisteredTime,
    failoverTimeoutSeconds: fw.info.failover_timeout ?? 0,
    webuiUrl: fw.info.webui_url,
    activeTasks,
    offers: fw.offers.size,
    allocated: quantities(allocated),
  };
}

export interface TaskView {
  id: string;
  name: string;
  frameworkId: string;
  agentId: string;
  state: TaskState;
  statusUpdateState?: TaskState;
  resources: Quantities;
  lastStatusTime?: number;
  lastMessage?: string;
  lastReason?: string;
  healthy?: boolean;
  command?: string;
}

export function taskView(task: Task): TaskView {
  const last = task.statuses.at(-1);
  return {
    id: task.info.task_id.value,
    name: task.info.name,
    frameworkId: task.frameworkId,
    agentId: task.agentId,
    state: task.state,
    statusUpdateState: task.statusUpdateState,
    resources: quantities(task.resources),
    lastStatusTime: last?.timestamp !== undefined ? last.timestamp * 1000 : undefined,
    lastMessage: last?.message,
    lastReason: last?.reason,
    healthy: last?.healthy,
    command: task.info.command?.value,
  };
}

/** All tasks the master knows: active, unreachable and completed (newest completed last). */
export function allTasks(m: Master): Task[] {
  const out: Task[] = [];
  for (const fw of m.frameworks.values()) {
    out.push(...fw.tasks.values(), ...fw.unreachableTasks.values(), ...fw.completedTasks);
  }
  for (const c of m.completedFrameworks) out.push(...c.framework.completedTasks);
  return out;
}

export interface RoleFrameworkView {
  id: string;
  name: string;
  /** Dominant share of the framework's allocation (offered + used) in this role. */
  dominantShare: number;
  active: boolean;
  suppressed: boolean;
}

export interface RoleView {
  name: string;
  weight: number;
  /** Quota, with what the role subtree consumes (reservations + unreserved offered/used). */
  quota?: { guarantees: Record<string, number>; limits: Record<string, number>; consumed: Record<string, number> };
  /** Resources of live tasks in this role. */
  allocated: Quantities;
  offered: Quantities;
  /** Reserved for exactly this role on registered agents. */
  reserved: Quantities;
  /** The role's dominant share among roles (offered + used, unweighted). */
  dominantShare: number;
  frameworks: RoleFrameworkView[];
}

/** Roles the master knows of — subscribed, holding tasks/offers/reservations, weighted or with quota. */
export function rolesView(m: Master): RoleView[] {
  const snapshot = m.allocator.snapshot?.();
  const weights = new Map(currentWeights(m).map((w) => [w.role, w.weight]));
  const quotas = new Map(currentQuotas(m).map((q) => [q.role, q]));
  const allocated = new Map<string, Resources>();
  const offered = new Map<string, Resources>();
  const reserved = new Map<string, Resources>();
  const bump = (into: Map<string, Resources>, role: string, r: Resources) => into.set(role, (into.get(role) ?? Resources.empty()).add(r));
  for (const agent of m.agents.values()) {
    for (const r of agent.total.reserved().toArray()) bump(reserved, r.reservations!.at(-1)!.role ?? "*", Resources.from([r]));
    for (const tasks of agent.tasks.values()) {
      for (const t of tasks.values()) if (!isTerminalState(t.state)) for (const [role, part] of t.resources.allocations()) bump(allocated, role, part);
    }
  }
  for (const offer of m.offers.values()) bump(offered, offer.role, offer.resources);

  const names = new Set<string>([...weights.keys(), ...quotas.keys(), ...allocated.keys(), ...offered.keys(), ...reserved.keys()]);
  for (const fw of m.frameworks.values()) for (const role of fw.roles) names.add(role);
  for (const r of snapshot?.roles ?? []) if (r.frameworks.length > 0 || Object.keys(r.allocated).length > 0) names.add(r.role);

  const byRole = new Map((snapshot?.roles ?? []).map((r) => [r.role, r]));
  return [...names].sort().map((name) => {
    const snap = byRole.get(name);
    const quota = quotas.get(name);
    const frameworks: RoleFrameworkView[] = [];
    for (const fw of m.frameworks.values()) {
      const share = snap?.frameworks.find((f) => f.frameworkId === fw.id);
      if (!fw.roles.includes(name) && !share) continue;
      frameworks.push({
        id: fw.id,
        name: fw.info.name,
        dominantShare: share?.dominantShare ?? 0,
        active: share?.active ?? fw.lifecycle === "connected",
        suppressed: fw.suppressedRoles.has(name),
      });
    }
    return {
      name,
      weight: weights.get(name) ?? 1,
      quota: quota && {
        guarantees: { ...quota.guarantees },
        limits: { ...quota.limits },
        consumed: snap?.consumed ?? roleConsumption(m, name, { includeOffers: true }),
      },
      allocated: quantities(allocated.get(name) ?? Resources.empty()),
      offered: quantities(offered.get(name) ?? Resources.empty()),
      reserved: quantities(reserved.get(name) ?? Resources.empty()),
      dominantShare: snap?.dominantShare ?? 0,
      frameworks,
    };
  });
}
