// The /master/tasks page selection: the same as sorting everything, stable.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { firstK } from "./state";

describe("firstK", () => {
  it("equals a stable full sort cut to k", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), fc.nat({ max: 40 }), (keys, k) => {
        const items = keys.map((key, i) => ({ key, i }));
        const order = (a: { key: number }, b: { key: number }) => a.key - b.key;
        expect(firstK(items, k, order)).toEqual(items.slice().sort(order).slice(0, k));
      }),
    );
  });
});
