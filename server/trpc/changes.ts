// The dashboard's live feed: the master's domain events folded into small change notices, at most
// one per BATCH_MS, each saying which kinds of data moved and (bounded) which tasks, agents and
// frameworks — enough for the browser to patch rows already on screen and refetch only the
// queries that changed. A heartbeat every HEARTBEAT_MS lets the browser tell "quiet" from
// "unreachable". When this process's master core is replaced (fail-stop, new term) the feed
// follows the new core and says so with a `master` change.
import type { MasterEvent } from "../master/events";
import type { MasterHandle } from "../master/handle";
import { getMasterHandle } from "./init";

export const CHANGE_KINDS = ["tasks", "agents", "frameworks", "offers", "timeline", "metrics", "roles", "master"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface TaskChange {
  id: string;
  frameworkId: string;
  agentId: string;
  state: string;
  /** Time of the status (ms), when known. */
  time?: number;
  message?: string;
}

export interface ChangeNotice {
  kinds: ChangeKind[];
  /** Latest change per task in this batch (at most MAX_IDS; `truncated` when more moved). */
  tasks: TaskChange[];
  agents: string[];
  frameworks: string[];
  truncated: boolean;
  /** Server time of the notice (ms). */
  at: number;
  masterId: string;
  leading: boolean;
}

export const BATCH_MS = 150;
export const HEARTBEAT_MS = 5_000;
const TICK_MS = 1_000;
const MAX_IDS = 200;

/** Accumulates events between two notices. */
export class ChangeBatch {
  readonly kinds = new Set<ChangeKind>();
  readonly tasks = new Map<string, TaskChange>();
  readonly agents = new Set<string>();
  readonly frameworks = new Set<string>();
  truncated = false;

  get empty(): boolean {
    return this.kinds.size === 0;
  }

  add(event: MasterEvent): void {
    this.kinds.add("timeline");
    switch (event.type) {
      case "TASK_ADDED":
      case "TASK_UPDATED": {
        const t = event.task;
        this.kinds.add("tasks").add("agents").add("frameworks");
        const status = event.type === "TASK_UPDATED" ? event.status : t.statuses.at(-1);
        const key = `${t.frameworkId}/${t.info.task_id.value}`;
        if (this.tasks.size < MAX_IDS || this.tasks.has(key)) {
          this.tasks.set(key, {
            id: t.info.task_id.value,
            frameworkId: t.frameworkId,
            agentId: t.agentId,
            state: t.state,
            time: status?.timestamp !== undefined ? status.timestamp * 1000 : undefined,
            message: status?.message,
          });
        } else this.truncated = true;
        this.addId(this.agents, t.agentId);
        this.addId(this.frameworks, t.frameworkId);
        return;
      }
      case "AGENT_ADDED":
      case "AGENT_UPDATED":
        this.kinds.add("agents");
        this.addId(this.agents, event.agent.id);
        return;
      case "AGENT_REMOVED":
        this.kinds.add("agents");
        this.addId(this.agents, event.agentId);
        return;
      case "FRAMEWORK_ADDED":
      case "FRAMEWORK_UPDATED":
      case "FRAMEWORK_REMOVED":
        this.kinds.add("frameworks").add("roles");
        this.addId(this.frameworks, event.framework.id);
        return;
      case "OFFERS_CHANGED":
        this.kinds.add("offers").add("roles");
        return;
      default:
        return;
    }
  }

  private addId(set: Set<string>, id: string): void {
    if (set.size < MAX_IDS) set.add(id);
    else if (!set.has(id)) this.truncated = true;
  }

  take(handle: MasterHandle, at: number): ChangeNotice {
    const notice: ChangeNotice = {
      kinds: [...this.kinds],
      tasks: [...this.tasks.values()],
      agents: [...this.agents],
      frameworks: [...this.frameworks],
      truncated: this.truncated,
      at,
      masterId: handle.master.id,
      leading: handle.master.isLeading,
    };
    this.kinds.clear();
    this.tasks.clear();
    this.agents.clear();
    this.frameworks.clear();
    this.truncated = false;
    return notice;
  }
}

/** Resolves after `ms` or on abort (the abort listener is removed either way: no build-up). */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** The notices for one browser, until `signal` aborts. The first notice is sent at once. */
export async function* changeNotices(initial: MasterHandle, signal?: AbortSignal): AsyncGenerator<ChangeNotice> {
  let handle = initial;
  const batch = new ChangeBatch();
  let wake: (() => void) | null = null;
  const listen = (h: MasterHandle) => {
    const stopEvents = h.subscribe((event) => {
      batch.add(event);
      wake?.();
    });
    // Timeline entries without a domain event (operator actions such as weight changes, rejected
    // commands, elections) still change what the dashboard shows.
    const stopTimeline = h.master.timeline.subscribe((entry) => {
      batch.kinds.add("timeline");
      if (entry.kind === "operator" || entry.kind === "maintenance") batch.kinds.add("roles").add("agents");
      wake?.();
    });
    return () => (stopEvents(), stopTimeline());
  };
  let unsubscribe = listen(handle);
  let lastSample = handle.master.metricsHistory.since(Date.now() - 60_000).at(-1)?.time ?? 0;
  let lastSent = 0;
  // The first notice tells the browser which master it follows (and refreshes what it shows).
  batch.kinds.add("master");
  try {
    while (!signal?.aborted) {
      const current = getMasterHandle();
      if (current && current !== handle) {
        unsubscribe();
        handle = current;
        unsubscribe = listen(handle);
        for (const k of CHANGE_KINDS) batch.kinds.add(k);
      }
      const sample = handle.master.metricsHistory.since(Math.max(lastSample + 1, Date.now() - 60_000)).at(-1)?.time;
      if (sample !== undefined && sample > lastSample) {
        lastSample = sample;
        batch.kinds.add("metrics");
      }
      const now = Date.now();
      if (!batch.empty || now - lastSent >= HEARTBEAT_MS) {
        lastSent = now;
        yield batch.take(handle, now);
        await sleep(BATCH_MS, signal);
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        void sleep(TICK_MS, signal).then(resolve);
      });
      wake = null;
      if (!batch.empty) await sleep(BATCH_MS, signal);
    }
  } finally {
    unsubscribe();
  }
}
