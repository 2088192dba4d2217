// Cached JSON fragments for the state endpoints (/master/state and friends, GET_STATE, the
// SUBSCRIBE snapshot). The expensive part of rendering the state is the tasks (hundreds of
// thousands, each a few hundred bytes); their JSON is cached per Task object, off-heap in an
// Arena (./arena.ts), and re-rendered only when the task changed. What a task's JSON depends on
// is either fixed for a Task object (its TaskInfo, agent, framework, user, resources — agent
// re-registration creates new Task objects) or checked on every use against a fingerprint
// (latest state, number of statuses, identity of the newest status, pending update uuid and
// state) — so no mutation path of the master can leave a stale fragment behind.
// Agents' fragments are cached the same way (fingerprint: identity of their info, total and used
// resources, link and activation fields; agents with outstanding offers are rendered fresh).
// Per-agent and per-framework used resources (sums over their live tasks) are cached and dropped
// when a MasterEvent says one of their tasks changed (every change of a task's liveness is
// published on the event bus). Frameworks and offers are few and rendered per request.
import { isTerminalState, type Resource, type TaskState, type TaskStatus } from "../../../protocol/mesos";
import { Resources } from "../../../resources";
import type { MasterEvent } from "../../events";
import type { Master } from "../../master";
import type { Agent, Framework, Task } from "../../state";
import { j } from "./json";
import { Arena, type Slot } from "./arena";
import type { Mover } from "./state";
import { legacyAgent, legacyAgentStatic, legacyStatuses, legacyTaskStatic, type LegacyAgentStatic } from "./legacy";
import { v1Agent, v1AgentInfo, v1FrameworkInfo, v1TaskDynamic, v1TaskStatic } from "./v1";

interface TaskEntry {
  /** The cache (and its reset generation) that rendered this entry; several caches may look at the same Task. */
  owner: object;
  agentId: string;
  // Fingerprint of the dynamic part the fragments below were rendered from.
  state: TaskState;
  statusCount: number;
  lastStatus: TaskStatus | undefined;
  updateUuid: string | undefined;
  updateState: TaskState | undefined;
  legacy?: Slot;
  v1?: Slot;
}

/** What an agent's JSON depends on, besides offers (agents with offers are not cached). */
interface AgentEntry {
  agent: Agent;
  info: Agent["info"];
  total: Agent["total"];
  endpoint: string;
  version: string;
  capabilities: string[];
  connection: Agent["connection"];
  deactivated: boolean;
  drainInfo: Agent["drainInfo"];
  registeredTime: number;
  reregisteredTime: number | undefined;
  usage: Usage;
  legacy?: Slot;
  v1?: Slot;
}

/** Used resources of an agent or framework (its non-terminal tasks). */
export interface Usage {
  resources: Resources;
  /** Legacy resource summary JSON. */
  summary: string;
  /** Wire array JSON (v1 `allocated_resources`, /master/slaves `used_resources_full`), lazily. */
  array?: string;
}

export interface CacheStats {
  hits: number;
  misses: number;
}

const EMPTY_SUMMARY = j(Resources.empty().summary());

/**
 * Where a Task's cache entry lives: a property under a module-private symbol on the Task object
 * itself. (A WeakMap of several hundred thousand tasks costs far more: every lookup hashes, and
 * the garbage collector processes every entry as an ephemeron.) Nothing else reads it; the
 * entry is dropped together with the Task.
 */
const ENTRY = Symbol("plateau.stateCache");
type WithEntry = Task & { [ENTRY]?: TaskEntry };

export class StateCache {
  private readonly agentStatic = new WeakMap<Agent["total"], { info: Agent["info"]; legacy: LegacyAgentStatic; v1Total?: string }>();
  private readonly agentInfoJson = new WeakMap<object, string>();
  private readonly frameworkInfoJson = new WeakMap<object, string>();
  private readonly agentUsage = new Map<string, Usage & { agent: Agent }>();
  private readonly frameworkUsage = new Map<string, Usage & { framework: Framework }>();
  readonly stats: CacheStats = { hits: 0, misses: 0 };
  private legacyArena = new Arena();
  private v1Arena = new Arena();
  /** Identity of the current set of task entries (replaced by `reset`). */
  private token: object = {};
  private readonly agents = new Map<string, AgentEntry>();
  private readonly unsubscribe: () => void;

  /**
   * `attach: false` renders without keeping task fragments (a reference rendering that leaves
   * another cache's entries alone — used by tests).
   */
  constructor(
    private readonly m: Master,
    private readonly opts: { attach?: boolean } = {},
  ) {
    this.unsubscribe = m.events.subscribe((e) => this.onEvent(e));
  }

  close(): void {
    this.unsubscribe();
  }

  private onEvent(e: MasterEvent): void {
    switch (e.type) {
      case "TASK_ADDED":
      case "TASK_UPDATED":
        this.agentUsage.delete(e.task.agentId);
        this.frameworkUsage.delete(e.task.frameworkId);
        return;
      case "AGENT_ADDED":
      case "AGENT_UPDATED":
        this.agentUsage.delete(e.agent.id);
        return;
      case "AGENT_REMOVED":
        this.agentUsage.delete(e.agentId);
        this.dropAgent(e.agentId);
        return;
      case "FRAMEWORK_ADDED":
      case "FRAMEWORK_UPDATED":
      case "FRAMEWORK_REMOVED":
        this.frameworkUsage.delete(e.framework.id);
        return;
      case "OFFERS_CHANGED":
        return;
    }
  }

  private entry(task: Task): TaskEntry {
    let e = (task as WithEntry)[ENTRY];
    const last = task.statuses[task.statuses.length - 1];
    if (e === undefined || e.owner !== this.token || e.agentId !== task.agentId) {
      e = { owner: this.token, agentId: task.agentId, state: task.state, statusCount: task.statuses.length, lastStatus: last, updateUuid: task.statusUpdateUuid, updateState: task.statusUpdateState };
      if (this.opts.attach === false) return e;
      // Non-enumerable: invisible to spreads, JSON and deep equality.
      Object.defineProperty(task, ENTRY, { value: e, writable: true, configurable: true, enumerable: false });
      return e;
    }
    if (e.state !== task.state || e.statusCount !== task.statuses.length || e.lastStatus !== last || e.updateUuid !== task.statusUpdateUuid || e.updateState !== task.statusUpdateState) {
      e.state = task.state;
      e.statusCount = task.statuses.length;
      e.lastStatus = last;
      e.updateUuid = task.statusUpdateUuid;
      e.updateState = task.statusUpdateState;
      if (e.legacy) this.legacyArena.release(e.legacy);
      if (e.v1) this.v1Arena.release(e.v1);
      e.legacy = undefined;
      e.v1 = undefined;
    }
    return e;
  }

  /** The task's legacy JSON object, stored (with a trailing comma) in the arena. */
  legacyTaskSlot(task: Task): Slot {
    const e = this.entry(task);
    if (e.legacy !== undefined) {
      this.stats.hits++;
      return (e.legacy = this.legacyArena.current(e.legacy));
    }
    this.stats.misses++;
    e.legacy = this.legacyArena.put(renderLegacyTask(task));
    return e.legacy;
  }

  /** The task as a v1 `Task` message, stored in the arena. */
  v1TaskSlot(task: Task): Slot {
    const e = this.entry(task);
    if (e.v1 !== undefined) {
      this.stats.hits++;
      return (e.v1 = this.v1Arena.current(e.v1));
    }
    this.stats.misses++;
    e.v1 = this.v1Arena.put(renderV1Task(task));
    return e.v1;
  }

  /** The task's legacy JSON object as text. */
  legacyTask(task: Task): string {
    return this.opts.attach === false ? renderLegacyTask(task) : Arena.text(this.legacyTaskSlot(task));
  }

  /** The task as a v1 `Task` message, as text. */
  v1Task(task: Task): string {
    return this.opts.attach === false ? renderV1Task(task) : Arena.text(this.v1TaskSlot(task));
  }

  /** A legacy task for a list: an arena slot, or text when this cache does not keep fragments. */
  legacyTaskPiece = (task: Task): Slot | string => (this.opts.attach === false ? renderLegacyTask(task) : this.legacyTaskSlot(task));

  v1TaskPiece = (task: Task): Slot | string => (this.opts.attach === false ? renderV1Task(task) : this.v1TaskSlot(task));

  // Movers: a document traversal puts scattered fragments next to each other (see Arena.copy).
  // The entry keeps pointing at its (only) current copy.
  readonly legacyTaskMover: Mover<Task> = {
    follows: (after, slot) => this.legacyArena.wouldFollow(after, slot),
    move: (task, slot) => {
      const e = (task as WithEntry)[ENTRY]!;
      return (e.legacy = this.legacyArena.copy(slot));
    },
  };

  readonly v1TaskMover: Mover<Task> = {
    follows: (after, slot) => this.v1Arena.wouldFollow(after, slot),
    move: (task, slot) => {
      const e = (task as WithEntry)[ENTRY]!;
      return (e.v1 = this.v1Arena.copy(slot));
    },
  };

  readonly legacyAgentMover: Mover<Agent> = {
    follows: (after, slot) => this.legacyArena.wouldFollow(after, slot),
    move: (agent, slot) => {
      const e = this.agents.get(agent.id)!;
      return (e.legacy = this.legacyArena.copy(slot));
    },
  };

  readonly v1AgentMover: Mover<Agent> = {
    follows: (after, slot) => this.v1Arena.wouldFollow(after, slot),
    move: (agent, slot) => {
      const e = this.agents.get(agent.id)!;
      return (e.v1 = this.v1Arena.copy(slot));
    },
  };

  private agentEntry(agent: Agent): AgentEntry | null {
    if (agent.offeredIds.size > 0 || this.opts.attach === false) return null;
    const usage = this.agentUsed(agent);
    const e = this.agents.get(agent.id);
    if (
      e !== undefined && e.agent === agent && e.info === agent.info && e.total === agent.total && e.endpoint === agent.endpoint &&
      e.version === agent.version && e.capabilities === agent.capabilities && e.connection === agent.connection &&
      e.deactivated === agent.deactivated && e.drainInfo === agent.drainInfo && e.registeredTime === agent.registeredTime && e.reregisteredTime === agent.reregisteredTime &&
      e.usage === usage
    ) {
      return e;
    }
    if (e) this.dropAgent(agent.id);
    const fresh: AgentEntry = {
      agent, info: agent.info, total: agent.total, endpoint: agent.endpoint, version: agent.version, capabilities: agent.capabilities,
      connection: agent.connection, deactivated: agent.deactivated, drainInfo: agent.drainInfo, registeredTime: agent.registeredTime, reregisteredTime: agent.reregisteredTime, usage,
    };
    this.agents.set(agent.id, fresh);
    return fresh;
  }

  private dropAgent(id: string): void {
    const e = this.agents.get(id);
    if (!e) return;
    if (e.legacy) this.legacyArena.release(e.legacy);
    if (e.v1) this.v1Arena.release(e.v1);
    this.agents.delete(id);
  }

  private renderLegacyAgent(agent: Agent, full: boolean): string {
    const used = this.agentUsed(agent);
    const offered = agent.offeredIds.size === 0 ? Resources.empty() : this.offered(agent.offeredIds);
    const dynamic = { used: used.summary, offered: this.summary(offered), full: full ? { used: this.usageArray(used), offered: j(offered.toArray()) } : undefined };
    return legacyAgent(agent, this.legacyAgentStatic(agent), dynamic);
  }

  private renderV1Agent(agent: Agent): string {
    const offered = agent.offeredIds.size === 0 ? "[]" : j(this.offered(agent.offeredIds).toArray());
    return v1Agent(agent, this.v1AgentInfo(agent), this.v1AgentTotal(agent), this.usageArray(this.agentUsed(agent)), offered);
  }

  /** An agent of /master/state (`full`: with the *_full fields of /master/slaves, not cached). */
  legacyAgentPiece(agent: Agent, full = false): Slot | string {
    const e = full ? null : this.agentEntry(agent);
    if (!e) return this.renderLegacyAgent(agent, full);
    if (e.legacy) return (e.legacy = this.legacyArena.current(e.legacy));
    return (e.legacy = this.legacyArena.put(this.renderLegacyAgent(agent, false)));
  }

  /** A GetAgents.Agent. */
  v1AgentPiece(agent: Agent): Slot | string {
    const e = this.agentEntry(agent);
    if (!e) return this.renderV1Agent(agent);
    if (e.v1) return (e.v1 = this.v1Arena.current(e.v1));
    return (e.v1 = this.v1Arena.put(this.renderV1Agent(agent)));
  }

  /** Forgets every fragment (the next documents render from scratch; benchmarks, diagnostics). */
  reset(): void {
    this.token = {};
    this.legacyArena = new Arena();
    this.v1Arena = new Arena();
    this.agents.clear();
    this.agentUsage.clear();
    this.frameworkUsage.clear();
  }

  /** A full legacy (v1) document measured the live bytes of its fragments. */
  observeLive(kind: "legacy" | "v1", bytes: number): void {
    (kind === "legacy" ? this.legacyArena : this.v1Arena).observeLive(bytes);
  }

  /** Off-heap bytes held by live fragments (legacy, v1). */
  get arenaStats(): { legacyBytes: number; v1Bytes: number } {
    return { legacyBytes: this.legacyArena.stats.liveBytes, v1Bytes: this.v1Arena.stats.liveBytes };
  }

  summary(resources: Resources | readonly Resource[]): string {
    const r = resources instanceof Resources ? resources : Resources.from(resources);
    return r.isEmpty() ? EMPTY_SUMMARY : j(r.summary());
  }

  /** Legacy pieces of an agent that depend only on its AgentInfo and total resources. */
  legacyAgentStatic(agent: Agent): LegacyAgentStatic {
    const hit = this.agentStatic.get(agent.total);
    if (hit && hit.info === agent.info) return hit.legacy;
    const legacy = legacyAgentStatic(agent, (r) => this.summary(r));
    this.agentStatic.set(agent.total, { info: agent.info, legacy });
    return legacy;
  }

  v1AgentTotal(agent: Agent): string {
    const hit = this.agentStatic.get(agent.total);
    if (hit && hit.info === agent.info) return (hit.v1Total ??= j(agent.total.toArray()));
    this.legacyAgentStatic(agent);
    return this.v1AgentTotal(agent);
  }

  v1AgentInfo(agent: Agent): string {
    let s = this.agentInfoJson.get(agent.info);
    if (s === undefined) {
      s = v1AgentInfo(agent.id, agent.info);
      this.agentInfoJson.set(agent.info, s);
    }
    return s;
  }

  v1FrameworkInfo(fw: Framework): string {
    let s = this.frameworkInfoJson.get(fw.info);
    if (s === undefined) {
      s = v1FrameworkInfo(fw);
      this.frameworkInfoJson.set(fw.info, s);
    }
    return s;
  }

  agentUsed(agent: Agent): Usage {
    const hit = this.agentUsage.get(agent.id);
    if (hit && hit.agent === agent) return hit;
    let sum = Resources.empty();
    for (const tasks of agent.tasks.values()) for (const t of tasks.values()) if (!isTerminalState(t.state)) sum = sum.add(t.resources);
    const usage = { agent, resources: sum, summary: this.summary(sum) };
    this.agentUsage.set(agent.id, usage);
    return usage;
  }

  frameworkUsed(fw: Framework): Usage {
    const hit = this.frameworkUsage.get(fw.id);
    if (hit && hit.framework === fw) return hit;
    let sum = Resources.empty();
    for (const t of fw.tasks.values()) if (!isTerminalState(t.state)) sum = sum.add(t.resources);
    const usage = { framework: fw, resources: sum, summary: this.summary(sum) };
    this.frameworkUsage.set(fw.id, usage);
    return usage;
  }

  usageArray(usage: Usage): string {
    return (usage.array ??= j(usage.resources.toArray()));
  }

  private readonly quantityMemo = new WeakMap<Resources, { regular: Map<string, number>; revocable: Map<string, number> }>();

  /** Scalar quantities (ports counted) of non-revocable and revocable resources, memoised per (immutable) Resources. */
  quantities(r: Resources): { regular: Map<string, number>; revocable: Map<string, number> } {
    let q = this.quantityMemo.get(r);
    if (q === undefined) {
      q = { regular: r.nonRevocable().quantities(), revocable: r.revocable().quantities() };
      this.quantityMemo.set(r, q);
    }
    return q;
  }

  /** Sum of the resources of the given outstanding offers. */
  offered(ids: Iterable<string>): Resources {
    let sum = Resources.empty();
    for (const id of ids) {
      const offer = this.m.offers.get(id);
      if (offer) sum = sum.add(offer.resources);
    }
    return sum;
  }
}

function renderLegacyTask(task: Task): string {
  const s = legacyTaskStatic(task);
  return s.head + task.state + s.mid + legacyStatuses(task.statuses) + s.tail;
}

function renderV1Task(task: Task): string {
  const s = v1TaskStatic(task);
  return s.head + task.state + s.resources + v1TaskDynamic(task) + s.tail;
}

/** Text of a list piece (slot or text). */
export function pieceText(p: Slot | string): string {
  return typeof p === "string" ? p : Arena.text(p);
}
