// The registrar's batching: operations queued during a commit go out together, each seeing the
// writes of the ones before it; a failing operation is isolated; a fenced batch fails as a whole.
import { describe, expect, it } from "vitest";
import { AdmitAgent, MAX_BATCH_OPERATIONS, PutEntry, Registrar, RegistryOperationError, UpdateAgentInfo, type RegistryOperation } from "./registrar";
import { MemoryRegistryStore, newMemoryRegistryData } from "./registry/memory-store";
import { FencedError, type RegistryWrite } from "./registry/store";

class CountingStore extends MemoryRegistryStore {
  commits: RegistryWrite[][] = [];
  override async commit(epoch: number, writes: RegistryWrite[]): Promise<void> {
    this.commits.push(writes);
    await new Promise((r) => setTimeout(r, 1));
    return super.commit(epoch, writes);
  }
}

const agent = (id: string, hostname = "h") => ({ id: { value: id }, hostname, port: 5051, resources: [], attributes: [] });

async function registrar() {
  const data = newMemoryRegistryData();
  const store = new CountingStore(data);
  const fenced: FencedError[] = [];
  const r = new Registrar(store, (e) => fenced.push(e));
  await r.recover("m1", "a");
  return { r, store, data, fenced };
}

describe("registrar batching", () => {
  it("commits operations queued during a commit together, in order", async () => {
    const { r, store, data } = await registrar();
    await Promise.all(Array.from({ length: 600 }, (_, i) => r.apply(AdmitAgent(agent(`S${i}`), i))));
    expect(data.agents.size).toBe(600);
    expect(store.commits.length).toBeLessThanOrEqual(1 + Math.ceil(599 / MAX_BATCH_OPERATIONS));
    expect(r.stats.operations).toBe(600);
    expect(r.view().agents.get("S599")?.state).toBe("ADMITTED");
  });

  it("lets each operation see the writes of earlier ones in its batch; a failing one is isolated", async () => {
    const { r, data } = await registrar();
    const counter = (): RegistryOperation => ({ name: "Inc", writes: (s) => [{ kind: "entry.put", key: "n", value: ((s.entries.get("n") as number) ?? 0) + 1 }] });
    const failing: RegistryOperation = { name: "Bad", writes: () => { throw new RegistryOperationError("Bad", "no"); } };
    const results = await Promise.allSettled([r.apply(counter()), r.apply(counter()), r.apply(failing), r.apply(counter())]);
    expect(results.map((x) => x.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(data.entries.get("n")).toBe(3);
    expect(r.view().entries.get("n")).toBe(3);
  });

  it("writes nothing when an admitted agent re-registers unchanged", async () => {
    const { r, store } = await registrar();
    await r.apply(AdmitAgent(agent("S1"), 1));
    const before = store.commits.length;
    await r.apply(UpdateAgentInfo(agent("S1"), 2));
    expect(store.commits.length).toBe(before);
    await r.apply(UpdateAgentInfo(agent("S1", "renamed"), 3));
    expect(store.commits.length).toBe(before + 1);
  });

  it("fails the whole batch when fenced, reports it once, and refuses everything after", async () => {
    const { r, data, fenced } = await registrar();
    await new MemoryRegistryStore(data).claimLeadership({ masterId: "m2", address: "b" });
    const results = await Promise.allSettled([r.apply(PutEntry("x", "a", 1)), r.apply(PutEntry("x", "b", 2))]);
    expect(results.every((x) => x.status === "rejected" && x.reason instanceof FencedError)).toBe(true);
    await expect(r.apply(PutEntry("x", "c", 3))).rejects.toBeInstanceOf(FencedError);
    expect(fenced).toHaveLength(1);
    expect(data.entries.size).toBe(0);
  });
});
