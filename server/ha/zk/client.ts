// A minimal ZooKeeper client: one session over one TCP connection at a time (rotating through the
// ensemble's servers), request/reply matched by xid, pings, one-shot watches, and session loss
// detection as Mesos does it.
//
//   connecting ──handshake──► connected ◄──reconnect (same session)── disconnected
//        ▲                        │  socket closed / nothing heard for 2/3 of the timeout  ▲
//        └── retry servers        └────────────────────────────────────────────────────────┘
//   disconnected ──(lease ran out: no reply for a whole session timeout)──► expired   (terminal)
//   any ──close()──► closed                                                          (terminal)
//
// Session-loss rule (Mesos: "a disconnection longer than the session timeout is treated as session
// loss"): the client keeps a lease = send time of the newest request the server answered + the
// negotiated session timeout. The server cannot expire the session before the lease ends, and may
// expire it right after, so when a disconnected client's lease runs out the session is declared
// expired without waiting to reconnect. `leaseValid()` is the synchronous check a leader makes
// before acting on its leadership (it is correct even after the process was paused).
//
// Watches are one-shot and die with the connection: the server drops a connection's watches when
// it closes, and this client does not re-register them (no SetWatches). Users re-read (and re-arm)
// on every `connected` state change.
import net from "node:net";
import { JuteReader, PacketSplitter } from "./jute";
import {
  CreateMode, ErrorCode, EventType, OpCode, OPEN_ACL, Xid, decodeConnectResponse, decodeReplyBody, decodeReplyHeader,
  decodeWatcherEvent, encodeConnectRequest, encodeRequest, errorName, type Acl, type Stat, type ZkReplyBody, type ZkRequest,
} from "./protocol";

export type ZkSessionState = "connecting" | "connected" | "disconnected" | "expired" | "closed";

export interface ZkServer {
  host: string;
  port: number;
}

export interface ZkClientOptions {
  servers: ZkServer[];
  /** Requested session timeout; the server may negotiate it into [2, 20] × its tickTime. */
  sessionTimeoutMs: number;
  /** `digest` credentials ("user:password"), sent after every handshake. */
  digest?: string;
  log?: (line: string) => void;
  /** Monotonic milliseconds (injectable for tests). */
  now?: () => number;
  /** Opens a connection (injectable for tests). */
  connect?: (server: ZkServer) => net.Socket;
}

export class ZkError extends Error {
  constructor(
    readonly code: number,
    readonly op: string,
    readonly path?: string,
  ) {
    super(`ZooKeeper ${op}${path ? ` ${path}` : ""} failed: ${errorName(code)}`);
    this.name = "ZkError";
  }
}

export interface ZkWatchEvent {
  type: "created" | "deleted" | "dataChanged" | "childrenChanged";
  path: string;
}

type Watcher = (event: ZkWatchEvent) => void;
type WatchKind = "data" | "exist" | "child";

interface Pending {
  op: string;
  path?: string;
  sentAt: number;
  resolve(body: ZkReplyBody): void;
  reject(err: Error): void;
  watch?: { kind: WatchKind; path: string; watcher: Watcher };
}

const EVENT_NAMES: Record<number, ZkWatchEvent["type"] | undefined> = {
  [EventType.NodeCreated]: "created",
  [EventType.NodeDeleted]: "deleted",
  [EventType.NodeDataChanged]: "dataChanged",
  [EventType.NodeChildrenChanged]: "childrenChanged",
};

/** Which one-shot watches an event fires (ZooKeeper's ZKWatchManager.materialize). */
const FIRES: Record<ZkWatchEvent["type"], WatchKind[]> = {
  created: ["exist", "data"],
  deleted: ["data", "exist", "child"],
  dataChanged: ["data", "exist"],
  childrenChanged: ["child"],
};

export class ZkClient {
  private stateValue: ZkSessionState = "connecting";
  private socket: net.Socket | null = null;
  private serverIndex = Math.floor(Math.random() * 1000);
  private xid = 1;
  private lastZxid = 0n;
  private passwd: Buffer = Buffer.alloc(16);
  private session = 0n;
  private negotiatedMs: number;
  private leaseStart = -Infinity;
  private lastReceived = 0;
  private pingSentAt: number | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly watchers: Record<WatchKind, Map<string, Set<Watcher>>> = { data: new Map(), exist: new Map(), child: new Map() };
  private readonly stateListeners = new Set<(state: ZkSessionState, reason: string) => void>();
  private timers: NodeJS.Timeout[] = [];
  private lossTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private failedAttempts = 0;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: ZkClientOptions) {
    if (opts.servers.length === 0) throw new Error("ZooKeeper: no servers given");
    this.negotiatedMs = opts.sessionTimeoutMs;
    this.now = opts.now ?? (() => performance.now());
    this.log = opts.log ?? (() => {});
    this.connectNext();
  }

  get state(): ZkSessionState {
    return this.stateValue;
  }

  get sessionId(): bigint {
    return this.session;
  }

  get sessionTimeoutMs(): number {
    return this.negotiatedMs;
  }

  /** True while the session certainly exists on the server (see the lease rule above). */
  leaseValid(): boolean {
    if (this.stateValue !== "connected" && this.stateValue !== "disconnected") return false;
    return this.now() - this.leaseStart < this.negotiatedMs;
  }

  onState(listener: (state: ZkSessionState, reason: string) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  async create(path: string, data: Buffer, mode: CreateMode, acl: Acl[] = OPEN_ACL): Promise<string> {
    const reply = await this.request({ op: OpCode.create, path, data, acl, mode }, "create", path);
    return reply.op === OpCode.create ? reply.path : path;
  }

  async delete(path: string, version = -1): Promise<void> {
    await this.request({ op: OpCode.delete, path, version }, "delete", path);
  }

  /** The node's Stat, or null if it does not exist (an exists-watch is set either way). */
  async exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    try {
      const reply = await this.request({ op: OpCode.exists, path, watch: watcher !== undefined }, "exists", path, watcher && { kind: "exist", path, watcher });
      return reply.op === OpCode.exists ? reply.stat : null;
    } catch (err) {
      if (err instanceof ZkError && err.code === ErrorCode.NONODE) return null;
      throw err;
    }
  }

  async getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: Stat }> {
    const reply = await this.request({ op: OpCode.getData, path, watch: watcher !== undefined }, "getData", path, watcher && { kind: "data", path, watcher });
    if (reply.op !== OpCode.getData) throw new ZkError(ErrorCode.MARSHALLINGERROR, "getData", path);
    return { data: reply.data, stat: reply.stat };
  }

  async getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    const reply = await this.request({ op: OpCode.getChildren, path, watch: watcher !== undefined }, "getChildren", path, watcher && { kind: "child", path, watcher });
    return reply.op === OpCode.getChildren ? reply.children : [];
  }

  /** Creates `path` and its missing parents as persistent nodes. */
  async mkdirp(path: string, acl: Acl[] = OPEN_ACL): Promise<void> {
    let prefix = "";
    for (const part of path.split("/").filter(Boolean)) {
      prefix += `/${part}`;
      try {
        await this.create(prefix, Buffer.alloc(0), CreateMode.PERSISTENT, acl);
      } catch (err) {
        if (!(err instanceof ZkError && err.code === ErrorCode.NODEEXISTS)) throw err;
      }
    }
  }

  /** Ends the session (its ephemeral nodes go at once) and the connection. */
  async close(): Promise<void> {
    if (this.stateValue === "closed") return;
    if (this.stateValue === "connected") {
      const bye = this.request({ op: OpCode.closeSession }, "closeSession").catch(() => undefined);
      await Promise.race([bye, new Promise((r) => setTimeout(r, 1000).unref())]);
    }
    this.setState("closed", "closed by the client");
    this.teardown(new ZkError(ErrorCode.CONNECTIONLOSS, "request"));
  }

  private request(req: ZkRequest, op: string, path?: string, watch?: Pending["watch"]): Promise<ZkReplyBody> {
    if (this.stateValue !== "connected" || !this.socket) return Promise.reject(new ZkError(ErrorCode.CONNECTIONLOSS, op, path));
    const xid = this.xid++;
    if (this.xid > 0x7fff_ffff) this.xid = 1;
    return new Promise((resolve, reject) => {
      this.pending.set(xid, { op, path, sentAt: this.now(), resolve, reject, watch });
      this.socket!.write(encodeRequest(xid, req));
    });
  }

  private setState(state: ZkSessionState, reason: string): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.log(`ZooKeeper session 0x${this.session.toString(16)} ${state}: ${reason}`);
    for (const l of [...this.stateListeners]) l(state, reason);
  }

  private connectNext(): void {
    this.reconnectTimer = null;
    if (this.stateValue === "closed" || this.stateValue === "expired") return;
    const server = this.opts.servers[this.serverIndex++ % this.opts.servers.length]!;
    const socket = this.opts.connect ? this.opts.connect(server) : net.connect({ host: server.host, port: server.port });
    socket.setNoDelay(true);
    this.socket = socket;
    const splitter = new PacketSplitter();
    let handshakeSentAt = 0;
    let established = false;
    const handshakeTimeout = setTimeout(() => socket.destroy(new Error("handshake timed out")), Math.max(500, this.opts.sessionTimeoutMs / this.opts.servers.length));
    handshakeTimeout.unref();
    socket.on("connect", () => {
      handshakeSentAt = this.now();
      socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: this.lastZxid, timeOutMs: this.opts.sessionTimeoutMs, sessionId: this.session, passwd: this.passwd, readOnly: false }));
    });
    socket.on("data", (chunk: Buffer) => {
      if (socket !== this.socket) return;
      this.lastReceived = this.now();
      try {
        for (const packet of splitter.push(chunk)) {
          if (!established) {
            clearTimeout(handshakeTimeout);
            established = true;
            this.onHandshake(packet, handshakeSentAt);
          } else {
            this.onPacket(packet);
          }
        }
      } catch (err) {
        this.log(`ZooKeeper: bad packet from ${server.host}:${server.port}: ${(err as Error).message}`);
        socket.destroy();
      }
    });
    socket.on("error", () => {}); // reported through "close"
    socket.on("close", () => {
      clearTimeout(handshakeTimeout);
      if (socket === this.socket) this.onConnectionLost(`connection to ${server.host}:${server.port} closed`);
    });
  }

  private onHandshake(packet: Buffer, sentAt: number): void {
    const response = decodeConnectResponse(packet);
    if (response.timeOutMs <= 0) {
      this.expire("the server reports the session expired");
      return;
    }
    this.session = response.sessionId;
    this.passwd = response.passwd;
    this.negotiatedMs = response.timeOutMs;
    this.leaseStart = sentAt;
    this.failedAttempts = 0;
    if (this.lossTimer) clearTimeout(this.lossTimer);
    this.lossTimer = null;
    if (this.opts.digest) this.socket!.write(encodeRequest(Xid.auth, { op: OpCode.auth, scheme: "digest", auth: Buffer.from(this.opts.digest) }));
    this.startTimers();
    this.setState("connected", `negotiated session timeout ${response.timeOutMs} ms`);
  }

  /** Pings every third of the timeout; a connection silent for 2/3 of it is dropped (checked every tenth). */
  private startTimers(): void {
    this.stopTimers();
    const third = Math.max(10, Math.floor(this.negotiatedMs / 3));
    const ping = setInterval(() => {
      if (this.stateValue !== "connected" || !this.socket || this.pingSentAt !== null) return;
      this.pingSentAt = this.now();
      this.socket.write(encodeRequest(Xid.ping, { op: OpCode.ping }));
    }, third);
    const check = setInterval(() => {
      if (this.stateValue === "connected" && this.socket && this.now() - this.lastReceived > 2 * third) {
        this.socket.destroy(new Error("no data from the server for 2/3 of the session timeout"));
      }
    }, Math.max(5, Math.floor(this.negotiatedMs / 10)));
    ping.unref();
    check.unref();
    this.timers.push(ping, check);
  }

  private stopTimers(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.pingSentAt = null;
  }

  private onPacket(packet: Buffer): void {
    const r = new JuteReader(packet);
    const header = decodeReplyHeader(r);
    if (header.xid === Xid.notification) {
      const event = decodeWatcherEvent(r);
      const type = EVENT_NAMES[event.type];
      if (type) this.fireWatchers({ type, path: event.path });
      return;
    }
    if (header.xid === Xid.ping) {
      if (this.pingSentAt !== null) this.leaseStart = Math.max(this.leaseStart, this.pingSentAt);
      this.pingSentAt = null;
      return;
    }
    if (header.xid === Xid.auth) {
      if (header.err !== ErrorCode.OK) {
        this.log(`ZooKeeper: authentication failed (${errorName(header.err)})`);
        this.expire("authentication failed");
      }
      return;
    }
    const p = this.pending.get(header.xid);
    if (!p) return;
    this.pending.delete(header.xid);
    this.leaseStart = Math.max(this.leaseStart, p.sentAt);
    if (header.zxid > 0n) this.lastZxid = header.zxid;
    const isExistsNoNode = p.op === "exists" && header.err === ErrorCode.NONODE;
    if (p.watch && (header.err === ErrorCode.OK || isExistsNoNode)) this.addWatcher(p.watch.kind, p.watch.path, p.watch.watcher);
    if (header.err !== ErrorCode.OK) {
      p.reject(new ZkError(header.err, p.op, p.path));
      return;
    }
    const op = ({ create: OpCode.create, delete: OpCode.delete, exists: OpCode.exists, getData: OpCode.getData, getChildren: OpCode.getChildren, closeSession: OpCode.closeSession } as Record<string, OpCode>)[p.op]!;
    p.resolve(decodeReplyBody(op, r));
  }

  private addWatcher(kind: WatchKind, path: string, watcher: Watcher): void {
    const set = this.watchers[kind].get(path) ?? new Set();
    set.add(watcher);
    this.watchers[kind].set(path, set);
  }

  private fireWatchers(event: ZkWatchEvent): void {
    const fire = new Set<Watcher>();
    for (const kind of FIRES[event.type]) {
      for (const w of this.watchers[kind].get(event.path) ?? []) fire.add(w);
      this.watchers[kind].delete(event.path);
    }
    for (const w of fire) {
      try {
        w(event);
      } catch (err) {
        this.log(`ZooKeeper watcher failed: ${(err as Error).stack ?? err}`);
      }
    }
  }

  private onConnectionLost(reason: string): void {
    this.socket = null;
    this.stopTimers();
    this.failPending(new ZkError(ErrorCode.CONNECTIONLOSS, "request"));
    for (const kind of ["data", "exist", "child"] as const) this.watchers[kind].clear();
    if (this.stateValue === "closed" || this.stateValue === "expired") return;
    if (this.stateValue === "connected") {
      this.setState("disconnected", reason);
      const remaining = Math.max(0, this.leaseStart + this.negotiatedMs - this.now());
      this.lossTimer = setTimeout(() => this.expire(`disconnected for longer than the session timeout (${this.negotiatedMs} ms)`), remaining);
      this.lossTimer.unref();
    }
    if (this.stateValue === "disconnected" && !this.leaseValid()) {
      this.expire(`disconnected for longer than the session timeout (${this.negotiatedMs} ms)`);
      return;
    }
    // Retry the next server at once the first time round, then back off (≤ 1 s).
    const attempt = this.failedAttempts++;
    const delay = attempt < this.opts.servers.length ? 0 : Math.min(1000, 50 * 2 ** Math.min(attempt - this.opts.servers.length, 5));
    this.reconnectTimer = setTimeout(() => this.connectNext(), delay);
    this.reconnectTimer.unref();
  }

  private expire(reason: string): void {
    if (this.stateValue === "closed" || this.stateValue === "expired") return;
    this.setState("expired", reason);
    this.teardown(new ZkError(ErrorCode.SESSIONEXPIRED, "request"));
  }

  private teardown(err: Error): void {
    this.stopTimers();
    if (this.lossTimer) clearTimeout(this.lossTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.lossTimer = this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    this.failPending(err);
  }

  private failPending(err: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err instanceof ZkError ? new ZkError(err.code, p.op, p.path) : err);
  }
}
