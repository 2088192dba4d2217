// A scheduler subscription stream: the long-lived chunked response of a SUBSCRIBE call, carrying
// RecordIO-framed JSON events. Each event is written with a single `write` call. A consumer that
// stops reading is cut off once too much is buffered, rather than growing the master's memory.
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { encodeRecord } from "../../protocol/recordio";
import { toWireJson } from "../../protocol/json";
import type { Clock, TimerHandle } from "../clock";

const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export interface StreamSink {
  write(chunk: Buffer): boolean;
  end(): void;
  readonly writableLength: number;
  onClose(cb: () => void): void;
}

export function responseSink(res: ServerResponse): StreamSink {
  return {
    write: (chunk) => res.write(chunk),
    end: () => res.end(),
    get writableLength() {
      return res.writableLength;
    },
    onClose: (cb) => res.on("close", cb),
  };
}

export class EventStream<E> {
  readonly id = randomUUID();
  private closed = false;
  private heartbeat: TimerHandle | null = null;
  private readonly closeListeners: (() => void)[] = [];

  constructor(private readonly sink: StreamSink) {
    sink.onClose(() => this.markClosed());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Starts sending `event` every `intervalMs`. */
  startHeartbeats(clock: Clock, intervalMs: number, event: E): void {
    this.heartbeat?.cancel();
    this.heartbeat = clock.setInterval(() => this.send(event), intervalMs);
  }

  send(event: E): boolean {
    if (this.closed) return false;
    if (this.sink.writableLength > MAX_BUFFERED_BYTES) {
      this.close();
      return false;
    }
    this.sink.write(encodeRecord(toWireJson(event)));
    return true;
  }

  /** Sends pre-serialised JSON (already ASCII-escaped). */
  sendRaw(json: string): boolean {
    if (this.closed) return false;
    this.sink.write(encodeRecord(json));
    return true;
  }

  onClose(cb: () => void): void {
    if (this.closed) cb();
    else this.closeListeners.push(cb);
  }

  close(): void {
    if (this.closed) return;
    this.sink.end();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.heartbeat?.cancel();
    for (const cb of this.closeListeners.splice(0)) cb();
  }
}

import type { SchedulerEvent } from "../../protocol/scheduler";
export type SchedulerStream = EventStream<SchedulerEvent>;
