// A small Mesos v1 scheduler API client (JSON): SUBSCRIBE stream with RecordIO decoding,
// calls with the stream id, redirects to the leader followed. Used by `plateau execute`, the
// integration tests and the benchmarks — it only uses the public wire API.
//
// `master` is `host:port` or `zk://…/path` (the leader is detected in ZooKeeper, as Mesos's
// scheduler library does). With a ZooKeeper URL (or `retryForMs`), SUBSCRIBE is retried until it
// reaches a leader that has recovered: connection refused/reset and 503 are retried, each time
// at the currently detected leader. After a "disconnected" event the framework re-subscribes by
// calling `subscribe()` again (the client keeps the framework id).
import http from "node:http";
import { EventEmitter } from "node:events";
import { createDetector, detectAddress, isFollowingZooKeeper } from "../ha/detect";
import type { LeaderDetector } from "../ha/types";
import { RecordIODecoder } from "../protocol/recordio";
import type { FrameworkInfo } from "../protocol/mesos";
import type { SchedulerEvent } from "../protocol/scheduler";

export interface CallResult {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export class SchedulerApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`scheduler API answered ${status}: ${body}`);
  }
}

function parseMaster(master: string): { host: string; port: number } {
  const text = master.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  const i = text.lastIndexOf(":");
  return i < 0 ? { host: text, port: 5050 } : { host: text.slice(0, i), port: Number(text.slice(i + 1)) };
}

function locationTarget(location: string, fallback: { host: string; port: number }): { host: string; port: number } {
  const m = /^(?:https?:)?\/\/([^/:]+)(?::(\d+))?/.exec(location);
  if (!m) return fallback;
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 5050 };
}

export interface SchedulerClientOptions {
  keepEvents?: boolean;
  /** Keep retrying SUBSCRIBE this long (default: 60 s with a ZooKeeper URL, else no retry). */
  retryForMs?: number;
  /** ZooKeeper session timeout of the leader detector (default 10 s). */
  zkSessionTimeoutMs?: number;
  /** `Authorization` header for every request (HTTP Basic or a bearer token) when the master requires authentication. */
  authorization?: string;
}

type Subscribed = Extract<SchedulerEvent, { type: "SUBSCRIBED" }>;

function isRetryable(err: unknown): boolean {
  if (err instanceof SchedulerApiError) return err.status === 503;
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EPIPE" || code === "EHOSTUNREACH" || code === "ETIMEDOUT";
}

export class SchedulerClient extends EventEmitter {
  frameworkId?: string;
  streamId?: string;
  private target: { host: string; port: number };
  private subscription: http.ClientRequest | null = null;
  private response: http.IncomingMessage | null = null;
  private readonly detector: LeaderDetector | null;
  readonly received: SchedulerEvent[] = [];

  constructor(
    master: string,
    public frameworkInfo: FrameworkInfo,
    private readonly opts: SchedulerClientOptions = {},
  ) {
    super();
    this.detector = isFollowingZooKeeper(master) ? createDetector(master, { sessionTimeoutMs: opts.zkSessionTimeoutMs }) : null;
    this.target = this.detector ? { host: "", port: 0 } : parseMaster(master);
  }

  private authHeader(): Record<string, string> {
    return this.opts.authorization ? { Authorization: this.opts.authorization } : {};
  }

  get masterAddress(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  /**
   * Opens the subscription; resolves with the SUBSCRIBED event (rejects on ERROR or HTTP error).
   * Retries (see the header) while `retryForMs` allows.
   */
  async subscribe(extra: { suppressed_roles?: string[] } = {}): Promise<Subscribed> {
    const retryForMs = this.opts.retryForMs ?? (this.detector ? 60_000 : 0);
    const deadline = Date.now() + retryForMs;
    for (let attempt = 0; ; attempt++) {
      if (this.detector) {
        const remaining = Math.max(1, deadline - Date.now());
        this.target = parseMaster(await detectAddress(this.detector, remaining));
      }
      try {
        return await this.subscribeOnce(extra, 3);
      } catch (err) {
        if (!isRetryable(err) || Date.now() >= deadline) throw err;
        await new Promise((r) => setTimeout(r, Math.min(500, 50 * 2 ** Math.min(attempt, 4))));
      }
    }
  }

  /** Stops detecting the leader (ZooKeeper session closed) and drops the subscription. */
  async close(): Promise<void> {
    this.disconnect();
    await this.detector?.close();
  }

  private subscribeOnce(extra: { suppressed_roles?: string[] }, redirects: number): Promise<Subscribed> {
    const info = this.frameworkId ? { ...this.frameworkInfo, id: { value: this.frameworkId } } : this.frameworkInfo;
    const call: Record<string, unknown> = { type: "SUBSCRIBE", subscribe: { framework_info: info, ...extra } };
    if (this.frameworkId) call.framework_id = { value: this.frameworkId };
    const body = JSON.stringify(call);
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: this.target.host,
        port: this.target.port,
        path: "/api/v1/scheduler",
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "Content-Length": Buffer.byteLength(body), ...this.authHeader() },
      });
      this.subscription = req;
      let established = false;
      req.on("error", (err) => {
        reject(err);
        if (established && this.listenerCount("disconnected") > 0) this.emit("disconnected", err);
      });
      req.on("response", (res) => {
        if (res.statusCode === 307 && res.headers.location && redirects > 0) {
          res.resume();
          this.target = locationTarget(res.headers.location, this.target);
          this.subscribeOnce(extra, redirects - 1).then(resolve, reject);
          return;
        }
        if (res.statusCode !== 200) {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => reject(new SchedulerApiError(res.statusCode ?? 0, text)));
          return;
        }
        established = true;
        this.response = res;
        this.streamId = String(res.headers["mesos-stream-id"]);
        const decoder = new RecordIODecoder();
        let settled = false;
        res.on("data", (chunk: Buffer) => {
          for (const record of decoder.push(chunk)) {
            const event = JSON.parse(record.toString("utf8")) as SchedulerEvent;
            if (this.opts.keepEvents !== false) this.received.push(event);
            if (event.type === "SUBSCRIBED") {
              this.frameworkId = event.subscribed.framework_id.value;
              if (!settled) {
                settled = true;
                resolve(event);
              }
            } else if (event.type === "ERROR" && !settled) {
              settled = true;
              reject(new Error(event.error.message));
            }
            this.emit("event", event);
            this.emit(event.type, event);
          }
        });
        res.on("error", () => {}); // a reset connection surfaces as "disconnected" below
        res.on("close", () => this.emit("disconnected"));
      });
      req.end(body);
    });
  }

  /** Sends a call (framework_id filled in); returns the HTTP status and body (307 is followed once). */
  async call(call: Record<string, unknown>, headers: Record<string, string> = {}): Promise<CallResult> {
    const body = JSON.stringify({ framework_id: { value: this.frameworkId }, ...call });
    const all = { "Content-Type": "application/json", "Mesos-Stream-Id": this.streamId ?? "", ...this.authHeader(), ...headers };
    const r = await rawCall(this.target, body, all);
    if (r.status !== 307 || typeof r.headers.location !== "string") return r;
    return rawCall(locationTarget(r.headers.location, this.target), body, all);
  }

  async mustCall(call: Record<string, unknown>): Promise<void> {
    const r = await this.call(call);
    if (r.status !== 202 && r.status !== 200) throw new SchedulerApiError(r.status, r.body);
  }

  /** Waits for the next event matching `pred` (checks events already received first if asked). */
  waitFor<T extends SchedulerEvent>(pred: (e: SchedulerEvent) => e is T, timeoutMs?: number, fromStart?: boolean): Promise<T>;
  waitFor(pred: (e: SchedulerEvent) => boolean, timeoutMs?: number, fromStart?: boolean): Promise<SchedulerEvent>;
  waitFor(pred: (e: SchedulerEvent) => boolean, timeoutMs = 10_000, fromStart = false): Promise<SchedulerEvent> {
    if (fromStart) {
      const found = this.received.find(pred);
      if (found) return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("event", onEvent);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for an event`));
      }, timeoutMs);
      const onEvent = (e: SchedulerEvent) => {
        if (!pred(e)) return;
        clearTimeout(timer);
        this.off("event", onEvent);
        resolve(e);
      };
      this.on("event", onEvent);
    });
  }

  /** Drops the subscription connection (the framework becomes disconnected on the master). */
  disconnect(): void {
    this.response?.destroy();
    this.subscription?.destroy();
    this.response = null;
    this.subscription = null;
  }
}

export function rawCall(target: { host: string; port: number }, body: string | Buffer, headers: Record<string, string>, path = "/api/v1/scheduler", method = "POST"): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.host, port: target.port, path, method, headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) } });
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
    });
    req.end(body);
  });
}
