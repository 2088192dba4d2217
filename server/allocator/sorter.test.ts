// DRF sorter tests in the style of Mesos's sorter tests: plain calls, then the sorted order, with
// the expected shares in a comment.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Resources } from "../resources";
import { scalarsOf, toRecord } from "./quantities";
import { DRFSorter } from "./sorter";

const q = (text: string) => scalarsOf(Resources.parse(text));

function flat(total = "cpus:100;mem:100"): DRFSorter {
  const sorter = new DRFSorter();
  sorter.addTotal(q(total));
  return sorter;
}

function client(sorter: DRFSorter, name: string, allocation?: string): void {
  sorter.add(name, undefined);
  sorter.activate(name);
  if (allocation) sorter.allocated(name, q(allocation));
}

describe("DRFSorter", () => {
  it("orders clients by dominant share", () => {
    const sorter = flat();
    expect(sorter.sort()).toEqual([]);
    client(sorter, "a", "cpus:4;mem:2");
    client(sorter, "b", "cpus:1;mem:7");
    // shares: a = .04, b = .07
    expect(sorter.sort()).toEqual(["a", "b"]);
    expect(sorter.share("a")).toBeCloseTo(0.04);
    expect(sorter.share("b")).toBeCloseTo(0.07);

    client(sorter, "c", "cpus:2;mem:1");
    client(sorter, "d", "cpus:5;mem:5");
    // shares: a = .04, b = .07, c = .02, d = .05
    expect(sorter.sort()).toEqual(["c", "a", "d", "b"]);

    sorter.remove("a");
    sorter.unallocated("b", q("mem:6"));
    // shares: b = .01, c = .02, d = .05
    expect(sorter.sort()).toEqual(["b", "c", "d"]);

    sorter.removeTotal(q("cpus:50"));
    // totals cpus:50;mem:100 — shares: b = .02, c = .04, d = .10
    sorter.allocated("b", q("mem:4"));
    // b = max(1/50, 5/100) = .05
    expect(sorter.sort()).toEqual(["c", "b", "d"]);
    expect(sorter.share("b")).toBeCloseTo(0.05);
    expect(sorter.size).toBe(3);
    expect(sorter.contains("a")).toBe(false);
  });

  it("leaves inactive clients out of the order but keeps their allocation", () => {
    const sorter = flat();
    client(sorter, "a", "cpus:1");
    client(sorter, "b", "cpus:2");
    client(sorter, "c", "cpus:3");
    // shares: a = .01, b = .02, c = .03
    sorter.deactivate("b");
    expect(sorter.sort()).toEqual(["a", "c"]);
    expect(sorter.activeCount).toBe(2);
    sorter.allocated("b", q("cpus:3"));
    sorter.activate("b");
    // b = .05
    expect(sorter.sort()).toEqual(["a", "c", "b"]);
    expect(toRecord(sorter.allocation("b"))).toEqual({ cpus: 5 });
  });

  it("breaks ties by allocation count, then by name", () => {
    const sorter = flat();
    client(sorter, "b");
    client(sorter, "a");
    client(sorter, "c");
    // shares all 0, counts all 0: by name
    expect(sorter.sort()).toEqual(["a", "b", "c"]);
    sorter.allocated("a", q("cpus:1"));
    sorter.unallocated("a", q("cpus:1"));
    // shares all 0; a has been allocated once
    expect(sorter.sort()).toEqual(["b", "c", "a"]);
  });

  it("divides shares by weights", () => {
    const sorter = flat();
    client(sorter, "a", "cpus:10");
    client(sorter, "b", "cpus:15");
    // shares: a = .10, b = .15
    expect(sorter.sort()).toEqual(["a", "b"]);
    sorter.updateWeight("b", 2);
    // weighted shares: a = .10, b = .075
    expect(sorter.sort()).toEqual(["b", "a"]);
    expect(sorter.share("b")).toBeCloseTo(0.075);
    expect(sorter.dominantShare("b")).toBeCloseTo(0.15);
  });

  it("sorts a role tree level by level (hierarchical DRF)", () => {
    const sorter = new DRFSorter({ hierarchical: true });
    sorter.addTotal(q("cpus:100;mem:100"));
    client(sorter, "eng/backend", "cpus:10");
    client(sorter, "eng/frontend", "cpus:2");
    client(sorter, "ops", "cpus:8");
    // eng = .12 (subtree), ops = .08; inside eng: frontend = .02, backend = .10
    expect(sorter.sort()).toEqual(["ops", "eng/frontend", "eng/backend"]);
    expect(sorter.share("eng", true)).toBeCloseTo(0.12);

    sorter.updateWeight("eng", 2);
    // weighted: eng = .06, ops = .08
    expect(sorter.sort()).toEqual(["eng/frontend", "eng/backend", "ops"]);
  });

  it("keeps a role with children as a virtual leaf beside them", () => {
    const sorter = new DRFSorter({ hierarchical: true });
    sorter.addTotal(q("cpus:100"));
    client(sorter, "a", "cpus:5");
    client(sorter, "b", "cpus:7");
    // a = .05, b = .07
    expect(sorter.sort()).toEqual(["a", "b"]);
    client(sorter, "a/x", "cpus:1");
    // subtree a = .06 < b = .07; inside a: a/x = .01, a (itself) = .05
    expect(sorter.sort()).toEqual(["a/x", "a", "b"]);
    sorter.allocated("a/x", q("cpus:3"));
    // subtree a = .09 > b = .07; inside a: a/x = .04, a = .05
    expect(sorter.sort()).toEqual(["b", "a/x", "a"]);
    sorter.remove("a/x");
    // subtree a = .05
    expect(sorter.sort()).toEqual(["a", "b"]);
    expect(sorter.share("a", true)).toBeCloseTo(0.05);
  });

  it("re-sorts everything when the totals change", () => {
    const sorter = flat("cpus:10;mem:1000");
    client(sorter, "cpu-heavy", "cpus:5;mem:10");
    client(sorter, "mem-heavy", "cpus:1;mem:400");
    // cpu-heavy = .5, mem-heavy = .4
    expect(sorter.sort()).toEqual(["mem-heavy", "cpu-heavy"]);
    sorter.addTotal(q("cpus:90"));
    // cpus:100;mem:1000 — cpu-heavy = .05, mem-heavy = .4
    expect(sorter.sort()).toEqual(["cpu-heavy", "mem-heavy"]);
  });

  it("agrees with a full sort under any sequence of updates (property)", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("alloc" as const), c: fc.nat(299), cpus: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant("free" as const), c: fc.nat(299), cpus: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant("toggle" as const), c: fc.nat(299), cpus: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(op, { maxLength: 400 }), (n, ops) => {
        const sorter = flat("cpus:1000");
        const alloc = new Map<string, number>();
        const count = new Map<string, number>();
        const active = new Set<string>();
        const names = Array.from({ length: n }, (_, i) => `c${(i * 7919) % 1000}`);
        for (const name of names) {
          client(sorter, name);
          alloc.set(name, 0);
          count.set(name, 0);
          active.add(name);
        }
        for (const o of ops) {
          const name = names[o.c % n]!;
          if (o.kind === "alloc") {
            sorter.allocated(name, q(`cpus:${o.cpus}`));
            alloc.set(name, alloc.get(name)! + o.cpus);
            count.set(name, count.get(name)! + 1);
          } else if (o.kind === "free") {
            const amount = Math.min(o.cpus, alloc.get(name)!);
            if (amount > 0) sorter.unallocated(name, q(`cpus:${amount}`));
            alloc.set(name, alloc.get(name)! - amount);
          } else if (active.has(name)) {
            sorter.deactivate(name);
            active.delete(name);
          } else {
            sorter.activate(name);
            active.add(name);
          }
        }
        const expected = [...active].sort((a, b) => alloc.get(a)! - alloc.get(b)! || count.get(a)! - count.get(b)! || (a < b ? -1 : 1));
        expect(sorter.sort()).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });
});
