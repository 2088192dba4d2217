// Reliable delivery of task status updates to the master (Mesos's status update manager;
// agent-executor.md §6).
//
// Contract, per task, one ordered stream:
//  - `update()` journals the update (checkpointing frameworks; synchronously, before anything
//    else happens with it) and queues it; only the HEAD of a stream is ever forwarded, with
//    `latest_state` = the state of the newest queued update.
//  - The head is re-forwarded until acknowledged: first after `retryMinMs`, the interval
//    doubling up to `retryMaxMs`. `flush()` (on (re)registration) re-forwards every head at once.
//  - `acknowledge()` with the head's uuid journals the ack, pops the head and forwards the next.
//    Acks for an already-acknowledged uuid (duplicates) or for anything else (stale/unknown) are
//    ignored and counted. Duplicate updates (same uuid) are ignored.
//  - The ack of a terminal update closes the stream and calls `onStreamClosed`.
// Time comes from `now()`; retries happen in `tick(now)`, which the owner calls from ONE shared
// timer (no timer per task). Journal appends are synchronous (one write to one open file, see
// journal.ts), so "journalled before forwarded" holds without promise chains.
import type { StatusUpdateMessage } from "../protocol/internal";
import { isTerminalState, type TaskState } from "../protocol/mesos";
import type { UpdateRecord } from "./checkpoint";
import type { Logger } from "./log";

export interface UpdateJournalPort {
  append(frameworkId: string, taskId: string, record: UpdateRecord): void;
}

export interface StatusUpdateManagerDeps {
  /** Sends to the master; may drop silently when disconnected (retries cover it). */
  forward(update: StatusUpdateMessage): void;
  journal: UpdateJournalPort;
  retryMinMs: number;
  retryMaxMs: number;
  now(): number;
  log: Logger;
  /** The terminal update of a task was acknowledged: the task is complete. */
  onStreamClosed?(frameworkId: string, taskId: string, terminal: StatusUpdateMessage): void;
}

/** Whether a stream checkpoints (FrameworkInfo.checkpoint); otherwise memory only. */
export interface StreamOptions {
  checkpoint?: boolean;
}

interface Stream {
  frameworkId: string;
  taskId: string;
  checkpoint: boolean;
  /** Unacknowledged updates, oldest (the head) first. */
  pending: StatusUpdateMessage[];
  /** Every uuid received (duplicate detection) and every uuid acknowledged. */
  received: Set<string>;
  acked: Set<string>;
  /** The newest acknowledged update (kept by journal compaction). */
  lastAcked?: StatusUpdateMessage;
  /** A terminal update was queued: later updates are refused. */
  terminated: boolean;
  /** When the head is next re-forwarded (ms), and the current retry interval. */
  retryAt?: number;
  intervalMs: number;
}

export type AckResult = "acknowledged" | "duplicate" | "unknown";
export type UpdateResult = "queued" | "duplicate" | "refused";

const keyOf = (frameworkId: string, taskId: string) => `${frameworkId}\u0000${taskId}`;

export class StatusUpdateManager {
  private readonly streams = new Map<string, Stream>();
  readonly counters = { forwarded: 0, retried: 0, acknowledged: 0, duplicateAcks: 0, unknownAcks: 0, duplicateUpdates: 0 };

  constructor(private readonly deps: StatusUpdateManagerDeps) {}

  /** Queues (and journals) a new update from the task's executor or the agent. */
  update(update: StatusUpdateMessage, options: StreamOptions = {}): UpdateResult {
    const stream = this.streamFor(update.framework_id.value, update.status.task_id.value, options);
    const uuid = update.status.uuid;
    if (uuid === undefined) throw new Error("status update without uuid");
    if (stream.received.has(uuid)) {
      this.counters.duplicateUpdates++;
      return "duplicate";
    }
    if (stream.terminated) {
      this.deps.log.warn(`Ignoring ${update.status.state} for task ${stream.taskId}: its stream already has a terminal update`);
      return "refused";
    }
    stream.received.add(uuid);
    stream.terminated = isTerminalState(update.status.state);
    this.journal(stream, { update });
    stream.pending.push(update);
    if (stream.pending.length === 1) this.forwardHead(stream, false);
    return "queued";
  }

  /** A scheduler acknowledgement relayed by the master. */
  acknowledge(frameworkId: string, taskId: string, uuid: string): AckResult {
    const stream = this.streams.get(keyOf(frameworkId, taskId));
    if (stream === undefined) return this.ignoredAck("unknown", taskId, uuid);
    if (stream.acked.has(uuid)) return this.ignoredAck("duplicate", taskId, uuid);
    const head = stream.pending[0];
    if (head === undefined || head.status.uuid !== uuid) return this.ignoredAck("unknown", taskId, uuid);
    this.journal(stream, { ack: uuid });
    stream.pending.shift();
    stream.acked.add(uuid);
    stream.lastAcked = head;
    this.counters.acknowledged++;
    if (isTerminalState(head.status.state)) {
      this.streams.delete(keyOf(frameworkId, taskId));
      this.deps.onStreamClosed?.(frameworkId, taskId, head);
    } else if (stream.pending.length > 0) {
      this.forwardHead(stream, false);
    } else {
      stream.retryAt = undefined;
    }
    return "acknowledged";
  }

  /**
   * Rebuilds a stream from its journal after an agent restart: `records` in journal order.
   * Nothing is forwarded until `flush()`. Returns the unacknowledged updates.
   */
  recover(frameworkId: string, taskId: string, records: readonly UpdateRecord[], options: StreamOptions = {}): StatusUpdateMessage[] {
    const stream = this.streamFor(frameworkId, taskId, options);
    for (const record of records) {
      if ("update" in record) {
        const uuid = record.update.status.uuid;
        if (uuid === undefined || stream.received.has(uuid)) continue;
        stream.received.add(uuid);
        stream.pending.push(record.update);
        if (isTerminalState(record.update.status.state)) stream.terminated = true;
      } else if (stream.pending[0]?.status.uuid === record.ack) {
        stream.lastAcked = stream.pending.shift();
        stream.acked.add(record.ack);
      }
    }
    if (stream.pending.length === 0 && stream.terminated) this.streams.delete(keyOf(frameworkId, taskId));
    return [...stream.pending];
  }

  /** Re-forwards every head now and restarts their backoff (on (re)registration). */
  flush(): void {
    for (const stream of this.streams.values()) if (stream.pending.length > 0) this.forwardHead(stream, false);
  }

  /** Re-forwards heads whose retry time has come. Call from one shared timer. */
  tick(now = this.deps.now()): void {
    for (const stream of this.streams.values()) {
      if (stream.retryAt !== undefined && stream.pending.length > 0 && now >= stream.retryAt) {
        this.counters.retried++;
        this.forwardHead(stream, true);
      }
    }
  }

  /** Drops every stream of a framework (it was shut down: nobody will acknowledge). */
  removeFramework(frameworkId: string): void {
    for (const [key, stream] of this.streams) if (stream.frameworkId === frameworkId) this.streams.delete(key);
  }

  /** The oldest unacknowledged update of a task (reported on re-registration). */
  head(frameworkId: string, taskId: string): StatusUpdateMessage | undefined {
    return this.streams.get(keyOf(frameworkId, taskId))?.pending[0];
  }

  /** Unacknowledged updates of a task, oldest first. */
  pending(frameworkId: string, taskId: string): readonly StatusUpdateMessage[] {
    return this.streams.get(keyOf(frameworkId, taskId))?.pending ?? [];
  }

  hasStream(frameworkId: string, taskId: string): boolean {
    return this.streams.has(keyOf(frameworkId, taskId));
  }

  /** What the journal must keep of open checkpointing streams (for compaction). */
  *liveRecords(): Iterable<{ frameworkId: string; taskId: string; records: UpdateRecord[] }> {
    for (const s of this.streams.values()) {
      if (!s.checkpoint) continue;
      const records: UpdateRecord[] = [];
      if (s.lastAcked !== undefined) records.push({ update: s.lastAcked }, { ack: s.lastAcked.status.uuid! });
      for (const update of s.pending) records.push({ update });
      yield { frameworkId: s.frameworkId, taskId: s.taskId, records };
    }
  }

  get pendingStreams(): number {
    return this.streams.size;
  }

  private journal(stream: Stream, record: UpdateRecord): void {
    if (!stream.checkpoint) return;
    try {
      this.deps.journal.append(stream.frameworkId, stream.taskId, record);
    } catch (err) {
      // The update stays in memory and is still delivered; only a restart could lose it.
      this.deps.log.error(`Failed to checkpoint status update stream of task ${stream.taskId}: ${(err as Error).message}`);
    }
  }

  private streamFor(frameworkId: string, taskId: string, options: StreamOptions): Stream {
    const key = keyOf(frameworkId, taskId);
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = {
        frameworkId, taskId, checkpoint: options.checkpoint ?? false, pending: [], received: new Set(), acked: new Set(),
        terminated: false, intervalMs: this.deps.retryMinMs,
      };
      this.streams.set(key, stream);
    }
    return stream;
  }

  private forwardHead(stream: Stream, retry: boolean): void {
    const head = stream.pending[0];
    if (head === undefined) return;
    stream.intervalMs = retry ? Math.min(stream.intervalMs * 2, this.deps.retryMaxMs) : this.deps.retryMinMs;
    stream.retryAt = this.deps.now() + stream.intervalMs;
    const latest: TaskState = stream.pending[stream.pending.length - 1]!.status.state;
    this.counters.forwarded++;
    this.deps.forward(latest === head.status.state ? head : { ...head, latest_state: latest });
  }

  private ignoredAck(kind: "duplicate" | "unknown", taskId: string, uuid: string): AckResult {
    if (kind === "duplicate") this.counters.duplicateAcks++;
    else this.counters.unknownAcks++;
    this.deps.log.info(`Ignoring ${kind} status update acknowledgement ${uuid} for task ${taskId}`);
    return kind;
  }
}
