import { describe, expect, it } from "vitest";
import { fromMilli, toFixed3, toMilli } from "./fixed";

describe("fixed-point scalars", () => {
  it("rounds to 3 decimal places", () => {
    expect(toFixed3(0.1234)).toBe(0.123);
    expect(toFixed3(0.1235)).toBe(0.124);
    expect(toFixed3(1024.5)).toBe(1024.5);
    expect(toFixed3(0.0004)).toBe(0);
    expect(toFixed3(2)).toBe(2);
  });

  it("uses integer thousandths", () => {
    expect(toMilli(0.1)).toBe(100);
    expect(toMilli(0.1 + 0.2)).toBe(300);
    expect(fromMilli(toMilli(0.1) + toMilli(0.2))).toBe(0.3);
    expect(fromMilli(toMilli(0.7) - toMilli(0.1))).toBe(0.6);
  });

  it("rounds halves away from zero and never yields -0", () => {
    expect(toMilli(-0.0004)).toBe(0);
    expect(Object.is(toMilli(-0.0004), 0)).toBe(true);
    expect(toMilli(-0.0015)).toBe(-2);
    expect(toMilli(0.0015)).toBe(2);
  });
});
