// Timeline and metric-sample persistence through the registrar: batched, bounded, restored by
// the next master with unique sequence numbers.
import { afterEach, describe, expect, it } from "vitest";
import { newMemoryRegistryData } from "../registry/memory-store";
import { startHarness, type Harness } from "../../testing/master-harness";
import { MasterHistory, type HistoryOptions } from "./history";
import { StateCache } from "./render/cache";

const harnesses: Harness[] = [];
afterEach(() => harnesses.splice(0).forEach((h) => h.stopLoop()));

const OPTIONS: HistoryOptions = { timelineMaxEntries: 5, timelineFlushMs: 1000, metricsSampleIntervalMs: 5000, metricsRetentionMs: 20_000 };

async function boot(registry = newMemoryRegistryData(), options = OPTIONS) {
  const h = await startHarness({ registry });
  harnesses.push(h);
  const history = new MasterHistory(h.master, new StateCache(h.master), options, () => {});
  await history.recover();
  history.start();
  return { h, history, registry };
}

const add = (h: Harness, action: string) => h.master.timeline.add({ time: h.clock.now(), kind: "operator", action, summary: action, principal: "anonymous", result: "ok" });
const settle = () => new Promise((r) => setTimeout(r, 10));

describe("timeline persistence", () => {
  it("appends new entries every flush interval and prunes to the bound", async () => {
    const { h, registry } = await boot();
    for (let i = 0; i < 8; i++) add(h, `A${i}`);
    expect(registry.timeline).toEqual([]);
    h.clock.advance(1000);
    await settle();
    expect(registry.timeline!.map((r) => r.action)).toEqual(["A3", "A4", "A5", "A6", "A7"]);
    add(h, "B");
    h.clock.advance(1000);
    await settle();
    expect(registry.timeline!.map((r) => r.action)).toEqual(["A4", "A5", "A6", "A7", "B"]);
    expect(registry.timeline!.at(-1)).toMatchObject({ kind: "operator", principal: "anonymous", result: "ok" });
  });

  it("a restarted master shows the recent entries and continues their sequence", async () => {
    const first = await boot();
    for (let i = 0; i < 3; i++) add(first.h, `old${i}`);
    first.h.clock.advance(1000);
    await settle();
    const lastSeq = first.h.master.timeline.lastSeq;

    const second = await boot(first.registry);
    const entries = second.h.master.timeline.list();
    expect(entries.map((e) => e.action).slice(0, 3)).toEqual(["old0", "old1", "old2"]);
    const seqs = entries.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(Math.min(...seqs.slice(3))).toBeGreaterThan(lastSeq);
    add(second.h, "new");
    second.h.clock.advance(1000);
    await settle();
    expect(first.registry.timeline!.map((r) => r.action)).toContain("new");
  });
});

describe("metric samples", () => {
  it("samples totals, allocation and task counts periodically, persisted and pruned by age", async () => {
    const { h, registry } = await boot();
    h.clock.advance(5000);
    await settle();
    const [sample] = h.master.metricsHistory.since();
    expect(sample).toMatchObject({ time: h.clock.now(), total: { cpus: 0 }, tasks: {}, agents: { connected: 0, disconnected: 0, unreachable: 0 }, frameworks: { active: 0, inactive: 0 } });
    for (let i = 0; i < 6; i++) {
      h.clock.advance(5000);
      await settle();
    }
    expect(h.master.metricsHistory.size).toBe(4); // capacity = retention / interval
    expect(registry.metrics!.length).toBeLessThanOrEqual(5);
    expect(Math.min(...registry.metrics!.map((r) => r.time))).toBeGreaterThanOrEqual(h.clock.now() - 20_000);
    expect(h.master.metricsHistory.since(h.clock.now() - 5000).length).toBe(2);
  });

  it("a restarted master starts with the persisted samples", async () => {
    const first = await boot();
    for (let i = 0; i < 3; i++) {
      first.h.clock.advance(5000);
      await settle();
    }
    const second = await boot(first.registry);
    expect(second.h.master.metricsHistory.size).toBeGreaterThanOrEqual(2);
  });
});
