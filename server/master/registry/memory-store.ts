// In-memory registry store: for tests and `--registry=in_memory`. Shares state between
// instances created with the same `shared` object, so tests can simulate several masters.
import type { AgentRecord, LeaderClaim, RegistrySnapshot, RegistryStore, RegistryWrite } from "./store";
import { FencedError } from "./store";

export interface MemoryRegistryData {
  epoch: number;
  agents: Map<string, AgentRecord>;
  entries: Map<string, unknown>;
}

export function newMemoryRegistryData(): MemoryRegistryData {
  return { epoch: 0, agents: new Map(), entries: new Map() };
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

  async commit(epoch: number, writes: RegistryWrite[]): Promise<void> {
    if (epoch !== this.data.epoch) throw new FencedError(epoch);
    for (const w of writes) {
      switch (w.kind) {
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
