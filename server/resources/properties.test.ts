// Property tests: the algebra laws the allocator relies on.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Resource } from "../protocol/mesos";
import { Resources } from "./resources";

const scalarResource: fc.Arbitrary<Resource> = fc
  .record({
    name: fc.constantFrom("cpus", "mem", "gpus"),
    role: fc.constantFrom(undefined, "eng", "eng/web"),
    value: fc.integer({ min: 1, max: 100_000 }).map((milli) => milli / 1000),
  })
  .map(({ name, role, value }) => ({ name, type: "SCALAR", scalar: { value }, ...(role ? { role } : {}) }));

const rangeResource: fc.Arbitrary<Resource> = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 5 })
  .map((pairs) => ({
    name: "ports",
    type: "RANGES",
    ranges: { range: pairs.map(([begin, len]) => ({ begin, end: begin + len })) },
  }));

const setResource: fc.Arbitrary<Resource> = fc
  .uniqueArray(fc.constantFrom("a", "b", "c", "d", "e"), { minLength: 1 })
  .map((item) => ({ name: "zones", type: "SET", set: { item } }));

const resources = fc
  .array(fc.oneof(scalarResource, rangeResource, setResource), { maxLength: 8 })
  .map((list) => Resources.from(list));

describe("Resources laws", () => {
  it("(a + b) − b == a", () => {
    fc.assert(
      fc.property(resources, resources, (a, b) => {
        // Ranges and sets are sets: the law holds when b's points are disjoint from a's.
        const disjointB = b.subtract(a.filter((r) => r.type !== "SCALAR"));
        expect(a.add(disjointB).subtract(disjointB).equals(a)).toBe(true);
      }),
    );
  });

  it("(a + b) − b == a for scalar-only resources", () => {
    const scalars = fc.array(scalarResource, { maxLength: 8 }).map((list) => Resources.from(list));
    fc.assert(
      fc.property(scalars, scalars, (a, b) => {
        expect(a.add(b).subtract(b).equals(a)).toBe(true);
      }),
    );
  });

  it("a ⊇ a − b; a + b ⊇ a and a + b ⊇ b", () => {
    fc.assert(
      fc.property(resources, resources, (a, b) => {
        const diff = a.subtract(b);
        expect(a.contains(diff)).toBe(true);
        expect(a.add(b).contains(a)).toBe(true);
        expect(a.add(b).contains(b)).toBe(true);
      }),
    );
  });

  it("add is commutative and associative; equals is reflexive", () => {
    fc.assert(
      fc.property(resources, resources, resources, (a, b, c) => {
        expect(a.add(b).equals(b.add(a))).toBe(true);
        expect(a.add(b).add(c).equals(a.add(b.add(c)))).toBe(true);
        expect(a.equals(a)).toBe(true);
      }),
    );
  });

  it("a − a is empty; a ⊆ b and b ⊆ a iff a == b", () => {
    fc.assert(
      fc.property(resources, resources, (a, b) => {
        expect(a.subtract(a).isEmpty()).toBe(true);
        expect(a.contains(b) && b.contains(a)).toBe(a.equals(b));
      }),
    );
  });

  it("wire round-trip preserves value; quantities are additive for scalars", () => {
    fc.assert(
      fc.property(resources, resources, (a, b) => {
        expect(Resources.from(a.toArray()).equals(a)).toBe(true);
        const sum = a.add(b);
        for (const name of ["cpus", "mem", "gpus"]) {
          expect(sum.scalar(name)).toBe(Math.round((a.scalar(name) + b.scalar(name)) * 1000) / 1000);
        }
      }),
    );
  });
});
