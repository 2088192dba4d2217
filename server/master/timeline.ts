// The cluster event timeline Mesos never kept: task state changes, agents lost/returned,
// framework changes and operator actions, newest last, bounded in memory. Persisted (bounded)
// through the registry by ./operator/history.ts, which restores the recent entries at recovery.

export type TimelineKind =
  | "task"
  | "agent"
  | "framework"
  | "operator"
  | "election"
  | "maintenance";

export interface TimelineEntry {
  seq: number;
  /** ms since epoch */
  time: number;
  kind: TimelineKind;
  /** Short machine-friendly action, e.g. TASK_RUNNING, AGENT_UNREACHABLE, KILL_TASK. */
  action: string;
  summary: string;
  /** Who asked (operator actions). */
  principal?: string;
  frameworkId?: string;
  agentId?: string;
  taskId?: string;
  result?: "ok" | "error";
  reason?: string;
}

export class Timeline {
  private readonly entries: TimelineEntry[] = [];
  private seq = 0;
  private readonly listeners = new Set<(e: TimelineEntry) => void>();

  constructor(private readonly capacity = 10_000) {}

  add(entry: Omit<TimelineEntry, "seq">): TimelineEntry {
    const full = { ...entry, seq: ++this.seq };
    this.entries.push(full);
    // Trimmed in batches (a quarter of the capacity at a time): one splice per add shifted the
    // whole array each time, which a burst of 10k re-registering agents paid 10k times.
    if (this.entries.length > this.capacity + Math.max(1, this.capacity >> 2)) this.entries.splice(0, this.entries.length - this.capacity);
    for (const l of this.listeners) l(full);
    return full;
  }

  /** Sequence number of the newest entry (0 when empty). */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Puts persisted history (oldest first) before the entries added since this master started,
   * which are renumbered after it so sequence numbers stay unique across restarts. Call once,
   * before the first entry is persisted.
   */
  restore(history: readonly TimelineEntry[]): void {
    if (history.length === 0) return;
    const current = this.entries.splice(0);
    this.seq = history.reduce((max, e) => Math.max(max, e.seq), 0);
    this.entries.push(...history.slice(-this.capacity));
    for (const e of current) {
      e.seq = ++this.seq;
      this.entries.push(e);
    }
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(opts: { afterSeq?: number; limit?: number; kind?: TimelineKind } = {}): TimelineEntry[] {
    let out = this.entries.length > this.capacity ? this.entries.slice(-this.capacity) : this.entries;
    if (opts.afterSeq !== undefined) out = out.filter((e) => e.seq > opts.afterSeq!);
    if (opts.kind) out = out.filter((e) => e.kind === opts.kind);
    return opts.limit !== undefined ? out.slice(-opts.limit) : out.slice();
  }

  subscribe(listener: (e: TimelineEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
