// Shared contract tests for RegistryStore implementations (used by the unit and integration suites).
import { expect, it } from "vitest";
import { FencedError, type RegistryStore } from "./store";

/** `factory()` returns a function making store instances that share one underlying registry. */
export function storeContract(factory: () => () => RegistryStore): void {
  it("persists agents and entries across instances", async () => {
    const make = factory();
    const a = make();
    await a.init();
    const epoch = await a.claimLeadership({ masterId: "m1", address: "127.0.0.1:5050" });
    await a.commit(epoch, [
      { kind: "agent.put", record: { id: "S1", state: "ADMITTED", info: { hostname: "h", id: { value: "S1" } }, since: 1000, deactivated: false } },
      { kind: "agent.put", record: { id: "S2", state: "UNREACHABLE", info: { hostname: "g" }, since: 2000, deactivated: true, drainInfo: { state: "DRAINING" } } },
      { kind: "entry.put", key: "weights", value: [{ role: "a", weight: 2 }] },
    ]);
    await a.commit(epoch, [{ kind: "agent.delete", id: "S2" }]);
    await a.close();
    const b = make();
    await b.init();
    const snapshot = await b.load();
    expect(snapshot.agents).toEqual([{ id: "S1", state: "ADMITTED", info: { hostname: "h", id: { value: "S1" } }, since: 1000, deactivated: false }]);
    expect(snapshot.entries.get("weights")).toEqual([{ role: "a", weight: 2 }]);
    await b.close();
  });

  it("writes thousands of agent records in one commit, in order: the last write of an agent wins", async () => {
    const make = factory();
    const a = make();
    await a.init();
    const epoch = await a.claimLeadership({ masterId: "m1", address: "a" });
    const record = (i: number, since: number, deactivated = false) => ({ id: `B${i}`, state: "ADMITTED" as const, info: { hostname: `b${i}`, id: { value: `B${i}` } }, since, deactivated });
    await a.commit(epoch, [
      ...Array.from({ length: 1_500 }, (_, i) => ({ kind: "agent.put" as const, record: record(i, 1) })),
      { kind: "agent.put", record: { ...record(7, 2, true), state: "UNREACHABLE", drainInfo: { state: "DRAINED", config: { mark_gone: false } } } },
      { kind: "agent.delete", id: "B8" },
      { kind: "agent.delete", id: "B10" },
      { kind: "agent.delete", id: "B11" },
      { kind: "agent.put", record: record(9, 3) },
      { kind: "agent.put", record: record(9, 4, true) },
    ]);
    // Records already kept are updated in place.
    await a.commit(epoch, [{ kind: "agent.put", record: record(1_499, 5) }, { kind: "agent.put", record: { ...record(7, 6), state: "GONE" } }]);
    const agents = new Map((await a.load()).agents.filter((r) => r.id.startsWith("B")).map((r) => [r.id, r]));
    expect(agents.size).toBe(1_497);
    expect(["B8", "B10", "B11"].filter((id) => agents.has(id))).toEqual([]);
    expect(agents.get("B0")).toEqual(record(0, 1));
    expect(agents.get("B7")).toEqual({ ...record(7, 6), state: "GONE" });
    expect(agents.get("B9")).toEqual(record(9, 4, true));
    expect(agents.get("B1499")).toEqual(record(1_499, 5));
    await a.close();
  });

  it("fences a deposed leader: its commits fail and write nothing", async () => {
    const make = factory();
    const old = make();
    const next = make();
    await old.init();
    await next.init();
    const oldEpoch = await old.claimLeadership({ masterId: "m1", address: "a" });
    const newEpoch = await next.claimLeadership({ masterId: "m2", address: "b" });
    expect(newEpoch).toBeGreaterThan(oldEpoch);
    await expect(old.commit(oldEpoch, [{ kind: "entry.put", key: "x", value: 1 }])).rejects.toBeInstanceOf(FencedError);
    await next.commit(newEpoch, [{ kind: "entry.put", key: "y", value: 2 }]);
    const snapshot = await next.load();
    expect(snapshot.entries.has("x")).toBe(false);
    expect(snapshot.entries.get("y")).toBe(2);
    await old.close();
    await next.close();
  });

  it("keeps bounded histories (timeline, metric samples, elections), fenced like every write", async () => {
    const make = factory();
    const a = make();
    await a.init();
    const epoch = await a.claimLeadership({ masterId: "m1", address: "a" });
    const rows = Array.from({ length: 5 }, (_, i) => ({ seq: 1000 + i, time: 10_000 + i, kind: "task", action: "TASK_RUNNING", summary: `t${i} \u00e9`, taskId: `t${i}` }));
    await a.commit(epoch, [
      { kind: "timeline.append", records: rows },
      { kind: "metrics.append", samples: [{ time: 1, data: { cpus: 1 } }, { time: 2, data: { cpus: 2 } }] },
      { kind: "election.put", record: { epoch, masterId: "m1", address: "a", hostname: "h", version: "1.11.0", elected: 5, reason: "elected", gapMs: 1200 } },
    ]);
    await a.commit(epoch, [{ kind: "timeline.prune", beforeSeq: 1002 }, { kind: "metrics.prune", beforeTime: 2 }]);
    const history = await a.loadHistory({ timeline: 2, metrics: 10, elections: 10 });
    expect(history.timeline.map((r) => r.seq)).toEqual([1003, 1004]);
    expect(history.timeline[0]).toEqual(rows[3]);
    expect(history.metrics).toEqual([{ time: 2, data: { cpus: 2 } }]);
    expect(history.elections).toEqual([{ epoch, masterId: "m1", address: "a", hostname: "h", version: "1.11.0", elected: 5, reason: "elected", gapMs: 1200 }]);
    await a.close();
  });

  it("appends thousands of timeline rows in one commit (several INSERT statements), all or none", async () => {
    const make = factory();
    const a = make();
    await a.init();
    const epoch = await a.claimLeadership({ masterId: "m1", address: "a" });
    const rows = Array.from({ length: 2_345 }, (_, i) => ({ seq: 100_000 + i, time: 20_000 + i, kind: "agent", action: "AGENT_REREGISTERED", summary: `Agent sim-${i} re-registered`, agentId: `S${i}`, reason: i % 2 ? "why" : undefined }));
    await a.commit(epoch, [{ kind: "timeline.append", records: rows }]);
    const kept = (h: { timeline: { seq: number }[] }) => h.timeline.filter((r) => r.seq >= 100_000);
    const history = { timeline: kept(await a.loadHistory({ timeline: 10_000, metrics: 0, elections: 0 })) };
    expect(history.timeline).toHaveLength(rows.length);
    expect(history.timeline.at(-1)).toEqual(rows.at(-1));
    expect(history.timeline[1_500]).toEqual(rows[1_500]);
    // A duplicate key in the last chunk fails the whole commit: nothing of it is kept.
    const more = Array.from({ length: 1_500 }, (_, i) => ({ seq: 103_000 + i, time: 30_000 + i, kind: "agent", action: "X", summary: "s" }));
    more.push({ seq: 100_000, time: 1, kind: "agent", action: "X", summary: "duplicate" });
    await expect(a.commit(epoch, [{ kind: "timeline.append", records: more }])).rejects.toThrow();
    expect(kept(await a.loadHistory({ timeline: 10_000, metrics: 0, elections: 0 }))).toHaveLength(rows.length);
    await a.close();
  });
}
