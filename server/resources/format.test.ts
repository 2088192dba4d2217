import { describe, expect, it } from "vitest";
import type { Resource } from "../protocol/mesos";
import {
  isAllocatableTo, isDynamicallyReserved, isPersistentVolume, isReserved, isRevocable, isShared, isUnreserved,
  normalizeResource, reservationRole, toLegacyFormat, toRefinedFormat,
} from "./format";

const base = { name: "cpus", type: "SCALAR", scalar: { value: 1 } } as const satisfies Resource;
const labels = { labels: [{ key: "k", value: "v" }] };

describe("normalizeResource", () => {
  it("unreserved: drops role '*' and empty reservations", () => {
    expect(normalizeResource({ ...base, role: "*" })).toEqual(base);
    expect(normalizeResource({ ...base, reservations: [] })).toEqual(base);
    expect(normalizeResource(base)).toEqual(base);
  });

  it("legacy role without reservation ⇒ STATIC", () => {
    expect(normalizeResource({ ...base, role: "eng" })).toEqual({
      ...base,
      reservations: [{ type: "STATIC", role: "eng" }],
    });
  });

  it("legacy role with reservation ⇒ DYNAMIC with principal and labels", () => {
    expect(normalizeResource({ ...base, role: "eng", reservation: { principal: "p", labels } })).toEqual({
      ...base,
      reservations: [{ type: "DYNAMIC", role: "eng", principal: "p", labels }],
    });
    expect(normalizeResource({ ...base, role: "eng", reservation: {} })).toEqual({
      ...base,
      reservations: [{ type: "DYNAMIC", role: "eng" }],
    });
  });

  it("keeps an existing stack and drops the legacy fields", () => {
    const reservations = [{ type: "STATIC" as const, role: "eng" }];
    expect(normalizeResource({ ...base, role: "eng", reservations })).toEqual({ ...base, reservations });
  });

  it("does not mutate its input", () => {
    const input: Resource = { ...base, role: "eng" };
    normalizeResource(input);
    expect(input).toEqual({ ...base, role: "eng" });
  });
});

describe("format round-trips", () => {
  const cases: [string, Resource, Resource][] = [
    ["unreserved", { ...base, role: "*" }, base],
    ["static", { ...base, role: "eng" }, { ...base, reservations: [{ type: "STATIC", role: "eng" }] }],
    [
      "dynamic",
      { ...base, role: "eng", reservation: { principal: "p", labels } },
      { ...base, reservations: [{ type: "DYNAMIC", role: "eng", principal: "p", labels }] },
    ],
    ["dynamic, no principal", { ...base, role: "eng", reservation: {} }, { ...base, reservations: [{ type: "DYNAMIC", role: "eng" }] }],
  ];

  it.each(cases)("%s: legacy ⇄ refined", (_name, legacy, refined) => {
    expect(toRefinedFormat(legacy)).toEqual(refined);
    expect(toLegacyFormat(refined)).toEqual(legacy);
    expect(toLegacyFormat(legacy)).toEqual(legacy);
    expect(toRefinedFormat(toLegacyFormat(refined)!)).toEqual(refined);
  });

  it("a refined stack cannot be expressed in the legacy format", () => {
    const refined: Resource = {
      ...base,
      reservations: [
        { type: "STATIC", role: "eng" },
        { type: "DYNAMIC", role: "eng/web" },
      ],
    };
    expect(toLegacyFormat(refined)).toBeNull();
    expect(toRefinedFormat(refined)).toEqual(refined);
  });

  it("rounds scalars and keeps other fields", () => {
    const r: Resource = { ...base, scalar: { value: 0.33333 }, allocation_info: { role: "eng" }, revocable: {} };
    expect(toRefinedFormat(r)).toEqual({ ...r, scalar: { value: 0.333 } });
    expect(toLegacyFormat(r)).toEqual({ ...r, scalar: { value: 0.333 }, role: "*" });
  });
});

describe("predicates", () => {
  const unreserved = base;
  const staticEng: Resource = { ...base, reservations: [{ type: "STATIC", role: "eng" }] };
  const dynamicWeb: Resource = {
    ...base,
    reservations: [
      { type: "STATIC", role: "eng" },
      { type: "DYNAMIC", role: "eng/web" },
    ],
  };
  const legacyDynamic: Resource = { ...base, role: "eng", reservation: {} };

  it("reservationRole is the top of the stack or '*'", () => {
    expect(reservationRole(unreserved)).toBe("*");
    expect(reservationRole({ ...base, role: "*" })).toBe("*");
    expect(reservationRole(staticEng)).toBe("eng");
    expect(reservationRole(dynamicWeb)).toBe("eng/web");
    expect(reservationRole(legacyDynamic)).toBe("eng");
  });

  it("isReserved with and without a role", () => {
    expect(isReserved(unreserved)).toBe(false);
    expect(isUnreserved(unreserved)).toBe(true);
    expect(isReserved(staticEng)).toBe(true);
    expect(isReserved(staticEng, "eng")).toBe(true);
    expect(isReserved(staticEng, "ops")).toBe(false);
    expect(isReserved(dynamicWeb, "eng")).toBe(false);
    expect(isReserved({ ...base, role: "eng" }, "eng")).toBe(true);
  });

  it("isDynamicallyReserved looks at the top reservation", () => {
    expect(isDynamicallyReserved(staticEng)).toBe(false);
    expect(isDynamicallyReserved(dynamicWeb)).toBe(true);
    expect(isDynamicallyReserved(legacyDynamic)).toBe(true);
    expect(isDynamicallyReserved({ ...base, role: "eng" })).toBe(false);
    expect(isDynamicallyReserved(unreserved)).toBe(false);
  });

  it("isAllocatableTo: unreserved, own role, or a subrole of the reservation role", () => {
    expect(isAllocatableTo(unreserved, "any")).toBe(true);
    expect(isAllocatableTo(staticEng, "eng")).toBe(true);
    expect(isAllocatableTo(staticEng, "eng/web")).toBe(true);
    expect(isAllocatableTo(staticEng, "ops")).toBe(false);
    expect(isAllocatableTo(dynamicWeb, "eng")).toBe(false);
    expect(isAllocatableTo(dynamicWeb, "eng/web/x")).toBe(true);
  });

  it("persistent volumes, revocable and shared", () => {
    const volume: Resource = {
      name: "disk",
      type: "SCALAR",
      scalar: { value: 10 },
      reservations: [{ type: "DYNAMIC", role: "eng" }],
      disk: { persistence: { id: "v1" }, volume: { mode: "RW", container_path: "data" } },
      shared: {},
    };
    expect(isPersistentVolume(volume)).toBe(true);
    expect(isShared(volume)).toBe(true);
    expect(isPersistentVolume({ ...volume, disk: {} })).toBe(false);
    expect(isRevocable({ ...base, revocable: {} })).toBe(true);
    expect(isRevocable(base)).toBe(false);
    expect(isShared(base)).toBe(false);
  });
});
