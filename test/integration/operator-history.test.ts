// The timeline and metric samples survive a master restart: they are persisted (bounded) through
// the registry — SQLite here, as in the embedded default — and the next master starts with them.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir, waitUntil } from "../../server/testing/cluster";
import { operatorCall, startOperatorMaster, type OperatorTestMaster } from "./operator-helpers";

const dir = tempDir("operator-history");
const registry = path.join(dir, "registry.db");
const history = { timelineFlushMs: 100, metricsSampleIntervalMs: 100, metricsRetentionMs: 60_000 };
let running: OperatorTestMaster | null = null;

afterAll(async () => {
  await running?.stop();
});

describe("history across a restart", () => {
  it("keeps operator actions, cluster events and metric samples", async () => {
    running = await startOperatorMaster({ registry, workDir: dir, operator: history });
    const first = running;
    expect((await operatorCall(first.port, { type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "ml", weight: 2 }] } })).status).toBe(200);
    expect((await operatorCall(first.port, { type: "KILL_TASK", kill_task: { framework_id: { value: "f" }, task_id: { value: "t" } } })).status).toBe(404);
    await waitUntil(() => first.running.master.metricsHistory.size >= 3, 10_000, "three metric samples");
    const before = first.running.handle.timeline();
    const samplesBefore = first.running.handle.metricsHistory();
    await first.stop();
    running = null;

    running = await startOperatorMaster({ registry, workDir: dir, operator: history });
    const second = running;
    const after = second.running.handle.timeline();
    for (const entry of before) expect(after).toContainEqual(entry);
    expect(after.filter((e) => e.action === "ELECTED")).toHaveLength(2);
    const seqs = after.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(after.find((e) => e.action === "KILL_TASK")).toMatchObject({ kind: "operator", principal: "anonymous", result: "error" });
    expect(after.find((e) => e.action === "UPDATE_WEIGHTS")).toMatchObject({ principal: "anonymous", result: "ok" });

    const samples = second.running.handle.metricsHistory();
    expect(samples.length).toBeGreaterThanOrEqual(samplesBefore.length);
    expect(samples[0]).toEqual(samplesBefore[0]);
    expect(second.running.handle.metricsHistory({ sinceMs: samplesBefore.at(-1)!.time }).length).toBeGreaterThanOrEqual(1);
  });
});
