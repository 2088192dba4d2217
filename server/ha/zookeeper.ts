// Leader election in ZooKeeper the way Mesos does it, so Mesos-aware tools find the Plateau leader:
// each master creates an EPHEMERAL|SEQUENTIAL `json.info_<seq>` child of the URL's path holding its
// MasterInfo as JSON; the child with the lowest sequence is the leader. Contender and detector of a
// master share one group (one session at a time); agents and schedulers run a detector only.
import { z } from "zod";
import type { MasterInfo } from "../protocol/mesos";
import { ZkGroup, type GroupMember, type GroupOptions, type Membership } from "./zk/group";
import { redactZkUrl, type ZkUrl } from "./zk/url";
import type { Candidacy, Contender, LeaderContender, LeaderDetector, LeaderElection, SessionInfo } from "./types";

/** Mesos's label for MasterInfo-as-JSON members (older labels: `info` = protobuf, none = pid). */
export const MASTER_INFO_LABEL = "json.info";

const MasterInfoJson = z.object({
  id: z.string(),
  ip: z.number().optional(),
  port: z.number(),
  pid: z.string().optional(),
  hostname: z.string().optional(),
  version: z.string().optional(),
  address: z.object({ hostname: z.string().optional(), ip: z.string().optional(), port: z.number() }).optional(),
  domain: z.unknown().optional(),
  capabilities: z.array(z.object({ type: z.string() })).optional(),
});

/** Parses a member node's data; null if it is not MasterInfo JSON. */
export function parseMasterInfo(data: Buffer | null): MasterInfo | null {
  if (!data) return null;
  try {
    const r = MasterInfoJson.safeParse(JSON.parse(data.toString("utf8")));
    if (!r.success) return null;
    const v = r.data;
    const hostname = v.hostname ?? v.address?.hostname ?? v.address?.ip ?? "";
    return {
      id: v.id,
      ip: v.ip ?? 0,
      port: v.port,
      pid: v.pid ?? `master@${v.address?.ip ?? hostname}:${v.port}`,
      hostname,
      version: v.version ?? "",
      address: v.address ?? { hostname, port: v.port },
      ...(v.domain !== undefined ? { domain: v.domain as MasterInfo["domain"] } : {}),
      ...(v.capabilities ? { capabilities: v.capabilities } : {}),
    };
  } catch {
    return null;
  }
}

class ZooKeeperCandidacy implements Candidacy {
  readonly elected: Promise<void>;
  readonly lost: Promise<string>;
  private resolveElected!: () => void;
  private resolveLost!: (reason: string) => void;
  private membership: Membership | null = null;
  private over = false;
  private stopWatching: () => void = () => {};

  constructor(
    private readonly group: ZkGroup,
    info: MasterInfo,
    log: (line: string) => void,
  ) {
    this.elected = new Promise((r) => (this.resolveElected = r));
    this.lost = new Promise((r) => (this.resolveLost = r));
    group.join(MASTER_INFO_LABEL, Buffer.from(JSON.stringify(info))).then(
      (membership) => {
        if (this.over) {
          void membership.cancel();
          return;
        }
        this.membership = membership;
        log(`Contending for leadership as ${membership.path}`);
        void membership.cancelled.then((reason) => this.end(reason));
        this.stopWatching = group.watch((members) => {
          if (members && members[0]?.path === membership.path && membership.isActive) this.resolveElected();
        });
      },
      (err: Error) => this.end(`failed to join the group: ${err.message}`),
    );
  }

  isValid(): boolean {
    const m = this.membership;
    return !this.over && m !== null && m.isActive && this.group.client.sessionId === m.sessionId && this.group.client.leaseValid();
  }

  async withdraw(): Promise<void> {
    const m = this.membership;
    this.end("withdrawn");
    await m?.cancel();
  }

  private end(reason: string): void {
    if (this.over) return;
    this.over = true;
    this.stopWatching();
    this.resolveLost(reason);
  }
}

class ZooKeeperDetector implements LeaderDetector {
  leader: MasterInfo | null = null;
  lastLoss: { leader: MasterInfo; at: number } | null = null;
  private leaderPath: string | null = null;
  private readonly listeners = new Set<(leader: MasterInfo | null) => void>();
  private generation = 0;
  private readonly unwatch: () => void;

  constructor(
    private readonly group: ZkGroup,
    private readonly url: ZkUrl,
    private readonly ownsGroup: boolean,
    private readonly log: (line: string) => void,
  ) {
    this.unwatch = group.watch((members) => void this.onMembers(members));
  }

  private async onMembers(members: GroupMember[] | null): Promise<void> {
    const generation = ++this.generation;
    const lowest = members?.[0] ?? null;
    if (!lowest) return this.setLeader(null, null);
    if (lowest.path === this.leaderPath) return;
    if (lowest.label !== MASTER_INFO_LABEL) {
      this.log(`Leading member ${lowest.name} is not a '${MASTER_INFO_LABEL}' member; its address cannot be read`);
      return this.setLeader(null, null);
    }
    const info = parseMasterInfo(await this.group.data(lowest).catch(() => null));
    if (generation !== this.generation) return;
    // A vanished or unreadable node: a children change (or a re-read on reconnection) follows.
    if (info) this.setLeader(info, lowest.path);
    else this.log(`Could not read MasterInfo from ${lowest.path}`);
  }

  private setLeader(info: MasterInfo | null, path: string | null): void {
    if (path === this.leaderPath && (info === null) === (this.leader === null)) return;
    if (this.leader && this.leaderPath !== path) this.lastLoss = { leader: this.leader, at: Date.now() };
    this.leader = info;
    this.leaderPath = path;
    this.log(info ? `Detected leading master ${info.id} at ${info.hostname}:${info.port} (${path})` : "No leading master detected");
    for (const l of [...this.listeners]) l(info);
  }

  onChange(listener: (leader: MasterInfo | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  detect(previous?: MasterInfo | null): Promise<MasterInfo> {
    if (this.leader && this.leader.id !== previous?.id) return Promise.resolve(this.leader);
    return new Promise((resolve) => {
      const off = this.onChange((leader) => {
        if (leader && leader.id !== previous?.id) {
          off();
          resolve(leader);
        }
      });
    });
  }

  async contenders(): Promise<Contender[]> {
    const members = this.group.current ?? [];
    return Promise.all(
      members.map(async (m) => ({ sequence: m.sequence, info: m.label === MASTER_INFO_LABEL ? parseMasterInfo(await this.group.data(m).catch(() => null)) : null })),
    );
  }

  session(): SessionInfo {
    const client = this.group.client;
    return { state: client.state, url: redactZkUrl(this.url), sessionId: client.sessionId === 0n ? undefined : `0x${client.sessionId.toString(16)}`, timeoutMs: client.sessionTimeoutMs };
  }

  async close(): Promise<void> {
    this.unwatch();
    this.listeners.clear();
    if (this.ownsGroup) await this.group.close();
  }
}

export interface ZooKeeperOptions {
  url: ZkUrl;
  sessionTimeoutMs: number;
  log?: (line: string) => void;
  newClient?: GroupOptions["newClient"];
}

/** Contender + detector over one ZooKeeper group: what `plateau master --zk=…` runs. */
export function zooKeeperElection(opts: ZooKeeperOptions): LeaderElection {
  const log = opts.log ?? (() => {});
  const group = new ZkGroup({ url: opts.url, sessionTimeoutMs: opts.sessionTimeoutMs, log, newClient: opts.newClient });
  const detector = new ZooKeeperDetector(group, opts.url, false, log);
  const contender: LeaderContender = { contend: (info) => new ZooKeeperCandidacy(group, info, log) };
  return {
    kind: "zookeeper",
    contender,
    detector,
    onSession: (listener) => group.onSession(() => listener(detector.session())),
    async close() {
      await detector.close();
      await group.close();
    },
  };
}

/** A detector with its own session: what agents, `plateau execute` and schedulers run. */
export function zooKeeperDetector(opts: ZooKeeperOptions): LeaderDetector {
  const log = opts.log ?? (() => {});
  const group = new ZkGroup({ url: opts.url, sessionTimeoutMs: opts.sessionTimeoutMs, log, newClient: opts.newClient });
  return new ZooKeeperDetector(group, opts.url, true, log);
}
