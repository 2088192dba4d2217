// The registry store port. The registrar (../registrar.ts) is its only user: it loads the
// registry once when the master becomes leader and then commits one batch of writes per named
// operation. Implementations: memory (tests, --registry=in_memory), Prisma over SQLite (embedded
// default) and Prisma over PostgreSQL (HA, shared by all masters).
//
// Fencing contract: `claimLeadership` increments the stored epoch and returns it; `commit` applies
// its writes only if the stored epoch still equals the caller's, atomically with the writes, and
// otherwise throws FencedError without writing anything.

export type AgentRecordState = "ADMITTED" | "UNREACHABLE" | "GONE";

export interface AgentRecord {
  id: string;
  state: AgentRecordState;
  /** AgentInfo JSON (with id). */
  info: unknown;
  /** ms since epoch when the agent entered `state`. */
  since: number;
  deactivated: boolean;
  drainInfo?: unknown;
}

export interface RegistrySnapshot {
  agents: AgentRecord[];
  /** key → JSON document (weights, quota, maintenance schedule, machines, …). */
  entries: Map<string, unknown>;
}

/** A timeline row (see ../timeline.ts). */
export interface TimelineRecord {
  seq: number;
  time: number;
  kind: string;
  action: string;
  summary: string;
  principal?: string;
  frameworkId?: string;
  agentId?: string;
  taskId?: string;
  result?: string;
  reason?: string;
}

export interface MetricSampleRecord {
  time: number;
  data: unknown;
}

export interface ElectionRecordRow {
  epoch: number;
  masterId: string;
  address: string;
  hostname: string;
  version: string;
  elected: number;
  reason: string;
  gapMs?: number;
}

/** The bounded histories kept beside the registry (loaded by the dashboard's master at recovery). */
export interface HistorySnapshot {
  timeline: TimelineRecord[];
  metrics: MetricSampleRecord[];
  elections: ElectionRecordRow[];
}

export type RegistryWrite =
  | { kind: "agent.put"; record: AgentRecord }
  | { kind: "agent.delete"; id: string }
  | { kind: "entry.put"; key: string; value: unknown }
  | { kind: "entry.delete"; key: string }
  | { kind: "timeline.append"; records: TimelineRecord[] }
  /** Deletes timeline rows with seq < beforeSeq. */
  | { kind: "timeline.prune"; beforeSeq: number }
  | { kind: "metrics.append"; samples: MetricSampleRecord[] }
  /** Deletes samples with time < beforeTime. */
  | { kind: "metrics.prune"; beforeTime: number }
  | { kind: "election.put"; record: ElectionRecordRow };

export interface LeaderClaim {
  masterId: string;
  address: string;
}

export class FencedError extends Error {
  constructor(readonly epoch: number) {
    super(`Registry write refused: leadership epoch ${epoch} is no longer current`);
    this.name = "FencedError";
  }
}

export interface RegistryStore {
  readonly kind: "memory" | "sqlite" | "postgresql";
  /** Creates/migrates the schema if needed. */
  init(): Promise<void>;
  claimLeadership(claim: LeaderClaim): Promise<number>;
  load(): Promise<RegistrySnapshot>;
  /** The most recent `limit` rows of each history (oldest first). Not fenced: a read. */
  loadHistory(limit: { timeline: number; metrics: number; elections: number }): Promise<HistorySnapshot>;
  commit(epoch: number, writes: RegistryWrite[]): Promise<void>;
  close(): Promise<void>;
}
