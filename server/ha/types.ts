// The leader-election ports (Mesos's MasterContender and MasterDetector). Implementations:
// standalone (./standalone.ts: one master, elected at once) and ZooKeeper (./zookeeper.ts).
import type { MasterInfo } from "../protocol/mesos";

/** A master's own view of its candidacy, reported by every master (leader or not). */
export type MasterRole = "leading" | "contending" | "disconnected";

/** "standalone" when there is no ZooKeeper; otherwise the ZooKeeper session state. */
export type SessionState = "standalone" | "connecting" | "connected" | "disconnected" | "expired" | "closed";

export interface SessionInfo {
  state: SessionState;
  /** ZooKeeper URL without credentials. */
  url?: string;
  /** Hex session id of the current session. */
  sessionId?: string;
  /** Negotiated session timeout. */
  timeoutMs?: number;
}

/**
 * One entry in the race. `elected` resolves when this candidate leads; `lost` resolves (never
 * rejects) with the reason once the candidacy is over — after which it can never lead again.
 */
export interface Candidacy {
  readonly elected: Promise<void>;
  readonly lost: Promise<string>;
  /**
   * True while the candidacy certainly still holds: a leader checks it synchronously before each
   * registry write (it is false as soon as the session may have expired, even if the process
   * was paused and has not yet heard about it).
   */
  isValid(): boolean;
  /** Leaves the race (deletes the candidacy); `lost` resolves with "withdrawn". */
  withdraw(): Promise<void>;
}

export interface LeaderContender {
  /** Enters the race with this MasterInfo (one candidacy at a time). */
  contend(info: MasterInfo): Candidacy;
}

/** A contender as the detector sees it (lowest sequence leads). */
export interface Contender {
  sequence: number;
  info: MasterInfo | null;
}

export interface LeaderDetector {
  /** The current leader, null when none is known. */
  readonly leader: MasterInfo | null;
  /** The most recent leader this detector saw go away, and when (ms since epoch). */
  readonly lastLoss: { leader: MasterInfo; at: number } | null;
  /** Called on every change of the leader (including to and from null). */
  onChange(listener: (leader: MasterInfo | null) => void): () => void;
  /** Resolves with the first leader that is not `previous` (by id) — Mesos's detect(previous). */
  detect(previous?: MasterInfo | null): Promise<MasterInfo>;
  /** Everyone in the race, lowest sequence first (reads ZooKeeper; standalone: the one master). */
  contenders(): Promise<Contender[]>;
  session(): SessionInfo;
  close(): Promise<void>;
}

/** Contender and detector sharing one session: what a master runs. */
export interface LeaderElection {
  readonly kind: "standalone" | "zookeeper";
  readonly contender: LeaderContender;
  readonly detector: LeaderDetector;
  /** Called on every session state change (never for standalone). */
  onSession(listener: (info: SessionInfo) => void): () => void;
  close(): Promise<void>;
}

/** `host:port` to reach a master (for redirects and connections). */
export function masterAddress(info: MasterInfo): string {
  const host = info.address?.hostname || info.hostname || info.address?.ip || pidHost(info.pid) || "";
  const port = info.address?.port ?? info.port;
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function pidHost(pid: string | undefined): string | undefined {
  const m = pid ? /@([^:]+):\d+$/.exec(pid) : null;
  return m?.[1];
}

/** One leadership term as persisted in the registry's election history. */
export interface ElectionEntry {
  epoch: number;
  masterId: string;
  /** `ip:port` the master listens on. */
  address: string;
  hostname: string;
  version: string;
  /** When the master started leading (ms since epoch). */
  elected: number;
  reason: string;
  /** Time without a leader before this term: from the previous leader's ZooKeeper node going away. */
  gapMs?: number;
}

/** What every master reports about high availability (the dashboard's HA page, GET_ELECTIONS). */
export interface HaStatus {
  mode: "standalone" | "zookeeper";
  role: MasterRole;
  /** This master's current MasterInfo (a new id after each fail-stop). */
  self: MasterInfo;
  /** Elected (possibly still recovering the registry). */
  elected: boolean;
  epoch?: number;
  electedTime?: number;
  session: SessionInfo;
  leader: MasterInfo | null;
  contenders: Contender[];
  /** Election history, oldest first. */
  elections: ElectionEntry[];
  /** Times this process stopped leading (or contending), most recent last, with that term's registry writes. */
  failStops: { at: number; masterId: string; reason: string; registryWrites: RegistryWriteStats }[];
  /** Registry writes of the current term. */
  registryWrites: RegistryWriteStats;
}

/** Commits that succeeded, were refused before reaching the store, or were refused by its epoch fence. */
export interface RegistryWriteStats {
  commits: number;
  refusedLocally: number;
  fencedByStore: number;
}
