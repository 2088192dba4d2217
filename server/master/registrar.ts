// The registrar: every durable change to the registry is a named operation, applied one at a
// time (Mesos's Registrar). An operation looks at the current registry state and either returns
// the writes that realise it or throws RegistryOperationError; the writes are committed to the
// store under the leader's epoch, and only then is the in-memory copy updated.
//
// As Mesos's registrar does, operations queued while a commit is in flight are committed together
// in the next one (at most MAX_BATCH_OPERATIONS): each sees the state the ones before it leave,
// one that throws contributes nothing, and the batch's writes succeed or fail as one transaction.
// A storm of registrations after a failover thus costs a few commits, not one per agent.
import { sameJson } from "../protocol/json";
import type { AgentInfo, Id } from "../protocol/mesos";
import type { AgentRecord, RegistrySnapshot, RegistryStore, RegistryWrite } from "./registry/store";
import { FencedError } from "./registry/store";

export interface RegistryState {
  agents: Map<string, AgentRecord>;
  entries: Map<string, unknown>;
}

export class RegistryOperationError extends Error {
  constructor(
    readonly operation: string,
    message: string,
  ) {
    super(message);
    this.name = "RegistryOperationError";
  }
}

export interface RegistryOperation {
  readonly name: string;
  /** Pure: returns the writes, or throws RegistryOperationError. */
  writes(state: RegistryState): RegistryWrite[];
}

type AgentInfoWithId = AgentInfo & { id: Id };

export const AdmitAgent = (info: AgentInfoWithId, now: number): RegistryOperation => ({
  name: "AdmitAgent",
  writes(state) {
    const existing = state.agents.get(info.id.value);
    if (existing?.state === "GONE") throw new RegistryOperationError(this.name, "Agent has been marked gone");
    return [{ kind: "agent.put", record: { id: info.id.value, state: "ADMITTED", info, since: now, deactivated: existing?.deactivated ?? false, drainInfo: existing?.drainInfo } }];
  },
});

/**
 * Re-registration with possibly changed AgentInfo (also re-admits unreachable/unknown agents). An
 * admitted agent re-registering with the same AgentInfo writes nothing (Mesos: no registry
 * operation for a recovered agent's re-registration).
 */
export const UpdateAgentInfo = (info: AgentInfoWithId, now: number): RegistryOperation => ({
  name: "UpdateAgentInfo",
  writes(state) {
    const existing = state.agents.get(info.id.value);
    if (existing?.state === "GONE") throw new RegistryOperationError(this.name, "Agent has been marked gone");
    if (existing?.state === "ADMITTED" && sameJson(existing.info, info)) return [];
    const since = existing?.state === "ADMITTED" ? existing.since : now;
    return [{ kind: "agent.put", record: { id: info.id.value, state: "ADMITTED", info, since, deactivated: existing?.deactivated ?? false, drainInfo: existing?.drainInfo } }];
  },
});

export const MarkAgentUnreachable = (agentId: string, now: number): RegistryOperation => ({
  name: "MarkAgentUnreachable",
  writes(state) {
    const existing = state.agents.get(agentId);
    if (!existing || existing.state !== "ADMITTED") throw new RegistryOperationError(this.name, `Agent ${agentId} is not admitted`);
    return [{ kind: "agent.put", record: { ...existing, state: "UNREACHABLE", since: now } }];
  },
});

export const MarkAgentGone = (agentId: string, now: number): RegistryOperation => ({
  name: "MarkAgentGone",
  writes(state) {
    const existing = state.agents.get(agentId);
    if (!existing) throw new RegistryOperationError(this.name, `Unknown agent ${agentId}`);
    if (existing.state === "GONE") return [];
    return [{ kind: "agent.put", record: { ...existing, state: "GONE", since: now } }];
  },
});

export const RemoveAgent = (agentId: string): RegistryOperation => ({
  name: "RemoveAgent",
  writes(state) {
    return state.agents.has(agentId) ? [{ kind: "agent.delete", id: agentId }] : [];
  },
});

export const UpdateAgentFlags = (agentId: string, patch: Partial<Pick<AgentRecord, "deactivated" | "drainInfo">>): RegistryOperation => ({
  name: "UpdateAgentFlags",
  writes(state) {
    const existing = state.agents.get(agentId);
    if (!existing) throw new RegistryOperationError(this.name, `Unknown agent ${agentId}`);
    return [{ kind: "agent.put", record: { ...existing, ...patch } }];
  },
});

export const PutEntry = (name: string, key: string, value: unknown): RegistryOperation => ({
  name,
  writes: () => [{ kind: "entry.put", key, value }],
});

function applyWrites(state: RegistryState, writes: RegistryWrite[]): void {
  for (const w of writes) {
    if (w.kind === "agent.put") state.agents.set(w.record.id, w.record);
    else if (w.kind === "agent.delete") state.agents.delete(w.id);
    else if (w.kind === "entry.put") state.entries.set(w.key, w.value);
    else if (w.kind === "entry.delete") state.entries.delete(w.key);
    // Histories are not part of the in-memory registry state.
  }
}

export interface RegistrarStats {
  queued: number;
  stores: number;
  lastStoreMs: number;
  storeMsSamples: number[];
  /** Operations committed (a store may carry several). */
  operations: number;
}

/** Most operations committed in one store (keeps each transaction short). */
export const MAX_BATCH_OPERATIONS = 256;

/** A map that reads through to `base` and keeps its own changes (a batch's scratch state). */
class OverlayMap<K, V> extends Map<K, V> {
  private readonly removed = new Set<K>();
  constructor(private readonly base: ReadonlyMap<K, V>) {
    super();
  }
  override get(key: K): V | undefined {
    return super.has(key) ? super.get(key) : this.removed.has(key) ? undefined : this.base.get(key);
  }
  override has(key: K): boolean {
    return super.has(key) || (!this.removed.has(key) && this.base.has(key));
  }
  override set(key: K, value: V): this {
    this.removed.delete(key);
    return super.set(key, value);
  }
  override delete(key: K): boolean {
    const had = this.has(key);
    super.delete(key);
    this.removed.add(key);
    return had;
  }
  override get size(): number {
    return [...this.keys()].length;
  }
  override *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) if (!this.removed.has(k) && !super.has(k)) yield [k, v];
    yield* super.entries();
  }
  override *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }
  override *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
}

interface Queued {
  op: RegistryOperation;
  resolve(): void;
  reject(err: unknown): void;
}

export class Registrar {
  private state: RegistryState = { agents: new Map(), entries: new Map() };
  private epoch = 0;
  private readonly queue: Queued[] = [];
  private draining: Promise<void> | null = null;
  private fenced = false;
  readonly stats: RegistrarStats = { queued: 0, stores: 0, lastStoreMs: 0, storeMsSamples: [], operations: 0 };

  constructor(
    private readonly store: RegistryStore,
    /** Called once if a commit is refused because another master took over. */
    private readonly onFenced: (err: FencedError) => void,
  ) {}

  get storeKind() {
    return this.store.kind;
  }

  /** Claims leadership (new epoch) and loads the registry. */
  async recover(masterId: string, address: string): Promise<RegistrySnapshot> {
    this.epoch = await this.store.claimLeadership({ masterId, address });
    const snapshot = await this.store.load();
    this.state = { agents: new Map(snapshot.agents.map((a) => [a.id, a])), entries: new Map(snapshot.entries) };
    return snapshot;
  }

  get currentEpoch(): number {
    return this.epoch;
  }

  view(): Readonly<RegistryState> {
    return this.state;
  }

  /** Recent histories (timeline, metric samples, elections) for a master that just took over. */
  loadHistory(limit: { timeline: number; metrics: number; elections: number }) {
    return this.store.loadHistory(limit);
  }

  /** Queues an operation; resolves once it is durable, rejects with its error. */
  apply(op: RegistryOperation): Promise<void> {
    this.stats.queued++;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Commits queued operations, a batch at a time, until the queue is empty. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH_OPERATIONS);
      this.stats.queued -= batch.length;
      if (this.fenced) {
        for (const q of batch) q.reject(new FencedError(this.epoch));
        continue;
      }
      // Each operation sees what the ones before it in the batch wrote.
      const single = batch.length === 1;
      const scratch: RegistryState = single ? this.state : { agents: new OverlayMap(this.state.agents), entries: new OverlayMap(this.state.entries) };
      const accepted: Queued[] = [];
      const writes: RegistryWrite[] = [];
      for (const q of batch) {
        try {
          const w = q.op.writes(scratch);
          if (!single) applyWrites(scratch, w);
          writes.push(...w);
          accepted.push(q);
        } catch (err) {
          q.reject(err);
        }
      }
      if (writes.length > 0) {
        const started = performance.now();
        try {
          await this.store.commit(this.epoch, writes);
        } catch (err) {
          if (err instanceof FencedError && !this.fenced) {
            this.fenced = true;
            this.onFenced(err);
          }
          for (const q of accepted) q.reject(err);
          continue;
        }
        const ms = performance.now() - started;
        this.stats.stores++;
        this.stats.lastStoreMs = ms;
        this.stats.storeMsSamples.push(ms);
        if (this.stats.storeMsSamples.length > 1000) this.stats.storeMsSamples.shift();
        applyWrites(this.state, writes);
      }
      this.stats.operations += accepted.length;
      for (const q of accepted) q.resolve();
    }
  }

  async close(): Promise<void> {
    while (this.draining) await this.draining;
    await this.store.close();
  }
}
