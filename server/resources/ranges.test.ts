import { describe, expect, it } from "vitest";
import {
  canonicalRanges, containsRanges, formatRanges, rangesCount, subtractRanges, toPairs, unionRanges,
} from "./ranges";

const r = (...pairs: [number, number][]) => canonicalRanges(pairs.map(([begin, end]) => ({ begin, end })));

describe("interval sets", () => {
  it("canonicalises: sorts, merges overlapping and adjacent ranges, drops inverted", () => {
    expect(r([5, 6], [1, 2], [3, 3], [10, 12], [11, 20], [9, 8])).toEqual([1, 3, 5, 6, 10, 20]);
    expect(r([1, 2], [3, 4])).toEqual([1, 4]);
    expect(r()).toEqual([]);
  });

  it("unions", () => {
    expect(unionRanges(r([1, 3]), r([4, 6]))).toEqual([1, 6]);
    expect(unionRanges(r([1, 3], [10, 12]), r([5, 6]))).toEqual([1, 3, 5, 6, 10, 12]);
    expect(unionRanges(r([1, 10]), r([2, 3], [5, 20]))).toEqual([1, 20]);
    expect(unionRanges([], r([1, 1]))).toEqual([1, 1]);
  });

  it("subtracts, splitting ranges", () => {
    expect(subtractRanges(r([1, 10]), r([4, 5]))).toEqual([1, 3, 6, 10]);
    expect(subtractRanges(r([1, 10]), r([1, 10]))).toEqual([]);
    expect(subtractRanges(r([1, 10]), r([0, 3], [9, 20]))).toEqual([4, 8]);
    expect(subtractRanges(r([1, 5], [10, 15]), r([3, 12]))).toEqual([1, 2, 13, 15]);
    expect(subtractRanges(r([1, 5]), r([7, 9]))).toEqual([1, 5]);
    expect(subtractRanges(r([1, 3], [5, 7], [9, 11]), r([2, 2], [6, 6], [10, 10]))).toEqual([1, 1, 3, 3, 5, 5, 7, 7, 9, 9, 11, 11]);
  });

  it("tests containment", () => {
    expect(containsRanges(r([1, 10]), r([2, 3], [9, 10]))).toBe(true);
    expect(containsRanges(r([1, 5], [7, 10]), r([4, 8]))).toBe(false);
    expect(containsRanges(r([1, 5]), r([5, 6]))).toBe(false);
    expect(containsRanges(r([1, 5]), [])).toBe(true);
    expect(containsRanges([], r([1, 1]))).toBe(false);
  });

  it("counts and formats", () => {
    expect(rangesCount(r([31000, 32000], [33000, 33100]))).toBe(1001 + 101);
    expect(formatRanges(r([1, 2], [5, 9]), ", ")).toBe("[1-2, 5-9]");
    expect(formatRanges([], ",")).toBe("[]");
    expect(toPairs(r([1, 2], [5, 9]))).toEqual([[1, 2], [5, 9]]);
  });
});
