// Counters the master keeps for /metrics/snapshot (Mesos metric names are assembled in the
// operator layer). Gauges are computed from state on demand; only monotonic counts live here.
import type { TaskState } from "../protocol/mesos";

export class MasterCounters {
  readonly terminalTasks = new Map<TaskState, number>();
  /** `<state>/<source>/<reason>` → count, lower-cased as Mesos names them. */
  readonly taskStateDetail = new Map<string, number>();
  readonly messages = new Map<string, number>();
  readonly frameworkCalls = new Map<string, Map<string, number>>();
  readonly frameworkEvents = new Map<string, Map<string, number>>();
  agentRegistrations = 0;
  agentReregistrations = 0;
  agentRemovals = 0;
  agentsUnreachableScheduled = 0;
  agentsUnreachableCompleted = 0;
  validStatusUpdates = 0;
  invalidStatusUpdates = 0;
  validAcknowledgements = 0;
  invalidAcknowledgements = 0;
  droppedMessages = 0;

  private static bump<K>(map: Map<K, number>, key: K, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }

  countMessage(name: string): void {
    MasterCounters.bump(this.messages, name);
  }

  countTerminal(state: TaskState, source: string | undefined, reason: string | undefined): void {
    MasterCounters.bump(this.terminalTasks, state);
    const detail = [state, source ?? "SOURCE_MASTER", reason ?? "REASON_NONE"]
      .map((s) => s.toLowerCase().replace("agent", "slave"))
      .join("/");
    MasterCounters.bump(this.taskStateDetail, detail);
  }

  countCall(frameworkId: string, call: string): void {
    const map = this.frameworkCalls.get(frameworkId) ?? new Map<string, number>();
    MasterCounters.bump(map, call);
    this.frameworkCalls.set(frameworkId, map);
  }

  countEvent(frameworkId: string, event: string): void {
    const map = this.frameworkEvents.get(frameworkId) ?? new Map<string, number>();
    MasterCounters.bump(map, event);
    this.frameworkEvents.set(frameworkId, map);
  }
}

/** Cluster quantities per resource name (scalars; ports counted). */
export type SampleQuantities = Record<"cpus" | "mem" | "disk" | "gpus" | "ports", number>;

/**
 * One periodic sample of the cluster for the dashboard's charts (taken by
 * ./operator/history.ts every --metrics_sample_interval; persisted through the registry).
 */
export interface MetricSample {
  /** ms since epoch */
  time: number;
  total: SampleQuantities;
  allocated: SampleQuantities;
  offered: SampleQuantities;
  /** Tasks the master knows, by state (active, unreachable and completed). */
  tasks: Partial<Record<TaskState, number>>;
  agents: { connected: number; disconnected: number; unreachable: number };
  frameworks: { active: number; inactive: number };
}

/** Bounded, time-ordered ring of samples (oldest dropped first). */
export class MetricsHistory {
  private samples: MetricSample[] = [];

  constructor(private capacity = 17_280) {}

  setCapacity(capacity: number): void {
    this.capacity = Math.max(1, capacity);
    this.trim();
  }

  add(sample: MetricSample): void {
    this.samples.push(sample);
    this.trim();
  }

  /** Older samples (e.g. loaded from the registry), merged in time order. */
  restore(older: readonly MetricSample[]): void {
    this.samples = [...older, ...this.samples].sort((a, b) => a.time - b.time);
    this.trim();
  }

  /** Samples with time >= sinceMs (all when absent), oldest first. */
  since(sinceMs?: number): MetricSample[] {
    if (sinceMs === undefined) return this.samples.slice();
    let lo = 0;
    let hi = this.samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.samples[mid]!.time < sinceMs) lo = mid + 1;
      else hi = mid;
    }
    return this.samples.slice(lo);
  }

  get size(): number {
    return this.samples.length;
  }

  private trim(): void {
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
  }
}
