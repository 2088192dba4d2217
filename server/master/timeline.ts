// The cluster event timeline Mesos never kept: task state changes, agents lost/returned,
// framework changes and operator actions, newest last, bounded in memory. (Persistence through
// the registry store is added with the operator API work.)

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
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    for (const l of this.listeners) l(full);
    return full;
  }

  list(opts: { afterSeq?: number; limit?: number; kind?: TimelineKind } = {}): TimelineEntry[] {
    let out = this.entries;
    if (opts.afterSeq !== undefined) out = out.filter((e) => e.seq > opts.afterSeq!);
    if (opts.kind) out = out.filter((e) => e.kind === opts.kind);
    return opts.limit !== undefined ? out.slice(-opts.limit) : out.slice();
  }

  subscribe(listener: (e: TimelineEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
