// Cached JSON fragments for the state endpoints (/master/state and friends, GET_STATE, the
// SUBSCRIBE snapshot). The expensive part of rendering the state is the tasks (hundreds of
// thousands, each a few hundred bytes); their JSON is cached per Task object and re-rendered only
// when the task changed:
//   - a task's static part (its TaskInfo: ids, resources, labels, …) never changes for a given
//     Task object (re-registration creates a new one) and is rendered once;
//   - its dynamic part (state, statuses, pending update) is checked on every use against a
//     fingerprint (latest state, number of statuses, identity of the newest status, pending
//     update uuid) — so no mutation path of the master can leave a stale fragment behind.
// Per-agent and per-framework used resources (sums over their live tasks) are cached and dropped
// when a MasterEvent says one of their tasks changed (every change of a task's liveness is
// published on the event bus). Offers are few and rendered per request.
import { isTerminalState, type Resource, type TaskState, type TaskStatus } from "../../../protocol/mesos";
import { Resources } from "../../../resources";
import type { MasterEvent } from "../../events";
import type { Master } from "../../master";
import type { Agent, Framework, Task } from "../../state";
import { flat, j } from "./json";
import { legacyAgentStatic, legacyStatuses, legacyTaskStatic, type LegacyAgentStatic, type LegacyTaskStatic } from "./legacy";
import { v1AgentInfo, v1FrameworkInfo, v1TaskDynamic, v1TaskStatic, type V1TaskStatic } from "./v1";

interface TaskEntry {
  /** The cache that rendered this entry (several caches may look at the same Task). */
  owner: StateCache;
  agentId: string;
  legacyStatic?: LegacyTaskStatic;
  v1Static?: V1TaskStatic;
  // Fingerprint of the dynamic part the fragments below were rendered from.
  state: TaskState;
  statusCount: number;
  lastStatus: TaskStatus | undefined;
  updateUuid: string | undefined;
  updateState: TaskState | undefined;
  legacy?: string;
  v1?: string;
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
    if (e === undefined || e.owner !== this || e.agentId !== task.agentId) {
      e = { owner: this, agentId: task.agentId, state: task.state, statusCount: task.statuses.length, lastStatus: last, updateUuid: task.statusUpdateUuid, updateState: task.statusUpdateState };
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
      e.legacy = undefined;
      e.v1 = undefined;
    }
    return e;
  }

  /** The task's legacy JSON object. */
  legacyTask(task: Task): string {
    const e = this.entry(task);
    if (e.legacy !== undefined) {
      this.stats.hits++;
      return e.legacy;
    }
    this.stats.misses++;
    const s = (e.legacyStatic ??= legacyTaskStatic(task));
    e.legacy = flat(s.head + task.state + s.mid + legacyStatuses(task.statuses) + s.tail);
    return e.legacy;
  }

  /** The task as a v1 `Task` message. */
  v1Task(task: Task): string {
    const e = this.entry(task);
    if (e.v1 !== undefined) {
      this.stats.hits++;
      return e.v1;
    }
    this.stats.misses++;
    const s = (e.v1Static ??= v1TaskStatic(task));
    e.v1 = flat(s.head + task.state + s.resources + v1TaskDynamic(task) + s.tail);
    return e.v1;
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
