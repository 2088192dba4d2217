// Assembles the big state documents as a sequence of pieces (a generator): JSON text for the
// fixed parts, and ListPieces for lists of entities, whose items the writer renders one by one —
// usually as cached fragments in an arena, written without copying (../sliced-writer.ts).
//
// Consistency: which agents, frameworks and tasks appear (and in which list) is captured
// synchronously when a document is requested (`capture`); each entity's JSON is produced when
// the writer reaches it, so a task that changes while a large response is being written shows
// its newer state — in the list it belonged to at the start. Every entity is internally
// consistent. (The SUBSCRIBE snapshot resolves every piece synchronously: fully consistent.)
import type { Master, RecoveredAgent } from "../../master";
import type { Agent, Framework, Task } from "../../state";
import type { ExecutorInfo } from "../../../protocol/mesos";
import type { StateCache } from "./cache";
import type { Slot } from "./arena";
import { j } from "./json";
import { pieceText } from "./cache";
import {
  legacyAgentInfo, legacyExecutor, legacyFrameworkHead, legacyFrameworkTail, legacyOffer, agentActive,
} from "./legacy";
import { v1Executor, v1Framework } from "./v1";
import { Resources } from "../../../resources";

/**
 * A list of entities rendered lazily by the writer, comma-separated: the writer walks it with an
 * index (resumable between slices) instead of the generator yielding once per entity.
 */
export interface ListPiece<T = unknown> {
  items: readonly T[];
  /** The item's JSON: text, or a cached fragment in an arena (written without copying). */
  render: (item: T) => string | Slot;
  /** Receives the bytes of the arena fragments written (live-size measurement). */
  counter?: { bytes: number };
  /** Moves scattered fragments next to each other as they are written (see Arena.copy). */
  mover?: Mover<T>;
}

export interface Mover<T> {
  /** Whether `slot`, moved now, would directly follow the byte range ending at `after.end`. */
  follows(after: { chunk: Buffer; end: number }, slot: Slot): boolean;
  /** Moves the item's fragment to the end of its arena; returns the new slot. */
  move(item: T, slot: Slot): Slot;
}

/** Text, a list rendered as it is written, or bytes written as they are. */
export type Piece = string | ListPiece | { chunk: Buffer; start: number; end: number };
export type Pieces = Iterator<Piece>;

function listPiece<T>(items: readonly T[], render: (item: T) => string | Slot, counter?: { bytes: number }, mover?: Mover<T>): ListPiece {
  return { items, render, counter, mover } as ListPiece;
}

export interface CapturedFramework {
  fw: Framework;
  completed: boolean;
  tasks: Task[];
  unreachable: Task[];
  completedTasks: Task[];
}

export interface Captured {
  /** Nothing filtered out (the document holds every entity). */
  complete: boolean;
  /** Executors the requester may see (absent: all). */
  executorOk?: (frameworkId: string, info: ExecutorInfo) => boolean;
  agents: Agent[];
  recovered: RecoveredAgent[];
  frameworks: CapturedFramework[];
  completedFrameworks: CapturedFramework[];
}

function captureFramework(fw: Framework, completed: boolean, view?: ViewFilter): CapturedFramework {
  const taskOk = view ? (t: Task) => view.task(fw, t) : null;
  return {
    fw,
    completed,
    tasks: completed ? [] : taskOk ? [...fw.tasks.values()].filter(taskOk) : [...fw.tasks.values()],
    unreachable: completed ? [] : taskOk ? [...fw.unreachableTasks.values()].filter(taskOk) : [...fw.unreachableTasks.values()],
    completedTasks: taskOk ? fw.completedTasks.filter(taskOk) : fw.completedTasks.slice(),
  };
}

/** What a principal may see (server/security/visibility.ts: view_frameworks, view_tasks, view_executors). */
export interface ViewFilter {
  framework(fw: Framework): boolean;
  task(fw: Framework, task: Task): boolean;
  executor(frameworkId: string, info: ExecutorInfo): boolean;
}

export interface CaptureFilter {
  frameworkId?: string;
  agentId?: string;
  view?: ViewFilter;
}

/** Which entities a document contains, captured now (cheap: arrays of references). */
export function capture(m: Master, filter: CaptureFilter = {}): Captured {
  const view = filter.view;
  const fwOk = (fw: Framework) => (filter.frameworkId === undefined || fw.id === filter.frameworkId) && (view === undefined || view.framework(fw));
  const agentOk = (id: string) => filter.agentId === undefined || id === filter.agentId;
  return {
    complete: filter.frameworkId === undefined && filter.agentId === undefined && view === undefined,
    executorOk: view ? (id, info) => view.executor(id, info) : undefined,
    agents: [...m.agents.values()].filter((a) => agentOk(a.id)),
    recovered: [...m.recoveredAgents.values()].filter((a) => agentOk(a.id)),
    frameworks: [...m.frameworks.values()].filter(fwOk).map((fw) => captureFramework(fw, false, view)),
    completedFrameworks: m.completedFrameworks.filter((c) => fwOk(c.framework)).map((c) => captureFramework(c.framework, true, view)),
  };
}

/** Yields `"key":[` + the rendered items + `]`. */
function* list<T>(key: string, values: readonly T[], render: (item: T) => string | Slot, counter?: { bytes: number }, mover?: Mover<T>): Generator<Piece> {
  yield `"${key}":[`;
  if (values.length > 0) yield listPiece(values, render, counter, mover);
  yield "]";
}

// ---- legacy -------------------------------------------------------------------------------

export function legacyAgentJson(cache: StateCache, agent: Agent, full = false): string {
  return pieceText(cache.legacyAgentPiece(agent, full));
}

function legacyRecoveredJson(cache: StateCache, r: RecoveredAgent): string {
  return legacyAgentInfo(r.id, r.info, (list) => cache.summary(list));
}

function* legacyFramework(cache: StateCache, m: Master, c: CapturedFramework, counter?: { bytes: number }, executorOk?: Captured["executorOk"]): Generator<Piece> {
  const fw = c.fw;
  const used = cache.frameworkUsed(fw);
  const offers = c.completed ? [] : [...fw.offers].map((id) => m.offers.get(id)).filter((o) => o !== undefined);
  const offered = c.completed ? Resources.empty() : cache.offered(fw.offers);
  yield legacyFrameworkHead(fw, {
    used: c.completed ? cache.summary(Resources.empty()) : used.summary,
    offered: cache.summary(offered),
    usedAndOffered: c.completed ? cache.summary(Resources.empty()) : cache.summary(used.resources.add(offered)),
  }) + ",";
  const task = cache.legacyTaskPiece;
  const mover = cache.legacyTaskMover;
  yield* list("tasks", c.tasks, task, counter, mover);
  yield ",";
  yield* list("unreachable_tasks", c.unreachable, task, counter, mover);
  yield ",";
  yield* list("completed_tasks", c.completedTasks, task, counter, mover);
  const executors: string[] = [];
  if (!c.completed) for (const e of fw.executors.values()) if (!executorOk || executorOk(fw.id, e.info)) executors.push(legacyExecutor(e.info, fw.id, e.agentId, (r) => cache.summary(r)));
  yield legacyFrameworkTail(fw, offers.map((o) => legacyOffer(o, (r) => cache.summary(r))), executors);
}

function* frameworksList(cache: StateCache, m: Master, key: string, items: CapturedFramework[], counter?: { bytes: number }, executorOk?: Captured["executorOk"]): Generator<Piece> {
  yield `"${key}":[`;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) yield ",";
    yield* legacyFramework(cache, m, items[i]!, counter, executorOk);
  }
  yield "]";
}

/** /master/state: `header` holds the top-level scalar fields (`{…,` without the closing brace). */
export function* legacyState(cache: StateCache, m: Master, header: string, cap: Captured): Generator<Piece> {
  const counter = { bytes: 0 };
  yield header;
  yield* list("slaves", cap.agents, (a) => cache.legacyAgentPiece(a), counter, cache.legacyAgentMover);
  yield ",";
  yield* list("recovered_slaves", cap.recovered, (r) => legacyRecoveredJson(cache, r));
  yield ",";
  yield* frameworksList(cache, m, "frameworks", cap.frameworks, counter, cap.executorOk);
  yield ",";
  yield* frameworksList(cache, m, "completed_frameworks", cap.completedFrameworks, counter, cap.executorOk);
  yield `,"orphan_tasks":[],"unregistered_frameworks":[]}`;
  if (cap.complete) cache.observeLive("legacy", counter.bytes);
}

/** /master/frameworks */
export function* legacyFrameworks(cache: StateCache, m: Master, cap: Captured): Generator<Piece> {
  yield "{";
  yield* frameworksList(cache, m, "frameworks", cap.frameworks, undefined, cap.executorOk);
  yield ",";
  yield* frameworksList(cache, m, "completed_frameworks", cap.completedFrameworks, undefined, cap.executorOk);
  yield `,"unregistered_frameworks":[]}`;
}

/** /master/slaves */
export function* legacySlaves(cache: StateCache, m: Master, cap: Captured): Generator<Piece> {
  yield "{";
  yield* list("slaves", cap.agents, (a) => cache.legacyAgentPiece(a, true));
  yield ",";
  yield* list("recovered_slaves", cap.recovered, (r) => legacyRecoveredJson(cache, r));
  yield "}";
}

/** Counts of agents for the /master/state header and metrics. */
export function agentCounts(m: Master): { active: number; inactive: number } {
  let active = 0;
  for (const a of m.agents.values()) if (agentActive(a)) active++;
  return { active, inactive: m.agents.size - active };
}

// ---- v1 -----------------------------------------------------------------------------------

/** Yields `,"key":[…]` (or nothing when empty: empty repeated fields are omitted). */
function* optList<T>(first: { value: boolean }, key: string, values: readonly T[], render: (item: T) => string | Slot, counter?: { bytes: number }, mover?: Mover<T>): Generator<Piece> {
  if (values.length === 0) return;
  const sep = first.value ? "" : ",";
  first.value = false;
  yield sep + `"${key}":[`;
  yield listPiece(values, render, counter, mover);
  yield "]";
}

/** GetTasks body `{tasks, unreachable_tasks, completed_tasks}`. */
export function* v1GetTasks(cache: StateCache, cap: Captured, counter?: { bytes: number }): Generator<Piece> {
  const all = [...cap.frameworks, ...cap.completedFrameworks];
  const tasks = all.flatMap((c) => c.tasks);
  const unreachable = all.flatMap((c) => c.unreachable);
  const completed = all.flatMap((c) => c.completedTasks);
  const render = cache.v1TaskPiece;
  const mover = cache.v1TaskMover;
  const first = { value: true };
  yield "{";
  yield* optList(first, "tasks", tasks, render, counter, mover);
  yield* optList(first, "unreachable_tasks", unreachable, render, counter, mover);
  yield* optList(first, "completed_tasks", completed, render, counter, mover);
  yield "}";
}

export function v1AgentJson(cache: StateCache, agent: Agent): string {
  return pieceText(cache.v1AgentPiece(agent));
}

/** GetAgents body `{agents, recovered_agents}`. */
export function* v1GetAgents(cache: StateCache, cap: Captured, counter?: { bytes: number }): Generator<Piece> {
  const first = { value: true };
  yield "{";
  yield* optList(first, "agents", cap.agents, (a) => cache.v1AgentPiece(a), counter, cache.v1AgentMover);
  yield* optList(first, "recovered_agents", cap.recovered, (r) => j({ ...r.info, id: { value: r.id } }));
  yield "}";
}

export function v1FrameworkJson(cache: StateCache, m: Master, fw: Framework, completed: boolean): string {
  if (completed) return v1Framework(m, fw, cache.v1FrameworkInfo(fw), undefined, true);
  const used = cache.frameworkUsed(fw);
  const offered = fw.offers.size === 0 ? "[]" : j(cache.offered(fw.offers).toArray());
  return v1Framework(m, fw, cache.v1FrameworkInfo(fw), { allocated: cache.usageArray(used), offered });
}

/** GetFrameworks body `{frameworks, completed_frameworks}`. */
export function* v1GetFrameworks(cache: StateCache, m: Master, cap: Captured): Generator<Piece> {
  const first = { value: true };
  yield "{";
  yield* optList(first, "frameworks", cap.frameworks, (c) => v1FrameworkJson(cache, m, c.fw, false));
  yield* optList(first, "completed_frameworks", cap.completedFrameworks, (c) => v1FrameworkJson(cache, m, c.fw, true));
  yield "}";
}

/** GetExecutors body `{executors}`: executors the agents reported (command executors are not tracked). */
export function* v1GetExecutors(cap: Captured): Generator<Piece> {
  const executors: string[] = [];
  for (const agent of cap.agents) {
    for (const [frameworkId, byFramework] of agent.executors) {
      for (const info of byFramework.values()) if (!cap.executorOk || cap.executorOk(frameworkId, info)) executors.push(v1Executor(info, agent.id));
    }
  }
  const first = { value: true };
  yield "{";
  yield* optList(first, "executors", executors, (s) => s);
  yield "}";
}

/** GetState body `{get_tasks, get_executors, get_frameworks, get_agents}`. */
export function* v1GetState(cache: StateCache, m: Master, cap: Captured): Generator<Piece> {
  const counter = { bytes: 0 };
  yield `{"get_tasks":`;
  yield* v1GetTasks(cache, cap, counter);
  yield `,"get_executors":`;
  yield* v1GetExecutors(cap);
  yield `,"get_frameworks":`;
  yield* v1GetFrameworks(cache, m, cap);
  yield `,"get_agents":`;
  yield* v1GetAgents(cache, cap, counter);
  yield "}";
  if (cap.complete) cache.observeLive("v1", counter.bytes);
}
