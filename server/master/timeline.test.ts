import { describe, expect, it } from "vitest";
import { Timeline } from "./timeline";

describe("timeline", () => {
  it("keeps the newest `capacity` entries however many were added", () => {
    const t = new Timeline(8);
    for (let i = 1; i <= 27; i++) {
      t.add({ time: i, kind: "agent", action: "A", summary: `entry ${i}` });
      const all = t.list();
      expect(all.length).toBe(Math.min(i, 8));
      expect(all.at(-1)!.seq).toBe(i);
      expect(all[0]!.seq).toBe(Math.max(1, i - 7));
    }
    expect(t.list({ limit: 3 }).map((e) => e.summary)).toEqual(["entry 25", "entry 26", "entry 27"]);
    expect(t.list({ afterSeq: 25 }).map((e) => e.seq)).toEqual([26, 27]);
  });
});
