import { describe, expect, it } from "vitest";
import { pagesFor, scrollToRow, visibleRows } from "./virtual";

describe("virtual window", () => {
  it("covers the rows in view plus overscan, clamped to the table", () => {
    expect(visibleRows(0, 360, 36, 1000, 2)).toEqual({ first: 0, last: 12 });
    expect(visibleRows(3600, 360, 36, 1000, 2)).toEqual({ first: 98, last: 112 });
    expect(visibleRows(35_950, 360, 36, 1000, 2)).toEqual({ first: 996, last: 999 });
  });

  it("is empty without rows", () => {
    expect(visibleRows(0, 500, 36, 0)).toEqual({ first: 0, last: -1 });
    expect(pagesFor({ first: 0, last: -1 }, 100)).toEqual([0]);
  });

  it("maps the window to server pages", () => {
    expect(pagesFor({ first: 95, last: 130 }, 100)).toEqual([0, 1]);
    expect(pagesFor({ first: 250, last: 260 }, 100)).toEqual([2]);
  });

  it("scrolls just enough to show a row", () => {
    expect(scrollToRow(5, 0, 360, 36)).toBe(0);
    expect(scrollToRow(20, 0, 360, 36)).toBe(20 * 36 + 36 - 360);
    expect(scrollToRow(2, 500, 360, 36)).toBe(72);
  });
});
