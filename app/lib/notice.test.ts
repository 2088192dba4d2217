import { describe, expect, it } from "vitest";
import { patchTaskPage, patchTaskRows } from "./notice";

const row = (id: string, state = "TASK_RUNNING") => ({ id, frameworkId: "f", state, lastStatusTime: 1, lastMessage: "m" });

describe("patching cached task rows from a change notice", () => {
  it("applies the new state, time and message to the rows on screen", () => {
    const rows = [row("a"), row("b")];
    const out = patchTaskRows(rows, [{ id: "b", frameworkId: "f", state: "TASK_KILLED", time: 9, message: "killed" }]);
    expect(out[1]).toEqual({ id: "b", frameworkId: "f", state: "TASK_KILLED", lastStatusTime: 9, lastMessage: "killed" });
    expect(out[0]).toBe(rows[0]);
  });

  it("returns the same array (no re-render) when nothing on it changed", () => {
    const rows = [row("a")];
    expect(patchTaskRows(rows, [{ id: "a", frameworkId: "other", state: "TASK_KILLED" }])).toBe(rows);
    expect(patchTaskRows(rows, [{ id: "a", frameworkId: "f", state: "TASK_RUNNING", time: 1 }])).toBe(rows);
  });

  it("patches page objects", () => {
    const p = { total: 1, rows: [row("a")] };
    expect(patchTaskPage(p, [])).toBe(p);
    expect(patchTaskPage(p, [{ id: "a", frameworkId: "f", state: "TASK_FAILED" }])!.rows[0]!.state).toBe("TASK_FAILED");
    expect(patchTaskPage(undefined, [])).toBeUndefined();
  });
});
