import { describe, expect, it } from "vitest";
import { compare, matchesAgent, page, sortBy, type AgentRow } from "./dashboard-views";
import { downsample, matchesEntry } from "./dashboard-details";
import type { MetricSample } from "./metrics";

const agent = (over: Partial<AgentRow>): AgentRow => ({
  id: "S1", hostname: "h1", endpoint: "h1:5051", state: "connected", deactivated: false, attributes: { rack: "r1", zone: "a" },
  total: { cpus: 4, mem: 1024, disk: 0, gpus: 0, ports: 0 }, allocated: { cpus: 1, mem: 0, disk: 0, gpus: 0, ports: 0 }, offered: { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 },
  taskCount: 1, roles: ["eng"], version: "1.11.0", ...over,
});

describe("dashboard list queries", () => {
  it("pages with clamped bounds", () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(page(items, 8, 5)).toEqual([8, 9]);
    expect(page(items, -3, 2)).toEqual([0, 1]);
    expect(page(items, 0, 0)).toEqual([0]);
  });

  it("sorts by key then tie, undefined last in both directions", () => {
    const rows = [{ k: 2, t: "b" }, { k: undefined, t: "a" }, { k: 1, t: "c" }, { k: 2, t: "a" }];
    expect(sortBy([...rows], (r) => r.k, "asc", (r) => r.t).map((r) => `${r.k}${r.t}`)).toEqual(["1c", "2a", "2b", "undefineda"]);
    expect(sortBy([...rows], (r) => r.k, "desc", (r) => r.t).map((r) => `${r.k}${r.t}`)).toEqual(["2a", "2b", "1c", "undefineda"]);
    expect(compare("a", "B")).toBe(1);
  });

  it("filters agents by state, operator flags, role, attribute and text", () => {
    const a = agent({});
    expect(matchesAgent(a, { state: "connected" })).toBe(true);
    expect(matchesAgent(a, { state: "unreachable" })).toBe(false);
    expect(matchesAgent(a, { state: "deactivated" })).toBe(false);
    expect(matchesAgent(agent({ deactivated: true }), { state: "deactivated" })).toBe(true);
    expect(matchesAgent(a, { role: "eng" })).toBe(true);
    expect(matchesAgent(a, { role: "ops" })).toBe(false);
    expect(matchesAgent(a, { attribute: "rack" })).toBe(true);
    expect(matchesAgent(a, { attribute: "rack=r1" })).toBe(true);
    expect(matchesAgent(a, { attribute: "rack=r2" })).toBe(false);
    expect(matchesAgent(a, { attribute: "gpu" })).toBe(false);
    expect(matchesAgent(a, { text: "H1:50" })).toBe(true);
    expect(matchesAgent(a, { text: "zzz" })).toBe(false);
  });

  it("filters timeline entries", () => {
    const e = { seq: 5, time: 100, kind: "operator" as const, action: "KILL_TASK", summary: "Kill of task t1", principal: "alice", taskId: "t1", reason: "stuck" };
    expect(matchesEntry(e, { kinds: ["operator"], principal: "alice", text: "STUCK" })).toBe(true);
    expect(matchesEntry(e, { kinds: ["task"] })).toBe(false);
    expect(matchesEntry(e, { beforeSeq: 5 })).toBe(false);
    expect(matchesEntry(e, { sinceMs: 101 })).toBe(false);
  });

  it("downsamples metric history to the last sample of each time bucket", () => {
    const s = (time: number) => ({ time }) as MetricSample;
    const samples = Array.from({ length: 100 }, (_, i) => s(i * 10));
    const out = downsample(samples, 10);
    expect(out.length).toBeLessThanOrEqual(10);
    expect(out.at(-1)!.time).toBe(990);
    expect(downsample(samples.slice(0, 5), 10)).toHaveLength(5);
  });
});
