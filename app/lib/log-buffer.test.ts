import { describe, expect, it } from "vitest";
import { appendChunk, findMatches, fromChunk, lineRange, prependChunk, stepMatch, trimWindow, utf8Length } from "./log-buffer";

describe("log window", () => {
  it("splits into lines with byte offsets, keeping an open last line", () => {
    const w = fromChunk(100, "ab\ncd");
    expect(w).toEqual({ start: 100, end: 105, lines: ["ab", "cd"], lineStarts: [100, 103] });
    const w2 = appendChunk(w, 105, "e\nf\n");
    expect(w2.lines).toEqual(["ab", "cde", "f"]);
    expect(w2.lineStarts).toEqual([100, 103, 107]);
    expect(w2.end).toBe(109);
    const w3 = appendChunk(w2, 109, "g");
    expect(w3.lines).toEqual(["ab", "cde", "f", "g"]);
    expect(w3.lineStarts.at(-1)).toBe(109);
  });

  it("counts UTF-8 bytes for offsets", () => {
    expect(utf8Length("é€😀a")).toBe(2 + 3 + 4 + 1);
    const w = fromChunk(0, "é\n😀\n");
    expect(w.lineStarts).toEqual([0, 3]);
    expect(w.end).toBe(8);
  });

  it("restarts when a chunk does not continue the window", () => {
    expect(appendChunk(fromChunk(0, "a\n"), 50, "x").start).toBe(50);
  });

  it("prepends earlier bytes, joining a line cut by the window start", () => {
    const w = fromChunk(6, "ef\ngh\n");
    const p = prependChunk(w, "ab\ncd");
    expect(p).toEqual({ start: 1, end: 12, lines: ["ab", "cdef", "gh"], lineStarts: [1, 4, 9] });
    const q = prependChunk(fromChunk(3, "x\n"), "ab\n");
    expect(q.lines).toEqual(["ab", "x"]);
  });

  it("trims whole lines from the side away from the reader", () => {
    const w = fromChunk(0, "aaaa\nbbbb\ncccc\ndddd\n");
    const fromStart = trimWindow(w, 10, "start");
    expect(fromStart.lines).toEqual(["cccc", "dddd"]);
    expect(fromStart.start).toBe(10);
    const fromEnd = trimWindow(w, 10, "end");
    expect(fromEnd.lines).toEqual(["aaaa", "bbbb"]);
    expect(fromEnd.end).toBe(10);
  });

  it("finds matches and steps through them with wrap-around", () => {
    const lines = ["Error one", "ok", "another error", "fine"];
    const m = findMatches(lines, "error");
    expect(m).toEqual([0, 2]);
    expect(findMatches(lines, "error", true)).toEqual([2]);
    expect(stepMatch(m, -1, 1)).toBe(0);
    expect(stepMatch(m, 0, 1)).toBe(2);
    expect(stepMatch(m, 2, 1)).toBe(0);
    expect(stepMatch(m, 0, -1)).toBe(2);
    expect(stepMatch([], 0, 1)).toBe(-1);
  });

  it("gives the exact byte range of selected lines (permalinks)", () => {
    const w = fromChunk(10, "ab\ncd\nef");
    expect(lineRange(w, 1, 1)).toEqual({ offset: 13, length: 3 });
    expect(lineRange(w, 1, 2)).toEqual({ offset: 13, length: 5 });
    expect(lineRange(w, 0, 0)).toEqual({ offset: 10, length: 3 });
  });
});
