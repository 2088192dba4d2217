import { describe, expect, it } from "vitest";
import { Resources } from "../resources";
import { FilterIndex } from "./filter-index";

const R = Resources.parse("cpus:2;mem:512");

describe("FilterIndex", () => {
  it("marks full filters until they expire", () => {
    const f = new FilterIndex();
    f.ensureCapacity(4, 40);
    f.addFull(33, 2, 5000);
    f.addFull(33, 3, 9000);
    expect(f.isMarked(33, 2)).toBe(true);
    expect(f.isMarked(32, 2)).toBe(false);
    f.expire(4999);
    expect(f.isMarked(33, 2)).toBe(true);
    f.expire(5000);
    expect(f.isMarked(33, 2)).toBe(false);
    expect(f.isMarked(33, 3)).toBe(true);
    expect(f.count(33)).toBe(1);
    f.expire(9000);
    expect(f.count(33)).toBe(0);
  });

  it("lets a new filter replace one voided by agent growth, not extend it", () => {
    const f = new FilterIndex();
    f.ensureCapacity(1, 1);
    f.addFull(0, 0, 1e15);
    f.unmarkAgent(0);
    f.addFull(0, 0, 5000);
    f.expire(5000);
    expect(f.isMarked(0, 0)).toBe(false);
  });

  it("checks partial filters exactly and expires them", () => {
    const f = new FilterIndex();
    f.ensureCapacity(4, 4);
    f.addPartial(1, 2, { resources: R, expiresAt: 5000 });
    expect(f.hasPartial(1)).toBe(true);
    expect(f.isMarked(1, 2)).toBe(false);
    expect(f.partialFilter(1, 2, Resources.parse("cpus:1"), 4999)).toBeDefined();
    expect(f.partialFilter(1, 2, Resources.parse("cpus:3"), 4999)).toBeUndefined();
    f.expire(5000);
    expect(f.hasPartial(1)).toBe(false);
  });

  it("keeps marks through growth (sparse → dense, more rows, more clients) and clears per agent and client", () => {
    const f = new FilterIndex();
    f.ensureCapacity(64, 2);
    for (let a = 0; a < 20; a++) f.addFull(1, a, 1e15); // > rows/8: becomes dense
    f.ensureCapacity(1000, 100);
    for (let a = 0; a < 20; a++) expect(f.isMarked(1, a)).toBe(true);
    f.addFull(99, 999, 1e15);
    expect(f.isMarked(99, 999)).toBe(true);
    f.clearAgent(5);
    expect(f.isMarked(1, 5)).toBe(false);
    expect(f.count(1)).toBe(19);
    f.clearClient(1);
    expect(f.isMarked(1, 6)).toBe(false);
    expect(f.count(1)).toBe(0);
    f.unmarkAgent(999);
    expect(f.isMarked(99, 999)).toBe(false);
  });
});
