// Renders task and agent fragments in the background, so that the first large state document
// after a master starts (or after many tasks changed) does not pay for rendering them. Work is
// done in short slices on an otherwise idle event loop: whenever a state document is being
// written, the warmer steps aside (it never delays a response). It makes one pass over every
// task and agent when started, then renders the tasks named by TASK_ADDED / TASK_UPDATED events.
// Legacy fragments are always warmed; v1 fragments only once a v1 document has been asked for
// (GET_STATE, GET_TASKS, SUBSCRIBE), since many clusters never use them.
import type { MasterEvent } from "../../events";
import type { Master } from "../../master";
import type { Agent, Task } from "../../state";
import type { StateCache } from "./cache";

const SLICE_MS = 4;
/** While agents are (re-)registering (e.g. all of them, after a failover), the warmer waits this long between checks. */
const STORM_BACKOFF_MS = 100;

export interface Busy {
  /** True while state documents are waiting for their next slice. */
  (): boolean;
}

export class CacheWarmer {
  private readonly pending = new Set<Task>();
  private pass: Iterator<Task | Agent> | null;
  /** Which fragments the current pass renders. */
  private passKind: "legacy" | "v1" = "legacy";
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private v1 = false;
  private readonly unsubscribe: () => void;
  private passWaiters: (() => void)[] = [];
  /** Completed passes (tests, diagnostics). */
  passes = 0;
  /** Agent (re-)registrations counted at the last step: new ones mean a registration storm may be on. */
  private registrationsSeen: number;

  constructor(
    private readonly m: Master,
    private readonly cache: StateCache,
    private readonly busy: Busy,
  ) {
    this.pass = this.legacyOrder();
    this.registrationsSeen = this.registrations();
    this.unsubscribe = m.events.subscribe((e) => this.onEvent(e));
    this.schedule(0);
  }

  /** Keep v1 fragments warm too (a v1 document was requested). Starts a new pass the first time. */
  enableV1(): void {
    if (this.v1) return;
    this.v1 = true;
    this.restart("v1");
  }

  /** Starts a new pass over everything (e.g. after state was loaded without events). */
  restart(kind: "legacy" | "v1" = "legacy"): void {
    this.passKind = kind;
    this.pass = kind === "legacy" ? this.legacyOrder() : this.v1Order();
    this.schedule(0);
  }

  /** Resolves once the current pass over everything is done (at once if none is running). */
  passDone(): Promise<void> {
    if (this.pass === null || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.passWaiters.push(resolve));
  }

  get idle(): boolean {
    return this.pass === null && this.pending.size === 0;
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.passWaiters.splice(0)) w();
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
  }

  private onEvent(e: MasterEvent): void {
    if (e.type !== "TASK_ADDED" && e.type !== "TASK_UPDATED") return;
    this.pending.add(e.task);
    this.schedule(50); // let a burst of updates settle first
  }

  /** /master/state's order: agents, then each framework's tasks, unreachable and completed tasks. */
  private *legacyOrder(): Generator<Task | Agent> {
    for (const agent of this.m.agents.values()) yield agent;
    for (const fw of this.m.frameworks.values()) {
      yield* fw.tasks.values();
      yield* fw.unreachableTasks.values();
      yield* fw.completedTasks;
    }
    for (const c of this.m.completedFrameworks) yield* c.framework.completedTasks;
  }

  /** GET_STATE's order: all tasks, all unreachable tasks, all completed tasks, then agents. */
  private *v1Order(): Generator<Task | Agent> {
    const m = this.m;
    for (const fw of m.frameworks.values()) yield* fw.tasks.values();
    for (const fw of m.frameworks.values()) yield* fw.unreachableTasks.values();
    for (const fw of m.frameworks.values()) yield* fw.completedTasks;
    for (const c of m.completedFrameworks) yield* c.framework.completedTasks;
    for (const agent of m.agents.values()) yield agent;
  }

  private registrations(): number {
    return this.m.counters.agentRegistrations + this.m.counters.agentReregistrations;
  }

  private schedule(ms: number): void {
    if (this.stopped || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.step();
    }, ms);
    this.timer.unref?.();
  }

  /** Renders what `kinds` says (a pass: its kind; a changed task: legacy, and v1 once enabled). */
  private warm(item: Task | Agent, legacy: boolean, v1: boolean): void {
    if (!("statuses" in item)) {
      if (legacy) this.cache.legacyAgentPiece(item as Agent);
      if (v1) this.cache.v1AgentPiece(item as Agent);
      return;
    }
    const task = item as Task;
    if (legacy) this.cache.legacyTaskSlot(task);
    if (v1) this.cache.v1TaskSlot(task);
  }

  private step(): void {
    if (this.stopped || !this.m.isLeading) return;
    if (this.busy()) return this.schedule(10);
    // Agents (re-)registering take precedence: after a failover every agent re-registers within a
    // second or two, and each rendering slice would delay them. Rendering resumes once they stop.
    const registrations = this.registrations();
    if (registrations !== this.registrationsSeen) {
      this.registrationsSeen = registrations;
      return this.schedule(STORM_BACKOFF_MS);
    }
    const started = performance.now();
    let n = 0;
    while ((++n & 63) !== 0 || performance.now() - started < SLICE_MS) {
      // The pass first (it covers every task, in document order), then the changed tasks.
      if (this.pass) {
        const r = this.pass.next();
        if (!r.done) {
          this.warm(r.value, this.passKind === "legacy", this.passKind === "v1");
          continue;
        }
        this.pass = null;
        this.passes++;
        for (const w of this.passWaiters.splice(0)) w();
      }
      const task = this.pending.values().next();
      if (task.done) return;
      this.pending.delete(task.value);
      this.warm(task.value, true, this.v1);
    }
    this.schedule(0);
  }
}
