// Filter and sort state kept in the URL (shareable links): one small spec per list page says
// which query parameters exist, their allowed values and defaults. Parsing never throws: unknown
// or invalid values fall back to the default; serialising leaves defaults out. Pure.

export type FieldSpec =
  | { kind: "string"; max?: number }
  | { kind: "enum"; values: readonly string[]; default?: string }
  | { kind: "list"; values: readonly string[] };

export type Spec = Record<string, FieldSpec>;

type ValueOf<F extends FieldSpec> = F extends { kind: "list" } ? string[] : string | undefined;
export type StateOf<S extends Spec> = { [K in keyof S]: ValueOf<S[K]> };

export type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

function get(params: SearchParamsLike, key: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(key) ?? undefined;
  const v = params[key];
  return Array.isArray(v) ? v[0] : v;
}

export function parseState<S extends Spec>(spec: S, params: SearchParamsLike): StateOf<S> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [key, field] of Object.entries(spec)) {
    const raw = get(params, key)?.trim();
    if (field.kind === "string") out[key] = raw ? raw.slice(0, field.max ?? 256) : undefined;
    else if (field.kind === "enum") out[key] = raw && field.values.includes(raw) ? raw : field.default;
    else out[key] = raw ? [...new Set(raw.split(",").filter((v) => field.values.includes(v)))] : [];
  }
  return out as StateOf<S>;
}

/** `?a=1&b=2` without defaults and empty values (keys in spec order), or "" when nothing is set. */
export function toSearch<S extends Spec>(spec: S, state: Partial<StateOf<S>>): string {
  const params = new URLSearchParams();
  for (const [key, field] of Object.entries(spec)) {
    const v = state[key as keyof S] as string | string[] | undefined;
    if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    if (field.kind === "enum" && v === field.default) continue;
    params.set(key, Array.isArray(v) ? v.join(",") : v);
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** The state with `patch` applied (a sort on the same column flips the direction). */
export function withSort<S extends { sort?: string; dir?: string }>(state: S, column: string, defaultDir: "asc" | "desc" = "asc"): S {
  if (state.sort === column) return { ...state, dir: state.dir === "asc" ? "desc" : "asc" };
  return { ...state, sort: column, dir: defaultDir };
}

// ---- the list pages' specs ------------------------------------------------------------------------

export const AGENT_STATE_FILTERS = ["connected", "disconnected", "recovered", "unreachable", "gone", "deactivated", "draining"] as const;
export const AGENT_SORT_KEYS = ["hostname", "id", "state", "cpus", "mem", "disk", "cpusUsed", "memUsed", "tasks", "registered"] as const;

export const AGENTS_URL = {
  state: { kind: "enum", values: AGENT_STATE_FILTERS },
  role: { kind: "string" },
  attr: { kind: "string" },
  q: { kind: "string" },
  sort: { kind: "enum", values: AGENT_SORT_KEYS, default: "hostname" },
  dir: { kind: "enum", values: ["asc", "desc"], default: "asc" },
} as const satisfies Spec;
export type AgentsUrlState = StateOf<typeof AGENTS_URL>;

export const TASK_STATE_FILTERS = [
  "active", "terminal", "TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_FINISHED", "TASK_FAILED",
  "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_UNREACHABLE", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN",
] as const;
export const TASK_SORT_KEYS = ["updated", "started", "id", "name", "state", "cpus", "mem"] as const;

export const TASKS_URL = {
  state: { kind: "enum", values: TASK_STATE_FILTERS },
  framework: { kind: "string", max: 512 },
  agent: { kind: "string", max: 512 },
  q: { kind: "string" },
  sort: { kind: "enum", values: TASK_SORT_KEYS, default: "updated" },
  dir: { kind: "enum", values: ["asc", "desc"], default: "desc" },
} as const satisfies Spec;
export type TasksUrlState = StateOf<typeof TASKS_URL>;

export const EVENT_KINDS = ["task", "agent", "framework", "operator", "election", "maintenance"] as const;

export const EVENTS_URL = {
  kind: { kind: "list", values: EVENT_KINDS },
  q: { kind: "string" },
  principal: { kind: "string" },
  agent: { kind: "string", max: 512 },
  framework: { kind: "string", max: 512 },
  task: { kind: "string", max: 512 },
} as const satisfies Spec;
export type EventsUrlState = StateOf<typeof EVENTS_URL>;

/** tRPC inputs for the list queries (without paging). */
export function agentsQuery(s: AgentsUrlState) {
  return {
    state: s.state as (typeof AGENT_STATE_FILTERS)[number] | undefined,
    role: s.role,
    attribute: s.attr,
    text: s.q,
    sort: (s.sort ?? "hostname") as (typeof AGENT_SORT_KEYS)[number],
    dir: (s.dir ?? "asc") as "asc" | "desc",
  };
}

export function tasksQuery(s: TasksUrlState) {
  return {
    state: s.state as (typeof TASK_STATE_FILTERS)[number] | undefined,
    frameworkId: s.framework,
    agentId: s.agent,
    text: s.q,
    sort: (s.sort ?? "updated") as (typeof TASK_SORT_KEYS)[number],
    dir: (s.dir ?? "desc") as "asc" | "desc",
  };
}

export function eventsQuery(s: EventsUrlState) {
  return {
    kinds: s.kind.length > 0 ? (s.kind as (typeof EVENT_KINDS)[number][]) : undefined,
    text: s.q,
    principal: s.principal,
    agentId: s.agent,
    frameworkId: s.framework,
    taskId: s.task,
  };
}

/** Timeline entries per page on the events page. */
export const EVENTS_PAGE = 100;
