// The master's public handle: the one surface the dashboard's tRPC routers (and the operator
// layer) use. Read views are plain objects; commands go through the same handlers as the Mesos
// APIs; `subscribe` streams domain events.
import type { MasterEvent } from "./events";
import type { Master } from "./master";
import type { TimelineEntry } from "./timeline";
import type { MetricSample } from "./metrics";
import { agentView, allTasks, clusterOverview, frameworkView, rolesView, taskView, type AgentView, type ClusterOverview, type FrameworkView, type RoleView, type TaskView } from "./views";
import { kill } from "./tasks";
import type { TaskState } from "../protocol/mesos";
import { CommandError } from "./errors";
import type { HaStatus } from "../ha/types";
import { offerRows, queryAgents, queryTasks, type AgentPage, type AgentQuery, type OfferRow, type TaskPage, type TaskQuery as TaskPageQuery } from "./dashboard-views";
import { search, type SearchHit } from "./dashboard-search";
import { agentDetail, downsample, frameworkDetail, queryTimeline, taskDetail, type AgentDetail, type FrameworkDetail, type TaskDetail, type TimelineQuery } from "./dashboard-details";
import { removeFramework } from "./frameworks";
import { updateQuota, updateWeights } from "./roles";
import type { QuotaConfig, WeightInfo } from "../allocator/types";
import { AGENT_FILES_PREFIX, AgentSandboxFiles } from "./http/files-proxy";
import { modeString } from "./operator/files";
import { findTask } from "./dashboard-details";
import type { Maintenance } from "./maintenance/service";

/** A task's sandbox as the dashboard browses it: paths relative to the run directory. */
export interface SandboxFileAccess {
  list(path: string): Promise<{ path: string; size: number; mtimeMs: number; isDirectory: boolean; mode: string }[]>;
  read(path: string, offset: number, length: number): Promise<{ size: number; data: Buffer }>;
  downloadUrl(path: string): string;
}

/** The files API's errors as domain errors (tRPC codes at the edge). */
async function filesCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const e = err as { name?: string; status?: number; message: string };
    if (e.name === "FilesError" && (e.status === 400 || e.status === 403 || e.status === 404)) {
      throw new CommandError(e.status === 404 ? "NOT_FOUND" : e.status === 403 ? "FORBIDDEN" : "BAD_REQUEST", e.message);
    }
    throw err;
  }
}

export { CommandError };

export interface TaskQuery {
  state?: TaskState;
  frameworkId?: string;
  agentId?: string;
  text?: string;
  limit?: number;
  offset?: number;
}


export class MasterHandle {
  constructor(readonly master: Master) {}

  overview(): ClusterOverview {
    return clusterOverview(this.master);
  }

  agents(): AgentView[] {
    const m = this.master;
    const views = [...m.agents.values()].map((a) => agentView(m, a));
    for (const u of m.unreachableAgents.values()) {
      const empty = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };
      views.push({ id: u.id, hostname: u.info.hostname, endpoint: "", connection: "unreachable", deactivated: false, registeredTime: u.since, attributes: {}, total: empty, allocated: empty, offered: empty, taskCount: 0, version: "" });
    }
    return views;
  }

  frameworks(): FrameworkView[] {
    const m = this.master;
    return [
      ...[...m.frameworks.values()].map((f) => frameworkView(m, f)),
      ...m.completedFrameworks.map((c) => frameworkView(m, c.framework, true)),
    ];
  }

  /** Roles: weights, quota (with consumption), allocated/offered/reserved, dominant shares. */
  roles(): RoleView[] {
    return rolesView(this.master);
  }

  tasks(query: TaskQuery = {}): { total: number; tasks: TaskView[] } {
    const text = query.text?.toLowerCase();
    const matching = allTasks(this.master).filter(
      (t) =>
        (!query.state || t.state === query.state) &&
        (!query.frameworkId || t.frameworkId === query.frameworkId) &&
        (!query.agentId || t.agentId === query.agentId) &&
        (!text || t.info.task_id.value.toLowerCase().includes(text) || t.info.name.toLowerCase().includes(text)),
    );
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    return { total: matching.length, tasks: matching.slice(offset, offset + limit).map(taskView) };
  }

  timeline(opts: { afterSeq?: number; limit?: number } = {}): TimelineEntry[] {
    return this.master.timeline.list(opts);
  }

  subscribe(listener: (event: MasterEvent) => void): () => void {
    return this.master.events.subscribe(listener);
  }

  /**
   * This master's role (leading/contending/disconnected), its ZooKeeper session, the leader, the
   * contenders and the persisted election history (for the dashboard's HA page).
   */
  highAvailability(): Promise<HaStatus | null> {
    return this.master.highAvailability?.() ?? Promise.resolve(null);
  }

  /**
   * Maintenance schedule, machine modes, inverse offers and agent draining
   * (./maintenance/service.ts); null while this master is not leading. Commands take who asked
   * and why, and are recorded in the timeline.
   */
  get maintenance(): Maintenance | null {
    return this.master.maintenance ?? null;
  }

  /** Periodic cluster samples (totals/allocated/offered per resource, task counts), oldest first. */
  metricsHistory(opts: { sinceMs?: number } = {}): MetricSample[] {
    return this.master.metricsHistory.since(opts.sinceMs);
  }

  /**
   * Plateau extension: kill one task on behalf of an operator. Goes through the same path as a
   * framework's KILL; the request and its result are recorded in the timeline with who asked
   * ("anonymous" until authentication exists).
   */
  killTask(frameworkId: string, taskId: string, principal = "anonymous", reason?: string): void {
    const m = this.master;
    const audit = (result: "ok" | "error", summary: string, agentId?: string) =>
      m.timeline.add({ time: m.clock.now(), kind: "operator", action: "KILL_TASK", summary, principal, frameworkId, taskId, agentId, result, reason });
    const framework = m.frameworks.get(frameworkId);
    const task = framework?.tasks.get(taskId);
    if (!framework || !task) {
      const message = !framework ? `Framework ${frameworkId} not found` : `Task ${taskId} of framework ${frameworkId} is not active`;
      audit("error", `Kill of task ${taskId} requested by ${principal} rejected: ${message}`);
      throw new CommandError("NOT_FOUND", message);
    }
    kill(m, framework, { task_id: { value: taskId } });
    audit("ok", `Kill of task ${taskId} (${task.info.name}) requested by ${principal}`, task.agentId);
  }

  // ---- dashboard: server-side lists and details (./dashboard-views.ts, ./dashboard-details.ts) ----

  /** Agents filtered, sorted and paginated on the master. */
  agentPage(query: AgentQuery = {}): AgentPage {
    return queryAgents(this.master, query);
  }

  agentDetail(agentId: string): AgentDetail | null {
    return agentDetail(this.master, agentId);
  }

  /** Tasks (active, unreachable, completed) filtered, sorted and paginated on the master. */
  taskPage(query: TaskPageQuery = {}): TaskPage {
    return queryTasks(this.master, query);
  }

  taskDetail(frameworkId: string, taskId: string): TaskDetail | null {
    return taskDetail(this.master, frameworkId, taskId);
  }

  frameworkDetail(frameworkId: string): FrameworkDetail | null {
    return frameworkDetail(this.master, frameworkId);
  }

  /** Outstanding offers, oldest first. */
  offers(): OfferRow[] {
    return offerRows(this.master);
  }

  /** Timeline entries matching the query, newest first. */
  timelinePage(query: TimelineQuery): ReturnType<typeof queryTimeline> {
    return queryTimeline(this.master, query);
  }

  /** Metric samples since `sinceMs`, at most `maxPoints` of them (last sample per time bucket). */
  metricsSeries(opts: { sinceMs?: number; maxPoints?: number }): MetricSample[] {
    return downsample(this.master.metricsHistory.since(opts.sinceMs), opts.maxPoints ?? 360);
  }

  /** Agents, frameworks and tasks whose id or name contains `q` (the command palette). */
  search(q: string, limit?: number): SearchHit[] {
    return search(this.master, q, limit);
  }

  /**
   * Operator teardown of a framework (Mesos TEARDOWN): its tasks are killed and it moves to the
   * completed frameworks. Audited in the timeline with who asked, why and the result.
   */
  teardownFramework(frameworkId: string, principal = "anonymous", reason?: string): void {
    const m = this.master;
    const framework = m.frameworks.get(frameworkId);
    const audit = (result: "ok" | "error", summary: string) =>
      m.timeline.add({ time: m.clock.now(), kind: "operator", action: "TEARDOWN", summary, principal, frameworkId, result, reason });
    if (!framework) {
      audit("error", `Teardown of framework ${frameworkId} requested by ${principal} rejected: no such framework`);
      throw new CommandError("NOT_FOUND", `No framework found with ID ${frameworkId}`);
    }
    audit("ok", `Teardown of framework ${framework.info.name} (${frameworkId}) requested by ${principal}`);
    removeFramework(m, framework, `torn down by operator ${principal}`);
  }

  /** UPDATE_WEIGHTS on behalf of an operator (audited by ./roles.ts; the reason is added to its entry). */
  updateWeights(weights: WeightInfo[], principal = "anonymous", reason?: string): Promise<void> {
    return this.withReason("UPDATE_WEIGHTS", principal, reason, () => updateWeights(this.master, weights, principal));
  }

  /** UPDATE_QUOTA on behalf of an operator (all-or-nothing; audited like updateWeights). */
  updateQuota(configs: QuotaConfig[], principal = "anonymous", reason?: string, force = false): Promise<void> {
    return this.withReason("UPDATE_QUOTA", principal, reason, () => updateQuota(this.master, configs, force, principal));
  }

  /**
   * A task's sandbox through the master's files proxy (./http/files-proxy.ts): the latest run
   * directory of the task's executor on its agent. Null when the task or its agent is unknown.
   */
  async sandboxFiles(frameworkId: string, taskId: string): Promise<SandboxFileAccess | null> {
    const m = this.master;
    const task = findTask(m, frameworkId, taskId);
    if (!task || !m.agents.has(task.agentId)) return null;
    // A task of a default executor (LAUNCH_GROUP) has its own sandbox inside the executor's.
    const nested = task.info.executor?.type === "DEFAULT" ? `/tasks/${taskId}` : "";
    const root = `${AGENT_FILES_PREFIX}/${task.agentId}/frameworks/${frameworkId}/executors/${task.executorId}/runs/latest${nested}`;
    const proxy = new AgentSandboxFiles(() => m);
    const abs = (rel: string) => (rel ? `${root}/${rel}` : root);
    const rel = (p: string) => (p === root ? "" : p.startsWith(`${root}/`) ? p.slice(root.length + 1) : p);
    return {
      list: (p) =>
        filesCall(async () =>
          (await proxy.list(abs(p))).map((f) => ({ path: rel(f.path), size: f.size, mtimeMs: f.mtimeMs, isDirectory: f.isDirectory, mode: modeString(f.mode) })),
        ),
      read: (p, offset, length) => filesCall(() => proxy.read(abs(p), offset, length)),
      downloadUrl: (p) => `/files/download?path=${encodeURIComponent(abs(p))}`,
    };
  }

  /**
   * Runs a command whose handler writes its own operator timeline entry, and attaches the
   * operator's reason to the entries it writes (matched by action and principal while it runs;
   * entries are persisted later, so the reason is persisted with them).
   */
  private async withReason<T>(action: string, principal: string, reason: string | undefined, run: () => Promise<T>): Promise<T> {
    if (!reason) return run();
    const stop = this.master.timeline.subscribe((e) => {
      if (e.kind === "operator" && e.action === action && e.principal === principal && e.reason === undefined) e.reason = reason;
    });
    try {
      return await run();
    } finally {
      stop();
    }
  }
}
