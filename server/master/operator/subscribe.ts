// The operator API's SUBSCRIBE: a RecordIO stream of master Events (operator-api.md §4).
//
//   SUBSCRIBED {get_state, heartbeat_interval_seconds} ─► HEARTBEAT ─► events as they happen
//
// The SUBSCRIBED snapshot is fixed synchronously (consistent with the event order: from cached
// fragments, byte ranges that never change), then written in slices with backpressure; events
// that happen meanwhile are rendered at once and queued behind it. Each MasterEvent is rendered once and fanned out to every subscriber. A
// subscriber that stops reading is cut off once too much is buffered; above the subscriber limit
// the oldest stream is closed (Mesos --max_operator_event_stream_subscribers).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MasterEvent } from "../events";
import type { Master } from "../master";
import type { TimerHandle } from "../clock";
import type { StateCache } from "./render/cache";
import { capture, v1AgentJson, v1GetState, type ViewFilter } from "./render/state";
import { viewFilter } from "../../security/visibility";
import { v1Framework, v1Status } from "./render/v1";
import { idJson, j } from "./render/json";
import { resolvePieces, streamPieces, type Range } from "./sliced-writer";
import { wrap } from "./http";
import type { CacheWarmer } from "./render/warmer";

const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

const frame = (json: string) => `${json.length}\n${json}`;

/** Renders a MasterEvent as an operator Event (null: not an operator event). */
export function renderEvent(m: Master, cache: StateCache, e: MasterEvent): string | null {
  switch (e.type) {
    case "TASK_ADDED":
      return `{"type":"TASK_ADDED","task_added":{"task":${cache.v1Task(e.task)}}}`;
    case "TASK_UPDATED":
      return `{"type":"TASK_UPDATED","task_updated":{"framework_id":${idJson(e.task.frameworkId)},"status":${v1Status(e.status)},"state":"${e.task.state}"}}`;
    case "AGENT_ADDED":
      return `{"type":"AGENT_ADDED","agent_added":{"agent":${v1AgentJson(cache, e.agent)}}}`;
    case "AGENT_REMOVED":
      return `{"type":"AGENT_REMOVED","agent_removed":{"agent_id":${idJson(e.agentId)}}}`;
    case "FRAMEWORK_ADDED":
    case "FRAMEWORK_UPDATED": {
      const key = e.type.toLowerCase();
      return `{"type":"${e.type}","${key}":{"framework":${v1Framework(m, e.framework, cache.v1FrameworkInfo(e.framework))}}}`;
    }
    case "FRAMEWORK_REMOVED":
      return `{"type":"FRAMEWORK_REMOVED","framework_removed":{"framework_info":${cache.v1FrameworkInfo(e.framework)}}}`;
    case "AGENT_UPDATED":
    case "OFFERS_CHANGED":
      return null;
  }
}

class OperatorStream {
  /** Records waiting while the SUBSCRIBED snapshot is being written. */
  private queue: string[] | null = [];
  closed = false;
  heartbeat: TimerHandle | null = null;

  constructor(
    readonly res: ServerResponse,
    private readonly onClosed: (s: OperatorStream) => void,
    /** What this subscriber's principal may see (undefined: everything). */
    readonly view?: ViewFilter,
  ) {
    res.on("close", () => this.markClosed());
  }

  send(record: string): void {
    if (this.closed) return;
    if (this.queue) {
      this.queue.push(record);
      return;
    }
    if (this.res.writableLength > MAX_BUFFERED_BYTES) {
      this.close();
      return;
    }
    this.res.write(record, "latin1");
  }

  /** Writes the snapshot record (in slices), then whatever queued up meanwhile; then goes live. */
  async start(snapshot: { parts: (string | Range)[]; length: number }): Promise<void> {
    this.res.write(`${snapshot.length}\n`, "latin1");
    if (!(await streamPieces(this.res, snapshot.parts.values()))) return;
    const queued = this.queue ?? [];
    this.queue = null;
    for (const record of queued) this.send(record);
  }

  close(): void {
    if (this.closed) return;
    this.res.end();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.heartbeat?.cancel();
    this.onClosed(this);
  }
}

export class OperatorSubscribers {
  private readonly streams = new Set<OperatorStream>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly m: Master,
    private readonly cache: StateCache,
    private readonly maxSubscribers: number,
    private readonly warmer: CacheWarmer | null = null,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /**
   * Answers an accepted SUBSCRIBE call (transport checks done by the caller). The snapshot is
   * taken in one synchronous step, at the instant the stream starts receiving events; if the
   * background renderer is still making its pass, that step waits for it (so it is quick).
   */
  async subscribe(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = this.m;
    const heartbeatMs = m.config.heartbeatIntervalMs;
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache" });
    res.flushHeaders();
    req.socket.setKeepAlive(true);
    req.socket.setNoDelay(true);
    if (this.warmer) {
      this.warmer.enableV1();
      await this.warmer.passDone();
    }
    if (res.destroyed || !m.isLeading) return void res.end();

    const view = viewFilter(req, m);
    const stream = new OperatorStream(res, (s) => this.remove(s), view);
    const pieces = wrap(`{"type":"SUBSCRIBED","subscribed":{"get_state":`, v1GetState(this.cache, m, capture(m, { view })), `,"heartbeat_interval_seconds":${j(heartbeatMs / 1000)}}}`);
    const snapshot = resolvePieces(pieces);
    this.streams.add(stream);
    this.ensureListening();
    while (this.streams.size > this.maxSubscribers) this.streams.values().next().value!.close();
    stream.send(frame(`{"type":"HEARTBEAT"}`));
    stream.heartbeat = m.clock.setInterval(() => stream.send(frame(`{"type":"HEARTBEAT"}`)), heartbeatMs);
    await stream.start(snapshot);
  }

  private ensureListening(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.m.events.subscribe((e) => {
      if (this.streams.size === 0) return;
      const json = renderEvent(this.m, this.cache, e);
      if (json === null) return;
      const record = frame(json);
      for (const s of this.streams) if (!s.view || eventVisible(this.m, s.view, e)) s.send(record);
    });
  }

  private remove(stream: OperatorStream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0 && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }

  close(): void {
    for (const s of [...this.streams]) s.close();
  }
}

/** Whether a subscriber restricted by `view` may see event `e` (agents are visible to all). */
export function eventVisible(m: Master, view: ViewFilter, e: MasterEvent): boolean {
  switch (e.type) {
    case "TASK_ADDED":
    case "TASK_UPDATED": {
      const fw = m.frameworks.get(e.task.frameworkId) ?? m.completedFrameworks.find((c) => c.framework.id === e.task.frameworkId)?.framework;
      return fw !== undefined && view.framework(fw) && view.task(fw, e.task);
    }
    case "FRAMEWORK_ADDED":
    case "FRAMEWORK_UPDATED":
    case "FRAMEWORK_REMOVED":
      return view.framework(e.framework);
    default:
      return true;
  }
}
