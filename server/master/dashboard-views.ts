// Server-side list queries for the dashboard: agents and tasks filtered, sorted and paginated on
// the master (the browser never receives the whole state), offers, and the palette's search.
// Pure functions of the master state, plus a small per-master cache of the per-agent figures
// that need a walk over the agent's tasks (allocation, task count, roles), kept fresh by the
// master's event bus. Rows are plain JSON objects.
import { isTerminalState, type TaskState } from "../protocol/mesos";
import { Resources } from "../resources";
import type { Master } from "./master";
import type { Agent, Task } from "./state";
import { allTasks, taskView, type Quantities, type TaskView } from "./views";
import { LIST_STALENESS_MS, SortedCache, page, sortBy, type SortDir } from "./dashboard-sort";

export { compare, page, sortBy, type SortDir } from "./dashboard-sort";

// ---- shared helpers ------------------------------------------------------------------------------

export function quantitiesOf(r: Resources): Quantities {
  const q = r.quantities();
  return { cpus: q.get("cpus") ?? 0, mem: q.get("mem") ?? 0, disk: q.get("disk") ?? 0, gpus: q.get("gpus") ?? 0, ports: q.get("ports") ?? 0 };
}

const ZERO: Quantities = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };

export function attributesOf(info: Agent["info"]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const a of info.attributes ?? []) {
    out[a.name] =
      a.type === "SCALAR" ? (a.scalar?.value ?? 0)
      : a.type === "TEXT" ? (a.text?.value ?? "")
      : a.type === "RANGES" ? (a.ranges?.range ?? []).map((r) => `[${r.begin}-${r.end}]`).join(",")
      : `{${(a.set?.item ?? []).join(",")}}`;
  }
  return out;
}

// ---- agents -------------------------------------------------------------------------------------

export const AGENT_STATES = ["connected", "disconnected", "recovered", "unreachable", "gone"] as const;
export type AgentState = (typeof AGENT_STATES)[number];
export const AGENT_SORTS = ["hostname", "id", "state", "cpus", "mem", "disk", "cpusUsed", "memUsed", "tasks", "registered"] as const;
export type AgentSort = (typeof AGENT_SORTS)[number];

export interface AgentQuery {
  /** A connection state, or "deactivated" / "draining" (operator flags). */
  state?: AgentState | "deactivated" | "draining";
  /** Agents with resources reserved for, or allocated to, this role. */
  role?: string;
  /** `name` (attribute present) or `name=value`. */
  attribute?: string;
  /** Substring of id, hostname or endpoint (case-insensitive). */
  text?: string;
  sort?: AgentSort;
  dir?: SortDir;
  offset?: number;
  limit?: number;
}

export interface AgentRow {
  id: string;
  hostname: string;
  endpoint: string;
  state: AgentState;
  deactivated: boolean;
  /** Drain state once agent draining exists (e.g. "DRAINING", "DRAINED"). */
  drain?: string;
  registeredTime?: number;
  /** When it became unreachable / gone. */
  since?: number;
  attributes: Record<string, string | number>;
  total: Quantities;
  allocated: Quantities;
  offered: Quantities;
  taskCount: number;
  roles: string[];
  version: string;
}

interface Derived {
  allocated: Quantities;
  taskCount: number;
  roles: string[];
  at: number;
}

/** Per-master cache of per-agent derived figures, invalidated by task and agent events. */
class AgentIndex {
  private readonly derived = new Map<string, Derived>();
  /** Bumped on every master event: cached sorts are valid only for the version they were made at. */
  version = 0;
  readonly agentSorts = new SortedCache<{ rows: AgentRow[]; states: AgentPage["states"] }>(LIST_STALENESS_MS);
  readonly taskSorts = new SortedCache<{ tasks: Task[]; states: Partial<Record<TaskState, number>> }>(LIST_STALENESS_MS);
  constructor(m: Master) {
    m.events.subscribe((e) => {
      this.version++;
      switch (e.type) {
        case "TASK_ADDED":
        case "TASK_UPDATED":
          this.derived.delete(e.task.agentId);
          return;
        case "AGENT_ADDED":
        case "AGENT_UPDATED":
          this.derived.delete(e.agent.id);
          return;
        case "AGENT_REMOVED":
          this.derived.delete(e.agentId);
          return;
      }
    });
  }

  /** Allocation, active task count and roles of one agent (recomputed at most every 10 s if no event says so). */
  of(agent: Agent, now: number): Derived {
    const cached = this.derived.get(agent.id);
    if (cached && now - cached.at < 10_000) return cached;
    let allocated = Resources.empty();
    let taskCount = 0;
    const roles = new Set<string>();
    for (const r of agent.total.reserved().toArray()) roles.add(r.reservations?.at(-1)?.role ?? r.role ?? "*");
    for (const tasks of agent.tasks.values()) {
      for (const t of tasks.values()) {
        if (isTerminalState(t.state)) continue;
        taskCount++;
        allocated = allocated.add(t.resources);
        for (const role of t.resources.allocations().keys()) roles.add(role);
      }
    }
    const d = { allocated: quantitiesOf(allocated), taskCount, roles: [...roles].sort(), at: now };
    this.derived.set(agent.id, d);
    return d;
  }
}

const indexes = new WeakMap<Master, AgentIndex>();
function agentIndex(m: Master): AgentIndex {
  let index = indexes.get(m);
  if (!index) indexes.set(m, (index = new AgentIndex(m)));
  return index;
}

function offeredOn(m: Master, agent: Agent): Quantities {
  if (agent.offeredIds.size === 0) return ZERO;
  let sum = Resources.empty();
  for (const id of agent.offeredIds) {
    const offer = m.offers.get(id);
    if (offer) sum = sum.add(offer.resources);
  }
  return quantitiesOf(sum);
}

/** Drain state (Mesos DrainInfo.state) of an agent or registry record, if draining/drained. */
function drainOf(agent: object): string | undefined {
  const info = (agent as { drainInfo?: { state?: string }; drain?: { state?: string } }).drainInfo ?? (agent as { drain?: { state?: string } }).drain;
  return info?.state;
}

/** Every agent the master knows: registered, awaiting re-registration, unreachable and gone. */
export function agentRows(m: Master): AgentRow[] {
  const now = m.clock.now();
  const index = agentIndex(m);
  const rows: AgentRow[] = [];
  for (const agent of m.agents.values()) {
    const d = index.of(agent, now);
    rows.push({
      id: agent.id,
      hostname: agent.info.hostname,
      endpoint: agent.endpoint,
      state: agent.connection,
      deactivated: agent.deactivated,
      drain: drainOf(agent),
      registeredTime: agent.reregisteredTime ?? agent.registeredTime,
      attributes: attributesOf(agent.info),
      total: quantitiesOf(agent.total),
      allocated: d.allocated,
      offered: offeredOn(m, agent),
      taskCount: d.taskCount,
      roles: d.roles,
      version: agent.version,
    });
  }
  // Agents not registered now: operator flags and drain state as the registry holds them.
  const record = (id: string) => m.registrar.view().agents.get(id);
  const empty = (id: string, state: AgentState, info: Agent["info"] | undefined, since?: number): AgentRow => ({
    id,
    hostname: info?.hostname ?? "",
    endpoint: "",
    state,
    deactivated: state !== "gone" && (record(id)?.deactivated ?? false),
    drain: state !== "gone" ? drainOf({ drainInfo: record(id)?.drainInfo }) : undefined,
    since,
    attributes: info ? attributesOf(info) : {},
    total: info ? quantitiesOf(Resources.from(info.resources ?? [])) : ZERO,
    allocated: ZERO,
    offered: ZERO,
    taskCount: 0,
    roles: [],
    version: "",
  });
  for (const r of m.recoveredAgents.values()) if (!m.agents.has(r.id)) rows.push(empty(r.id, "recovered", r.info));
  for (const u of m.unreachableAgents.values()) rows.push(empty(u.id, "unreachable", u.info, u.since));
  for (const [id, since] of m.goneAgents) rows.push(empty(id, "gone", undefined, since));
  return rows;
}

export function matchesAgent(row: AgentRow, q: AgentQuery): boolean {
  if (q.state === "deactivated") {
    if (!row.deactivated) return false;
  } else if (q.state === "draining") {
    if (!row.drain) return false;
  } else if (q.state && row.state !== q.state) return false;
  if (q.role && !row.roles.includes(q.role)) return false;
  if (q.attribute) {
    const eq = q.attribute.indexOf("=");
    const name = eq < 0 ? q.attribute : q.attribute.slice(0, eq);
    if (!(name in row.attributes)) return false;
    if (eq >= 0 && String(row.attributes[name]) !== q.attribute.slice(eq + 1)) return false;
  }
  if (q.text) {
    const t = q.text.toLowerCase();
    if (!row.id.toLowerCase().includes(t) && !row.hostname.toLowerCase().includes(t) && !row.endpoint.toLowerCase().includes(t)) return false;
  }
  return true;
}

const usage = (used: number, total: number) => (total > 0 ? used / total : 0);

const AGENT_KEYS: Record<AgentSort, (r: AgentRow) => string | number | undefined> = {
  hostname: (r) => r.hostname,
  id: (r) => r.id,
  state: (r) => r.state,
  cpus: (r) => r.total.cpus,
  mem: (r) => r.total.mem,
  disk: (r) => r.total.disk,
  cpusUsed: (r) => usage(r.allocated.cpus, r.total.cpus),
  memUsed: (r) => usage(r.allocated.mem, r.total.mem),
  tasks: (r) => r.taskCount,
  registered: (r) => r.registeredTime ?? r.since,
};

export interface AgentPage {
  total: number;
  /** Agents in the whole cluster by connection state (unfiltered), for the filter chips. */
  states: Record<AgentState | "deactivated", number>;
  rows: AgentRow[];
}

export function queryAgents(m: Master, q: AgentQuery = {}): AgentPage {
  const { offset, limit, ...view } = q;
  const index = agentIndex(m);
  const { rows, states } = index.agentSorts.get(JSON.stringify(view), index.version, m.clock.now(), () => {
    const all = agentRows(m);
    const states = { connected: 0, disconnected: 0, recovered: 0, unreachable: 0, gone: 0, deactivated: 0 };
    for (const r of all) {
      states[r.state]++;
      if (r.deactivated) states.deactivated++;
    }
    const matching = all.filter((r) => matchesAgent(r, view));
    sortBy(matching, AGENT_KEYS[view.sort ?? "hostname"], view.dir ?? "asc", (r) => r.id);
    return { rows: matching, states };
  });
  return { total: rows.length, states, rows: page(rows, offset, limit) };
}

// ---- tasks --------------------------------------------------------------------------------------

export const TASK_SORTS = ["updated", "started", "id", "name", "state", "cpus", "mem"] as const;
export type TaskSort = (typeof TASK_SORTS)[number];

export interface TaskQuery {
  /** One state, or "active" (not terminal) / "terminal". */
  state?: TaskState | "active" | "terminal";
  frameworkId?: string;
  agentId?: string;
  /** Substring of the task id or name (case-insensitive). */
  text?: string;
  sort?: TaskSort;
  dir?: SortDir;
  offset?: number;
  limit?: number;
  /** Only tasks the requester may see (server/security/visibility.ts), with its cache key. */
  visible?: { key: string; task(t: Task): boolean };
}

export interface TaskRow extends TaskView {
  frameworkName: string;
  agentHostname: string;
  /** Time of the first status update (ms). */
  startedTime?: number;
  killRequested: boolean;
}

export function matchesTask(t: Task, q: TaskQuery, text = q.text?.toLowerCase()): boolean {
  if (q.state === "active") {
    if (isTerminalState(t.state)) return false;
  } else if (q.state === "terminal") {
    if (!isTerminalState(t.state)) return false;
  } else if (q.state && t.state !== q.state) return false;
  if (q.frameworkId && t.frameworkId !== q.frameworkId) return false;
  if (q.agentId && t.agentId !== q.agentId) return false;
  if (text && !t.info.task_id.value.toLowerCase().includes(text) && !t.info.name.toLowerCase().includes(text)) return false;
  return true;
}

const lastTime = (t: Task) => t.statuses.at(-1)?.timestamp;
const firstTime = (t: Task) => t.statuses[0]?.timestamp;

const TASK_KEYS: Record<TaskSort, (t: Task) => string | number | undefined> = {
  updated: lastTime,
  started: firstTime,
  id: (t) => t.info.task_id.value,
  name: (t) => t.info.name,
  state: (t) => t.state,
  cpus: (t) => t.resources.scalar("cpus"),
  mem: (t) => t.resources.scalar("mem"),
};

export function taskRow(m: Master, t: Task): TaskRow {
  const fw = m.frameworks.get(t.frameworkId) ?? m.completedFrameworks.find((c) => c.framework.id === t.frameworkId)?.framework;
  const first = t.statuses[0]?.timestamp;
  return {
    ...taskView(t),
    frameworkName: fw?.info.name ?? "",
    agentHostname: m.agents.get(t.agentId)?.info.hostname ?? m.unreachableAgents.get(t.agentId)?.info.hostname ?? "",
    startedTime: first !== undefined ? first * 1000 : undefined,
    killRequested: t.killRequested,
  };
}

export interface TaskPage {
  total: number;
  /** Matching tasks by state, ignoring the state filter (for the filter chips). */
  states: Partial<Record<TaskState, number>>;
  rows: TaskRow[];
}

export function queryTasks(m: Master, q: TaskQuery = {}): TaskPage {
  const { offset, limit, visible, ...view } = q;
  const index = agentIndex(m);
  const cacheKey = JSON.stringify(visible ? { ...view, visible: visible.key } : view);
  const { tasks, states } = index.taskSorts.get(cacheKey, index.version, m.clock.now(), () => {
    const text = view.text?.toLowerCase();
    const states: Partial<Record<TaskState, number>> = {};
    const unfilteredState = { ...view, state: undefined };
    const matching: Task[] = [];
    for (const t of allTasks(m)) {
      if (visible && !visible.task(t)) continue;
      if (!matchesTask(t, unfilteredState, text)) continue;
      states[t.state] = (states[t.state] ?? 0) + 1;
      if (matchesTask(t, view, text)) matching.push(t);
    }
    sortBy(matching, TASK_KEYS[view.sort ?? "updated"], view.dir ?? "desc", (t) => t.info.task_id.value);
    return { tasks: matching, states };
  });
  return { total: tasks.length, states, rows: page(tasks, offset, limit).map((t) => taskRow(m, t)) };
}

// ---- offers -------------------------------------------------------------------------------------

export interface OfferRow {
  id: string;
  frameworkId: string;
  frameworkName: string;
  agentId: string;
  agentHostname: string;
  role: string;
  resources: Quantities;
  /** Compact text of the offered resources (reservations included). */
  text: string;
  createdAt: number;
}

export function offerRows(m: Master): OfferRow[] {
  const rows: OfferRow[] = [];
  for (const o of m.offers.values()) {
    rows.push({
      id: o.id,
      frameworkId: o.frameworkId,
      frameworkName: m.frameworks.get(o.frameworkId)?.info.name ?? "",
      agentId: o.agentId,
      agentHostname: m.agents.get(o.agentId)?.info.hostname ?? "",
      role: o.role,
      resources: quantitiesOf(o.resources),
      text: o.resources.toString(),
      createdAt: o.createdAt,
    });
  }
  return rows.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}
