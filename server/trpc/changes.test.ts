import { describe, expect, it } from "vitest";
import { ChangeBatch } from "./changes";
import type { MasterEvent } from "../master/events";
import type { MasterHandle } from "../master/handle";

const task = (id: string, agentId = "a1") => ({ frameworkId: "f1", agentId, state: "TASK_RUNNING", info: { task_id: { value: id } }, statuses: [{ timestamp: 2 }] });
const handle = { master: { id: "m1", isLeading: true } } as unknown as MasterHandle;

describe("change batches", () => {
  it("folds events into kinds and the latest change per task", () => {
    const b = new ChangeBatch();
    b.add({ type: "TASK_ADDED", task: task("t1") } as unknown as MasterEvent);
    b.add({ type: "TASK_UPDATED", task: { ...task("t1"), state: "TASK_KILLED" }, status: { timestamp: 3, message: "bye" } } as unknown as MasterEvent);
    b.add({ type: "OFFERS_CHANGED" });
    const n = b.take(handle, 10);
    expect(new Set(n.kinds)).toEqual(new Set(["tasks", "agents", "frameworks", "timeline", "offers", "roles"]));
    expect(n.tasks).toEqual([{ id: "t1", frameworkId: "f1", agentId: "a1", state: "TASK_KILLED", time: 3000, message: "bye" }]);
    expect(n.agents).toEqual(["a1"]);
    expect(n).toMatchObject({ masterId: "m1", leading: true, at: 10, truncated: false });
    expect(b.empty).toBe(true);
  });

  it("bounds the ids it carries and says so", () => {
    const b = new ChangeBatch();
    for (let i = 0; i < 250; i++) b.add({ type: "TASK_ADDED", task: task(`t${i}`, `a${i}`) } as unknown as MasterEvent);
    const n = b.take(handle, 0);
    expect(n.tasks).toHaveLength(200);
    expect(n.agents).toHaveLength(200);
    expect(n.truncated).toBe(true);
  });
});
