// Legacy state endpoints: /master/state (/state, /state.json), /master/state-summary,
// /master/frameworks, /master/slaves, /master/tasks (/tasks.json) — Mesos's keys
// (operator-api.md §5.1–§5.2). The big documents are streamed from cached fragments.
import { viewFilter } from "../../../security/visibility";
import { requestIdentity } from "../../../security/security";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendText } from "../../../http/util";
import type { TaskState } from "../../../protocol/mesos";
import type { Framework, Task } from "../../state";
import type { OperatorContext } from "../context";
import { leaderGate, sendJsonPieces, sendJsonText } from "../http";
import { j, secs } from "../render/json";
import { agentCounts, capture, legacyAgentJson, legacyFrameworks, legacySlaves, legacyState } from "../render/state";

type Handler = (ctx: OperatorContext, req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => void | Promise<void>;

/** Top-level fields of /master/state, up to and including the comma before `slaves`. */
export function stateHeader(ctx: OperatorContext, showFlags = true): string {
  const m = ctx.m;
  const v = ctx.version;
  const counts = agentCounts(m);
  let out = `{"version":${j(v.version)}`;
  if (v.git_sha) out += `,"git_sha":${j(v.git_sha)}`;
  if (v.git_branch) out += `,"git_branch":${j(v.git_branch)}`;
  if (v.git_tag) out += `,"git_tag":${j(v.git_tag)}`;
  out += `,"build_date":${j(v.build_date)},"build_time":${j(v.build_time)},"build_user":${j(v.build_user)}`;
  out += `,"start_time":${j(secs(m.startTime))}`;
  if (m.electedTime !== undefined) out += `,"elected_time":${j(secs(m.electedTime))}`;
  out += `,"id":${j(m.id)},"pid":${j(m.info.pid)},"hostname":${j(m.info.hostname)}`;
  out += `,"capabilities":${j((m.info.capabilities ?? []).map((c) => c.type))}`;
  out += `,"activated_slaves":${counts.active},"deactivated_slaves":${counts.inactive},"unreachable_slaves":${m.unreachableAgents.size}`;
  if (m.info.domain) out += `,"domain":${j(m.info.domain)}`;
  if (m.isLeading) {
    const leaderInfo: Record<string, unknown> = { id: m.info.id, pid: m.info.pid, port: m.info.port, hostname: m.info.hostname };
    if (m.info.domain) leaderInfo.domain = m.info.domain;
    out += `,"leader":${j(m.info.pid)},"leader_info":${j(leaderInfo)}`;
  }
  if (showFlags && m.config.cluster !== undefined) out += `,"cluster":${j(m.config.cluster)}`;
  out += showFlags ? `,"flags":${j(m.config.displayFlags)},` : ",";
  return out;
}

export const masterState: Handler = (ctx, req, res, query) => {
  if (leaderGate(ctx.m, res)) return;
  const { principal, security } = requestIdentity(req);
  const header = stateHeader(ctx, security.authorize(principal, "view_flags"));
  return sendJsonPieces(res, legacyState(ctx.cache, ctx.m, header, capture(ctx.m, { view: viewFilter(req, ctx.m) })), query);
};

export const masterFrameworks: Handler = (ctx, req, res, query) => {
  if (leaderGate(ctx.m, res)) return;
  const frameworkId = query.get("framework_id") ?? undefined;
  return sendJsonPieces(res, legacyFrameworks(ctx.cache, ctx.m, capture(ctx.m, { frameworkId, view: viewFilter(req, ctx.m) })), query);
};

export const masterSlaves: Handler = (ctx, req, res, query) => {
  if (leaderGate(ctx.m, res)) return;
  const agentId = query.get("slave_id") ?? undefined;
  return sendJsonPieces(res, legacySlaves(ctx.cache, ctx.m, capture(ctx.m, { agentId, view: viewFilter(req, ctx.m) })), query);
};

const SUMMARY_STATES: TaskState[] = [
  "TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_FINISHED", "TASK_KILLED", "TASK_FAILED",
  "TASK_LOST", "TASK_ERROR", "TASK_UNREACHABLE",
];

function countsJson(counts: Map<TaskState, number> | undefined): string {
  return SUMMARY_STATES.map((s) => `"${s}":${counts?.get(s) ?? 0}`).join(",");
}

function frameworkSummary(ctx: OperatorContext, fw: Framework): string {
  const used = ctx.cache.frameworkUsed(fw);
  const offered = ctx.cache.offered(fw.offers);
  const connected = fw.lifecycle === "connected";
  return `{"id":${j(fw.id)},"name":${j(fw.info.name)},"used_resources":${used.summary},"offered_resources":${ctx.cache.summary(offered)},"capabilities":${j([...fw.capabilities])},"hostname":${j(fw.info.hostname ?? "")},"webui_url":${j(fw.info.webui_url ?? "")},"active":${connected},"connected":${connected},"recovered":${fw.lifecycle === "recovered"}`;
}

/** /master/state-summary: agents and (registered) frameworks with task counts by state. */
export const stateSummary: Handler = (ctx, req, res, query) => {
  const m = ctx.m;
  if (leaderGate(m, res)) return;
  const byAgent = new Map<string, Map<TaskState, number>>();
  const byFramework = new Map<string, Map<TaskState, number>>();
  const agentFrameworks = new Map<string, Set<string>>();
  const frameworkAgents = new Map<string, Set<string>>();
  const bump = (map: Map<string, Map<TaskState, number>>, key: string, state: TaskState) => {
    let counts = map.get(key);
    if (!counts) map.set(key, (counts = new Map()));
    counts.set(state, (counts.get(state) ?? 0) + 1);
  };
  const link = (map: Map<string, Set<string>>, key: string, value: string) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(value);
  };
  const count = (fw: Framework, t: Task) => {
    bump(byAgent, t.agentId, t.state);
    bump(byFramework, fw.id, t.state);
    link(agentFrameworks, t.agentId, fw.id);
    link(frameworkAgents, fw.id, t.agentId);
  };
  const view = viewFilter(req, m);
  const visibleFrameworks = [...m.frameworks.values()].filter((fw) => !view || view.framework(fw));
  for (const fw of visibleFrameworks) {
    const ok = (t: Task) => !view || view.task(fw, t);
    for (const t of fw.tasks.values()) if (ok(t)) count(fw, t);
    for (const t of fw.unreachableTasks.values()) if (ok(t)) count(fw, t);
    for (const t of fw.completedTasks) if (ok(t)) count(fw, t);
  }
  const slaves = [...m.agents.values()].map((a) => {
    const base = legacyAgentJson(ctx.cache, a);
    return `${base.slice(0, -1)},${countsJson(byAgent.get(a.id))},"framework_ids":${j([...(agentFrameworks.get(a.id) ?? [])])}}`;
  });
  const frameworks = visibleFrameworks.map(
    (fw) => `${frameworkSummary(ctx, fw)},${countsJson(byFramework.get(fw.id))},"slave_ids":${j([...(frameworkAgents.get(fw.id) ?? [])])}}`,
  );
  let out = `{"hostname":${j(m.info.hostname)}`;
  if (m.config.cluster !== undefined) out += `,"cluster":${j(m.config.cluster)}`;
  out += `,"slaves":[${slaves.join(",")}],"frameworks":[${frameworks.join(",")}]}`;
  sendJsonText(res, out, query);
};

function parseNonNegative(value: string | null, name: string, fallback: number): number | string {
  if (value === null) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) return `Failed to parse '${name}': '${value}' is not a non-negative integer`;
  return n;
}

/** /master/tasks: limit (100), offset (0), order (`asc`; anything else = descending), framework_id, task_id. */
export const masterTasks: Handler = (ctx, req, res, query) => {
  const m = ctx.m;
  if (leaderGate(m, res)) return;
  const limit = parseNonNegative(query.get("limit"), "limit", 100);
  const offset = parseNonNegative(query.get("offset"), "offset", 0);
  if (typeof limit === "string") return sendText(res, 400, limit);
  if (typeof offset === "string") return sendText(res, 400, offset);
  const descending = query.get("order") !== "asc";
  const frameworkId = query.get("framework_id");
  const taskId = query.get("task_id");
  const tasks: Task[] = [];
  const view = viewFilter(req, m);
  const take = (fw: Framework, list: Iterable<Task>) => {
    if (frameworkId !== null && fw.id !== frameworkId) return;
    if (view && !view.framework(fw)) return;
    for (const t of list) if ((taskId === null || t.info.task_id.value === taskId) && (!view || view.task(fw, t))) tasks.push(t);
  };
  for (const fw of m.frameworks.values()) {
    take(fw, fw.tasks.values());
    take(fw, fw.unreachableTasks.values());
    take(fw, fw.completedTasks);
  }
  for (const c of m.completedFrameworks) take(c.framework, c.framework.completedTasks);
  const started = (t: Task) => t.statuses[0]?.timestamp ?? 0;
  const before = (a: Task, b: Task) => (descending ? started(b) - started(a) : started(a) - started(b));
  const page = firstK(tasks, offset + limit, before).slice(offset).map((t) => ctx.cache.legacyTask(t));
  sendJsonText(res, `{"tasks":[${page.join(",")}]}`, query);
};



/** The first `k` items in `order` (stable), without sorting everything when k is small. */
export function firstK<T>(items: T[], k: number, order: (a: T, b: T) => number): T[] {
  if (k <= 0) return [];
  if (k >= items.length / 8) return items.slice().sort(order).slice(0, k);
  const top: T[] = [];
  for (const item of items) {
    if (top.length === k && order(item, top[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (order(item, top[mid]!) < 0) hi = mid;
      else lo = mid + 1;
    }
    top.splice(lo, 0, item);
    if (top.length > k) top.pop();
  }
  return top;
}
