// A ZooKeeper group (Mesos's zookeeper::Group): members are EPHEMERAL|SEQUENTIAL children
// `<label>_<10-digit sequence>` of one znode. The group owns the session: when a session expires
// it starts a new one, and every membership of the old session is cancelled (its node is gone).
//
//   join(label, data) ─► Membership { sequence, cancelled: Promise<reason> }
//   watch(listener)   ─► listener(members sorted by sequence | null while the session is lost)
import { ZkClient, ZkError, type ZkClientOptions, type ZkSessionState } from "./client";
import { CreateMode, ErrorCode, OPEN_ACL, READ_ALL_CREATOR_ALL } from "./protocol";
import type { ZkUrl } from "./url";

export interface GroupMember {
  /** Child name, e.g. `json.info_0000000012`. */
  name: string;
  label: string;
  sequence: number;
  path: string;
}

export interface Membership extends GroupMember {
  /** The session that owns the ephemeral node. */
  sessionId: bigint;
  /** Resolves with the reason once the node is gone (session lost, deleted, cancelled). */
  readonly cancelled: Promise<string>;
  readonly isActive: boolean;
  /** Deletes the node. */
  cancel(): Promise<void>;
}

/** Parses a member name (`<label>_<sequence>` or a bare sequence); null for other children. */
export function parseMemberName(name: string): { label: string; sequence: number } | null {
  const m = /^(?:(.*)_)?(\d{10})$/.exec(name);
  return m ? { label: m[1] ?? "", sequence: Number(m[2]) } : null;
}

function sameMembers(a: GroupMember[], b: GroupMember[]): boolean {
  return a.length === b.length && a.every((m, i) => m.path === b[i]!.path);
}

export function sortMembers(groupPath: string, children: string[]): GroupMember[] {
  const members: GroupMember[] = [];
  for (const name of children) {
    const parsed = parseMemberName(name);
    if (parsed) members.push({ name, ...parsed, path: `${groupPath}/${name}` });
  }
  return members.sort((a, b) => a.sequence - b.sequence);
}

export interface GroupOptions {
  url: ZkUrl;
  sessionTimeoutMs: number;
  log?: (line: string) => void;
  /** Builds a client (tests inject fakes); default: a real ZkClient. */
  newClient?: (options: ZkClientOptions) => ZkSessionClient;
}

/** The part of ZkClient the group uses (lets tests substitute an in-memory ZooKeeper). */
export type ZkSessionClient = Pick<ZkClient, "state" | "sessionId" | "sessionTimeoutMs" | "leaseValid" | "onState" | "create" | "delete" | "exists" | "getData" | "getChildren" | "mkdirp" | "close">;

interface MembershipState {
  membership: Membership;
  resolve(reason: string): void;
  active: boolean;
}

export class ZkGroup {
  private clientValue!: ZkSessionClient;
  private readonly memberships = new Set<MembershipState>();
  private readonly listeners = new Set<(members: GroupMember[] | null) => void>();
  private readonly sessionListeners = new Set<(state: ZkSessionState, reason: string) => void>();
  private members: GroupMember[] | null = null;
  private readGeneration = 0;
  private closed = false;
  private readonly log: (line: string) => void;

  private readonly resync: NodeJS.Timeout;

  constructor(private readonly opts: GroupOptions) {
    this.log = opts.log ?? (() => {});
    this.newSession();
    // Belt and braces: re-read the members once per session timeout in case a watch
    // notification was missed (a change found this way is logged).
    this.resync = setInterval(() => void this.readMembers("resync"), Math.max(1000, opts.sessionTimeoutMs));
    this.resync.unref();
  }

  get client(): ZkSessionClient {
    return this.clientValue;
  }

  get path(): string {
    return this.opts.url.path;
  }

  get current(): GroupMember[] | null {
    return this.members;
  }

  onSession(listener: (state: ZkSessionState, reason: string) => void): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  /** Calls `listener` with the members now (if known) and after every change. */
  watch(listener: (members: GroupMember[] | null) => void): () => void {
    this.listeners.add(listener);
    if (this.members) listener(this.members);
    return () => this.listeners.delete(listener);
  }

  /** Waits until the session is connected (rejects if the group is closed). */
  async connected(): Promise<ZkSessionClient> {
    while (!this.closed) {
      const client = this.clientValue;
      if (client.state === "connected") return client;
      await new Promise<void>((resolve) => {
        const off = this.onSession(() => {
          off();
          resolve();
        });
      });
    }
    throw new Error("ZooKeeper group closed");
  }

  /** Creates this process's member node. Retries across reconnections of the same session. */
  async join(label: string, data: Buffer): Promise<Membership> {
    const acl = this.opts.url.digest ? READ_ALL_CREATOR_ALL : OPEN_ACL;
    for (;;) {
      const client = await this.connected();
      const sessionId = client.sessionId;
      try {
        await client.mkdirp(this.path, acl);
        const created = await client.create(`${this.path}/${label}_`, data, CreateMode.EPHEMERAL_SEQUENTIAL, acl);
        return this.track(created, sessionId);
      } catch (err) {
        if (!(err instanceof ZkError) || err.code !== ErrorCode.CONNECTIONLOSS) throw err;
        // The create may have happened before the connection dropped: look for our own node.
        const mine = await this.findOwnNode(sessionId, label, data).catch(() => null);
        if (mine) return this.track(mine, sessionId);
      }
    }
  }

  async data(member: GroupMember): Promise<Buffer | null> {
    try {
      return (await this.clientValue.getData(member.path)).data;
    } catch (err) {
      if (err instanceof ZkError && err.code === ErrorCode.NONODE) return null;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.resync);
    for (const s of [...this.memberships]) this.endMembership(s, "the group was closed");
    await this.clientValue.close();
    for (const l of [...this.sessionListeners]) l("closed", "closed");
  }

  private async findOwnNode(sessionId: bigint, label: string, data: Buffer): Promise<string | null> {
    const client = await this.connected();
    if (client.sessionId !== sessionId) return null;
    for (const member of sortMembers(this.path, await client.getChildren(this.path))) {
      if (member.label !== label) continue;
      const node = await client.getData(member.path).catch(() => null);
      if (node && node.stat.ephemeralOwner === sessionId && node.data.equals(data)) return member.path;
    }
    return null;
  }

  private track(path: string, sessionId: bigint): Membership {
    const name = path.slice(path.lastIndexOf("/") + 1);
    const parsed = parseMemberName(name) ?? { label: "", sequence: -1 };
    let resolve!: (reason: string) => void;
    const cancelled = new Promise<string>((r) => (resolve = r));
    const state: MembershipState = { membership: null!, resolve, active: true };
    const group = this;
    state.membership = {
      name, path, sessionId, cancelled, ...parsed,
      get isActive() {
        return state.active;
      },
      async cancel() {
        if (!state.active) return;
        group.endMembership(state, "cancelled");
        await group.clientValue.delete(path).catch((err: unknown) => {
          if (!(err instanceof ZkError && err.code === ErrorCode.NONODE)) group.log(`ZooKeeper: failed to delete ${path}: ${(err as Error).message}`);
        });
      },
    };
    this.memberships.add(state);
    this.log(`Joined ZooKeeper group ${this.path} as ${name}`);
    // A concurrent read may have missed the new node: re-read.
    void this.readMembers("joined");
    return state.membership;
  }

  private endMembership(state: MembershipState, reason: string): void {
    if (!state.active) return;
    state.active = false;
    this.memberships.delete(state);
    state.resolve(reason);
  }

  private newSession(): void {
    const client = (this.opts.newClient ?? ((o) => new ZkClient(o)))({
      servers: this.opts.url.servers,
      sessionTimeoutMs: this.opts.sessionTimeoutMs,
      digest: this.opts.url.digest,
      log: this.log,
    });
    this.clientValue = client;
    client.onState((state, reason) => {
      if (client !== this.clientValue) return;
      if (state === "connected") void this.readMembers("connected");
      if (state === "expired") {
        for (const s of [...this.memberships]) if (s.membership.sessionId === client.sessionId) this.endMembership(s, `ZooKeeper session expired: ${reason}`);
        this.publish(null);
        if (!this.closed) setTimeout(() => this.newSession(), 0).unref();
      }
      for (const l of [...this.sessionListeners]) l(state, reason);
    });
  }

  /** Reads the children (arming a watch) and publishes them; stale reads are dropped. */
  private async readMembers(why: "watch" | "connected" | "joined" | "resync" = "watch"): Promise<void> {
    const client = this.clientValue;
    if (client.state !== "connected") return;
    const generation = ++this.readGeneration;
    try {
      let children: string[];
      try {
        children = await client.getChildren(this.path, () => void this.readMembers("watch"));
      } catch (err) {
        if (!(err instanceof ZkError && err.code === ErrorCode.NONODE)) throw err;
        // No group node yet: watch for its creation.
        const stat = await client.exists(this.path, () => void this.readMembers("watch"));
        if (stat) return void this.readMembers(why);
        children = [];
      }
      if (generation !== this.readGeneration || client !== this.clientValue) return;
      const members = sortMembers(this.path, children);
      const present = new Set(members.map((m) => m.path));
      for (const s of [...this.memberships]) {
        if (s.membership.sessionId === client.sessionId && !present.has(s.membership.path)) this.endMembership(s, "the member node was deleted");
      }
      if (why === "resync" && this.members !== null && !sameMembers(members, this.members)) this.log(`ZooKeeper group ${this.path} changed without a watch notification; re-synchronised`);
      this.publish(members);
    } catch (err) {
      if (err instanceof ZkError && (err.code === ErrorCode.CONNECTIONLOSS || err.code === ErrorCode.SESSIONEXPIRED)) return; // re-read on the next connect
      this.log(`ZooKeeper: failed to read group ${this.path}: ${(err as Error).message}`);
    }
  }

  private publish(members: GroupMember[] | null): void {
    const same = members !== null && this.members !== null && sameMembers(members, this.members);
    if (same || (members === null && this.members === null)) return;
    this.members = members;
    for (const l of [...this.listeners]) l(members);
  }
}
