import { describe, expect, it } from "vitest";
import { parseExecutorCall, validateExecutorCall } from "../protocol/executor";
import { maxSandboxAgeMs } from "./gc";
import { Slicer } from "./slicer";

describe("sandbox GC age", () => {
  it("is gc_delay shortened by disk usage and headroom, never negative", () => {
    const week = 7 * 24 * 3600_000;
    expect(maxSandboxAgeMs(week, 0.1, 0)).toBeCloseTo(0.9 * week);
    expect(maxSandboxAgeMs(week, 0.1, 0.5)).toBeCloseTo(0.4 * week);
    expect(maxSandboxAgeMs(week, 0.1, 0.95)).toBe(0);
  });
});

describe("the launch slicer", () => {
  it("runs jobs in order, a bounded amount per turn of the event loop", async () => {
    const slicer = new Slicer(5);
    const order: number[] = [];
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const done = Promise.all(Array.from({ length: 20 }, (_, i) => slicer.run(() => (busy(1), order.push(i), i))));
    expect(await done).toEqual(Array.from({ length: 20 }, (_, i) => i));
    clearInterval(ticker);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(turns).toBeGreaterThan(1); // the event loop turned in between
    await expect(slicer.run(() => {
      throw new Error("boom");
    })).rejects.toThrow("boom");
  });
});

describe("executor calls", () => {
  const base = { executor_id: { value: "e" }, framework_id: { value: "f" } };
  it("validates UPDATE as Mesos does (uuid of 16 bytes, source, state, executor id)", () => {
    const call = (status: Record<string, unknown>) => parseExecutorCall({ ...base, type: "UPDATE", update: { status: { task_id: { value: "t" }, state: "TASK_RUNNING", ...status } } });
    const ok = call({ uuid: Buffer.alloc(16).toString("base64") });
    expect(ok.ok && validateExecutorCall(ok.value)).toBeNull();
    const messages = [
      call({}),
      call({ uuid: "aGk=" }),
      call({ uuid: Buffer.alloc(16).toString("base64"), state: "TASK_STAGING" }),
      call({ uuid: Buffer.alloc(16).toString("base64"), source: "SOURCE_MASTER" }),
      call({ uuid: Buffer.alloc(16).toString("base64"), executor_id: { value: "other" } }),
    ].map((r) => (r.ok ? validateExecutorCall(r.value) : r.error));
    expect(messages).toEqual([
      "Expecting 'uuid' to be present", "Invalid 'uuid': expected 16 bytes", "Received TASK_STAGING from executor",
      "Received wrong status update source: SOURCE_MASTER", "ExecutorID in Call: e does not match ExecutorID in TaskStatus: other",
    ]);
    expect(parseExecutorCall({ ...base, type: "NOPE" }).ok).toBe(false);
    const sub = parseExecutorCall({ ...base, type: "SUBSCRIBE" });
    expect(sub.ok && validateExecutorCall(sub.value)).toBe("Expecting 'subscribe' to be present");
  });
});
