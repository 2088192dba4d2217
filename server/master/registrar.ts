// The registrar: every durable change to the registry is a named operation, applied one at a
// time (Mesos's Registrar). An operation looks at the current registry state and either returns
// the writes that realise it or throws RegistryOperationError; the writes are committed to the
// store under the leader's epoch, and only then is the in-memory copy updated.
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

/** Re-registration with possibly changed AgentInfo (also re-admits unreachable/unknown agents). */
export const UpdateAgentInfo = (info: AgentInfoWithId, now: number): RegistryOperation => ({
  name: "UpdateAgentInfo",
  writes(state) {
    const existing = state.agents.get(info.id.value);
    if (existing?.state === "GONE") throw new RegistryOperationError(this.name, "Agent has been marked gone");
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
}

export class Registrar {
  private state: RegistryState = { agents: new Map(), entries: new Map() };
  private epoch = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private fenced = false;
  readonly stats: RegistrarStats = { queued: 0, stores: 0, lastStoreMs: 0, storeMsSamples: [] };

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
    const run = async () => {
      this.stats.queued--;
      if (this.fenced) throw new FencedError(this.epoch);
      const writes = op.writes(this.state);
      if (writes.length === 0) return;
      const started = performance.now();
      try {
        await this.store.commit(this.epoch, writes);
      } catch (err) {
        if (err instanceof FencedError && !this.fenced) {
          this.fenced = true;
          this.onFenced(err);
        }
        throw err;
      }
      const ms = performance.now() - started;
      this.stats.stores++;
      this.stats.lastStoreMs = ms;
      this.stats.storeMsSamples.push(ms);
      if (this.stats.storeMsSamples.length > 1000) this.stats.storeMsSamples.shift();
      applyWrites(this.state, writes);
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => {});
    return result;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.store.close();
  }
}
