// In-memory registry store: for tests and `--registry=in_memory`. Shares state between
// instances created with the same `shared` object, so tests can simulate several masters.
import type { AgentRecord, ElectionRecordRow, HistorySnapshot, LeaderClaim, MetricSampleRecord, RegistrySnapshot, RegistryStore, RegistryWrite, TimelineRecord } from "./store";
import { FencedError } from "./store";

export interface MemoryRegistryData {
  epoch: number;
  agents: Map<string, AgentRecord>;
  entries: Map<string, unknown>;
  timeline?: TimelineRecord[];
  metrics?: MetricSampleRecord[];
  elections?: Map<number, ElectionRecordRow>;
}

export function newMemoryRegistryData(): MemoryRegistryData {
  return { epoch: 0, agents: new Map(), entries: new Map(), timeline: [], metrics: [], elections: new Map() };
}

export class MemoryRegistryStore implements RegistryStore {
  readonly kind = "memory" as const;
  constructor(private readonly data: MemoryRegistryData = newMemoryRegistryData()) {}

  async init(): Promise<void> {}

  async claimLeadership(_claim: LeaderClaim): Promise<number> {
    this.data.epoch += 1;
    return this.data.epoch;
  }

  async load(): Promise<RegistrySnapshot> {
    return {
      agents: [...this.data.agents.values()].map((a) => structuredClone(a)),
      entries: new Map([...this.data.entries].map(([k, v]) => [k, structuredClone(v)])),
    };
  }

  async loadHistory(limit: { timeline: number; metrics: number; elections: number }): Promise<HistorySnapshot> {
    const d = this.data;
    return {
      timeline: structuredClone((d.timeline ?? []).slice(-limit.timeline)),
      metrics: structuredClone((d.metrics ?? []).slice(-limit.metrics)),
      elections: structuredClone([...(d.elections ?? new Map()).values()].sort((a, b) => a.epoch - b.epoch).slice(-limit.elections)),
    };
  }

  async commit(epoch: number, writes: RegistryWrite[]): Promise<void> {
    if (epoch !== this.data.epoch) throw new FencedError(epoch);
    const d = this.data;
    d.timeline ??= [];
    d.metrics ??= [];
    d.elections ??= new Map();
    // Like the databases' primary key: a timeline sequence number already kept fails the whole commit.
    const seqs = new Set(d.timeline.map((r) => r.seq));
    for (const w of writes) {
      if (w.kind !== "timeline.append") continue;
      for (const r of w.records) {
        if (seqs.has(r.seq)) throw new Error(`Unique constraint failed: timeline seq ${r.seq}`);
        seqs.add(r.seq);
      }
    }
    for (const w of writes) {
      switch (w.kind) {
        case "timeline.append":
          d.timeline.push(...structuredClone(w.records));
          break;
        case "timeline.prune":
          d.timeline = d.timeline.filter((r) => r.seq >= w.beforeSeq);
          break;
        case "metrics.append":
          d.metrics.push(...structuredClone(w.samples));
          break;
        case "metrics.prune":
          d.metrics = d.metrics.filter((r) => r.time >= w.beforeTime);
          break;
        case "election.put":
          d.elections.set(w.record.epoch, structuredClone(w.record));
          break;
        case "agent.put":
          this.data.agents.set(w.record.id, structuredClone(w.record));
          break;
        case "agent.delete":
          this.data.agents.delete(w.id);
          break;
        case "entry.put":
          this.data.entries.set(w.key, structuredClone(w.value));
          break;
        case "entry.delete":
          this.data.entries.delete(w.key);
          break;
      }
    }
  }

  async close(): Promise<void> {}
}
