// An in-memory ZooKeeper for unit tests: one FakeZooKeeper (the ensemble) and FakeZkSession
// clients implementing the part of ZkClient the group uses. Tests drive session trouble by hand:
// `disconnect()` / `reconnect()` (same session), `expire()` (the server drops the session and its
// ephemeral nodes), `dropNextReply()` (a request is applied but its reply is lost).
import { ZkError, type ZkClientOptions, type ZkSessionState, type ZkWatchEvent } from "./client";
import { CreateMode, ErrorCode, type Stat } from "./protocol";
import type { ZkSessionClient } from "./group";

interface FakeNode {
  data: Buffer;
  ephemeralOwner: bigint;
  /** Next sequence number for sequential children. */
  cversion: number;
}

type Watcher = (event: ZkWatchEvent) => void;

export class FakeZooKeeper {
  readonly nodes = new Map<string, FakeNode>([["/", { data: Buffer.alloc(0), ephemeralOwner: 0n, cversion: 0 }]]);
  readonly sessions: FakeZkSession[] = [];
  private nextSession = 0x1000n;

  /** A client factory for ZkGroup's `newClient` option. */
  readonly newClient = (opts: ZkClientOptions): FakeZkSession => {
    const s = new FakeZkSession(this, this.nextSession++, opts.sessionTimeoutMs);
    this.sessions.push(s);
    queueMicrotask(() => s.connect());
    return s;
  };

  children(path: string): string[] {
    const prefix = path === "/" ? "/" : `${path}/`;
    return [...this.nodes.keys()].filter((p) => p !== path && p.startsWith(prefix) && !p.slice(prefix.length).includes("/")).map((p) => p.slice(prefix.length));
  }

  /** Fires one-shot watches of every connected session. */
  notify(event: ZkWatchEvent): void {
    for (const s of this.sessions) s.deliver(event);
  }

  dropEphemerals(owner: bigint): void {
    for (const [path, node] of [...this.nodes]) {
      if (node.ephemeralOwner !== owner) continue;
      this.nodes.delete(path);
      this.notify({ type: "deleted", path });
      this.notify({ type: "childrenChanged", path: parentOf(path) });
    }
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

const STAT_ZERO: Stat = { czxid: 0n, mzxid: 0n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 0n };

export class FakeZkSession implements ZkSessionClient {
  state: ZkSessionState = "connecting";
  lease = true;
  private readonly listeners = new Set<(state: ZkSessionState, reason: string) => void>();
  private readonly watches = { data: new Map<string, Set<Watcher>>(), child: new Map<string, Set<Watcher>>(), exist: new Map<string, Set<Watcher>>() };
  private dropReplies = 0;

  constructor(
    private readonly server: FakeZooKeeper,
    readonly sessionId: bigint,
    readonly sessionTimeoutMs: number,
  ) {}

  leaseValid(): boolean {
    return this.lease && (this.state === "connected" || this.state === "disconnected");
  }

  onState(listener: (state: ZkSessionState, reason: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(state: ZkSessionState, reason: string): void {
    this.state = state;
    for (const l of [...this.listeners]) l(state, reason);
  }

  connect(): void {
    if (this.state === "connecting" || this.state === "disconnected") this.set("connected", "fake connect");
  }

  disconnect(): void {
    if (this.state !== "connected") return;
    this.clearWatches();
    this.set("disconnected", "fake disconnect");
  }

  reconnect(): void {
    this.connect();
  }

  /** The server expires the session: its ephemeral nodes go, the client learns it. */
  expire(): void {
    if (this.state === "expired" || this.state === "closed") return;
    this.clearWatches();
    this.lease = false;
    this.server.dropEphemerals(this.sessionId);
    this.set("expired", "fake expiry");
  }

  /** The next request is applied by the server but its reply is lost (connection drops). */
  dropNextReply(): void {
    this.dropReplies++;
  }

  deliver(event: ZkWatchEvent): void {
    if (this.state !== "connected") return;
    const kinds = event.type === "childrenChanged" ? (["child"] as const) : event.type === "deleted" ? (["data", "exist", "child"] as const) : (["data", "exist"] as const);
    const fire = new Set<Watcher>();
    for (const k of kinds) {
      for (const w of this.watches[k].get(event.path) ?? []) fire.add(w);
      this.watches[k].delete(event.path);
    }
    for (const w of fire) queueMicrotask(() => w(event));
  }

  private clearWatches(): void {
    for (const m of Object.values(this.watches)) m.clear();
  }

  private async op<T>(name: string, path: string, apply: () => T, watch?: { kind: keyof FakeZkSession["watches"]; watcher?: Watcher }): Promise<T> {
    await Promise.resolve();
    if (this.state !== "connected") throw new ZkError(this.state === "expired" ? ErrorCode.SESSIONEXPIRED : ErrorCode.CONNECTIONLOSS, name, path);
    let result: T;
    try {
      result = apply();
    } catch (err) {
      if (watch?.watcher && watch.kind === "exist" && err instanceof ZkError && err.code === ErrorCode.NONODE) this.addWatch(watch.kind, path, watch.watcher);
      throw err;
    }
    if (this.dropReplies > 0) {
      this.dropReplies--;
      this.disconnect();
      throw new ZkError(ErrorCode.CONNECTIONLOSS, name, path);
    }
    if (watch?.watcher) this.addWatch(watch.kind, path, watch.watcher);
    return result;
  }

  private addWatch(kind: keyof FakeZkSession["watches"], path: string, watcher: Watcher): void {
    const set = this.watches[kind].get(path) ?? new Set();
    set.add(watcher);
    this.watches[kind].set(path, set);
  }

  create(path: string, data: Buffer, mode: CreateMode): Promise<string> {
    return this.op("create", path, () => {
      const parent = this.server.nodes.get(parentOf(path));
      if (!parent) throw new ZkError(ErrorCode.NONODE, "create", path);
      let full = path;
      if (mode === CreateMode.EPHEMERAL_SEQUENTIAL || mode === CreateMode.PERSISTENT_SEQUENTIAL) full = `${path}${String(parent.cversion).padStart(10, "0")}`;
      if (this.server.nodes.has(full)) throw new ZkError(ErrorCode.NODEEXISTS, "create", path);
      parent.cversion++;
      const ephemeral = mode === CreateMode.EPHEMERAL || mode === CreateMode.EPHEMERAL_SEQUENTIAL;
      this.server.nodes.set(full, { data: Buffer.from(data), ephemeralOwner: ephemeral ? this.sessionId : 0n, cversion: 0 });
      queueMicrotask(() => {
        this.server.notify({ type: "created", path: full });
        this.server.notify({ type: "childrenChanged", path: parentOf(full) });
      });
      return full;
    });
  }

  delete(path: string): Promise<void> {
    return this.op("delete", path, () => {
      if (!this.server.nodes.delete(path)) throw new ZkError(ErrorCode.NONODE, "delete", path);
      queueMicrotask(() => {
        this.server.notify({ type: "deleted", path });
        this.server.notify({ type: "childrenChanged", path: parentOf(path) });
      });
    });
  }

  async exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    try {
      return await this.op("exists", path, () => this.stat(path), { kind: "exist", watcher });
    } catch (err) {
      if (err instanceof ZkError && err.code === ErrorCode.NONODE) return null;
      throw err;
    }
  }

  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: Stat }> {
    return this.op("getData", path, () => ({ data: Buffer.from(this.node(path).data), stat: this.stat(path) }), { kind: "data", watcher });
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.op("getChildren", path, () => (this.node(path), this.server.children(path)), { kind: "child", watcher });
  }

  async mkdirp(path: string): Promise<void> {
    let prefix = "";
    for (const part of path.split("/").filter(Boolean)) {
      prefix += `/${part}`;
      await this.create(prefix, Buffer.alloc(0), CreateMode.PERSISTENT).catch((err: unknown) => {
        if (!(err instanceof ZkError && err.code === ErrorCode.NODEEXISTS)) throw err;
      });
    }
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.server.dropEphemerals(this.sessionId);
    this.clearWatches();
    this.set("closed", "closed");
  }

  private node(path: string): FakeNode {
    const node = this.server.nodes.get(path);
    if (!node) throw new ZkError(ErrorCode.NONODE, "read", path);
    return node;
  }

  private stat(path: string): Stat {
    const node = this.node(path);
    return { ...STAT_ZERO, ephemeralOwner: node.ephemeralOwner, dataLength: node.data.length, numChildren: this.server.children(path).length };
  }
}
