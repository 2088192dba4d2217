// Detail views for the dashboard (one agent, framework or task), the filtered timeline and the
// downsampled metric history. Pure functions of the master state; plain JSON results.
import { isTerminalState, type TaskState } from "../protocol/mesos";
import { Resources, isPersistentVolume, reservationRole } from "../resources";
import { agentRows, offerRows, quantitiesOf, taskRow, type AgentRow, type OfferRow, type TaskRow } from "./dashboard-views";
import type { Master } from "./master";
import type { MetricSample } from "./metrics";
import type { Framework, Task } from "./state";
import type { TimelineEntry, TimelineKind } from "./timeline";
import { frameworkView, type FrameworkView, type Quantities } from "./views";

// ---- agent --------------------------------------------------------------------------------------

export interface ReservationGroup {
  role: string;
  principal?: string;
  quantities: Quantities;
  text: string;
}

export interface VolumeView {
  id: string;
  role: string;
  principal?: string;
  sizeMb: number;
  containerPath?: string;
  mode?: string;
}

export interface AgentDetail extends AgentRow {
  /** Unreserved resources, compact text. */
  unreservedText: string;
  totalText: string;
  reservations: ReservationGroup[];
  volumes: VolumeView[];
  capabilities: string[];
  offers: OfferRow[];
  /** Active tasks by framework (id, name, count). */
  frameworks: { id: string; name: string; tasks: number }[];
  executors: number;
  domain?: { region: string; zone: string };
}

export function agentDetail(m: Master, agentId: string): AgentDetail | null {
  const row = agentRows(m).find((r) => r.id === agentId);
  if (!row) return null;
  const agent = m.agents.get(agentId);
  const total = agent?.total ?? Resources.from(m.recoveredAgents.get(agentId)?.info.resources ?? m.unreachableAgents.get(agentId)?.info.resources ?? []);
  const byRole = new Map<string, Resources>();
  const principals = new Map<string, string | undefined>();
  for (const r of total.reserved().toArray()) {
    const role = reservationRole(r);
    byRole.set(role, (byRole.get(role) ?? Resources.empty()).add(Resources.from([r])));
    principals.set(role, principals.get(role) ?? r.reservations?.at(-1)?.principal);
  }
  const volumes: VolumeView[] = total
    .toArray()
    .filter(isPersistentVolume)
    .map((r) => ({
      id: r.disk!.persistence!.id,
      role: reservationRole(r),
      principal: r.disk!.persistence!.principal,
      sizeMb: r.scalar?.value ?? 0,
      containerPath: r.disk?.volume?.container_path,
      mode: r.disk?.volume?.mode,
    }));
  const frameworks: AgentDetail["frameworks"] = [];
  let executors = 0;
  if (agent) {
    for (const [fwId, tasks] of agent.tasks) {
      const active = [...tasks.values()].filter((t) => !isTerminalState(t.state)).length;
      frameworks.push({ id: fwId, name: m.frameworks.get(fwId)?.info.name ?? "", tasks: active });
    }
    for (const ex of agent.executors.values()) executors += ex.size;
  }
  const fault = agent?.info.domain?.fault_domain;
  return {
    ...row,
    unreservedText: total.unreserved().toString(),
    totalText: total.toString(),
    reservations: [...byRole].map(([role, r]) => ({ role, principal: principals.get(role), quantities: quantitiesOf(r), text: r.toString() })),
    volumes,
    capabilities: agent?.capabilities ?? [],
    offers: offerRows(m).filter((o) => o.agentId === agentId),
    frameworks: frameworks.sort((a, b) => b.tasks - a.tasks),
    executors,
    domain: fault ? { region: fault.region.name, zone: fault.zone.name } : undefined,
  };
}

// ---- framework ----------------------------------------------------------------------------------

export interface FrameworkDetail extends FrameworkView {
  hostname?: string;
  checkpoint: boolean;
  /** Dominant share per role (from the allocator's sorter). */
  shares: { role: string; dominantShare: number; suppressed: boolean }[];
  tasksByState: Partial<Record<TaskState, number>>;
  offersHeld: OfferRow[];
  agents: number;
  labels: { key: string; value?: string }[];
}

function findFramework(m: Master, id: string): { fw: Framework; completed: boolean } | null {
  const live = m.frameworks.get(id);
  if (live) return { fw: live, completed: false };
  const done = m.completedFrameworks.find((c) => c.framework.id === id);
  return done ? { fw: done.framework, completed: true } : null;
}

export function frameworkDetail(m: Master, id: string): FrameworkDetail | null {
  const found = findFramework(m, id);
  if (!found) return null;
  const { fw, completed } = found;
  const snapshot = m.allocator.snapshot?.();
  const shares = fw.roles.map((role) => {
    const share = snapshot?.roles.find((r) => r.role === role)?.frameworks.find((f) => f.frameworkId === fw.id);
    return { role, dominantShare: share?.dominantShare ?? 0, suppressed: fw.suppressedRoles.has(role) };
  });
  const tasksByState: Partial<Record<TaskState, number>> = {};
  const agents = new Set<string>();
  const count = (t: Task) => (tasksByState[t.state] = (tasksByState[t.state] ?? 0) + 1);
  for (const t of fw.tasks.values()) {
    count(t);
    if (!isTerminalState(t.state)) agents.add(t.agentId);
  }
  for (const t of fw.unreachableTasks.values()) count(t);
  for (const t of fw.completedTasks) count(t);
  return {
    ...frameworkView(m, fw, completed),
    hostname: fw.info.hostname,
    checkpoint: fw.info.checkpoint ?? false,
    shares,
    tasksByState,
    offersHeld: offerRows(m).filter((o) => o.frameworkId === fw.id),
    agents: agents.size,
    labels: (fw.info.labels?.labels ?? []).map((l) => ({ key: l.key, value: l.value })),
  };
}

// ---- task ---------------------------------------------------------------------------------------

export interface StatusView {
  state: TaskState;
  /** ms since epoch */
  time?: number;
  message?: string;
  reason?: string;
  source?: string;
  healthy?: boolean;
}

export interface TaskDetail extends TaskRow {
  statuses: StatusView[];
  labels: { key: string; value?: string }[];
  resourcesText: string;
  executorId: string;
  user: string;
  healthCheck?: string;
  killGracePeriodSeconds?: number;
  agentConnection?: string;
  agentEndpoint?: string;
  frameworkWebuiUrl?: string;
  frameworkActive: boolean;
}

/** A task the master remembers (active, unreachable or completed), by framework and id. */
export function findTask(m: Master, frameworkId: string, taskId: string): Task | undefined {
  const fw = m.frameworks.get(frameworkId);
  const done = fw ? undefined : m.completedFrameworks.find((c) => c.framework.id === frameworkId)?.framework;
  const f = fw ?? done;
  if (!f) return undefined;
  return f.tasks.get(taskId) ?? f.unreachableTasks.get(taskId) ?? [...f.completedTasks].reverse().find((t) => t.info.task_id.value === taskId);
}

function describeHealthCheck(hc: NonNullable<Task["info"]["health_check"]>): string {
  const what = hc.type === "HTTP" ? `HTTP ${hc.http?.scheme ?? "http"}://:${hc.http?.port}${hc.http?.path ?? "/"}` : hc.type === "TCP" ? `TCP port ${hc.tcp?.port}` : `command ${hc.command?.value ?? ""}`;
  const every = hc.interval_seconds !== undefined ? ` every ${hc.interval_seconds}s` : "";
  return `${what}${every}`;
}

export function taskDetail(m: Master, frameworkId: string, taskId: string): TaskDetail | null {
  const task = findTask(m, frameworkId, taskId);
  if (!task) return null;
  const agent = m.agents.get(task.agentId);
  const fw = m.frameworks.get(frameworkId);
  const grace = task.info.kill_policy?.grace_period?.nanoseconds;
  return {
    ...taskRow(m, task),
    statuses: task.statuses.map((s) => ({
      state: s.state,
      time: s.timestamp !== undefined ? s.timestamp * 1000 : undefined,
      message: s.message,
      reason: s.reason,
      source: s.source,
      healthy: s.healthy,
    })),
    labels: (task.info.labels?.labels ?? []).map((l) => ({ key: l.key, value: l.value })),
    resourcesText: task.resources.toString(),
    executorId: task.executorId,
    user: task.user,
    healthCheck: task.info.health_check ? describeHealthCheck(task.info.health_check) : undefined,
    killGracePeriodSeconds: grace !== undefined ? Number(grace) / 1e9 : undefined,
    agentConnection: agent?.connection ?? (m.unreachableAgents.has(task.agentId) ? "unreachable" : undefined),
    agentEndpoint: agent?.endpoint,
    frameworkWebuiUrl: fw?.info.webui_url,
    frameworkActive: fw !== undefined,
  };
}

// ---- timeline -----------------------------------------------------------------------------------

export interface TimelineQuery {
  kinds?: TimelineKind[];
  /** Substring of the summary, action or reason (case-insensitive). */
  text?: string;
  principal?: string;
  agentId?: string;
  frameworkId?: string;
  taskId?: string;
  /** Only entries older than this sequence number (paging backwards). */
  beforeSeq?: number;
  /** Only entries newer than this sequence number. */
  afterSeq?: number;
  sinceMs?: number;
  limit?: number;
}

export function matchesEntry(e: TimelineEntry, q: TimelineQuery, text = q.text?.toLowerCase()): boolean {
  if (q.kinds && q.kinds.length > 0 && !q.kinds.includes(e.kind)) return false;
  if (q.principal && e.principal !== q.principal) return false;
  if (q.agentId && e.agentId !== q.agentId) return false;
  if (q.frameworkId && e.frameworkId !== q.frameworkId) return false;
  if (q.taskId && e.taskId !== q.taskId) return false;
  if (q.beforeSeq !== undefined && e.seq >= q.beforeSeq) return false;
  if (q.afterSeq !== undefined && e.seq <= q.afterSeq) return false;
  if (q.sinceMs !== undefined && e.time < q.sinceMs) return false;
  if (text && !e.summary.toLowerCase().includes(text) && !e.action.toLowerCase().includes(text) && !(e.reason ?? "").toLowerCase().includes(text)) return false;
  return true;
}

/** Newest first; `hasMore` when older matching entries exist. */
export function queryTimeline(m: Master, q: TimelineQuery): { entries: TimelineEntry[]; hasMore: boolean; lastSeq: number } {
  const all = m.timeline.list();
  const limit = Math.min(1000, Math.max(1, q.limit ?? 100));
  const text = q.text?.toLowerCase();
  const out: TimelineEntry[] = [];
  let hasMore = false;
  for (let i = all.length - 1; i >= 0; i--) {
    const e = all[i]!;
    if (!matchesEntry(e, q, text)) continue;
    if (out.length === limit) {
      hasMore = true;
      break;
    }
    out.push(e);
  }
  return { entries: out, hasMore, lastSeq: m.timeline.lastSeq };
}

// ---- metrics history ----------------------------------------------------------------------------

/** At most `maxPoints` samples: the last sample of each equal-width time bucket. */
export function downsample(samples: readonly MetricSample[], maxPoints: number): MetricSample[] {
  if (samples.length <= maxPoints) return samples.slice();
  const first = samples[0]!.time;
  const width = (samples[samples.length - 1]!.time - first) / maxPoints || 1;
  const out: MetricSample[] = [];
  let bucket = -1;
  for (const s of samples) {
    const b = Math.min(maxPoints - 1, Math.floor((s.time - first) / width));
    if (b !== bucket) {
      out.push(s);
      bucket = b;
    } else out[out.length - 1] = s;
  }
  return out;
}

export type { TimelineEntry, TimelineKind };
