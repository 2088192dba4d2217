import { describe, expect, it } from "vitest";
import type { Resource } from "../protocol/mesos";
import { validateReservationStack, validateResource, validateResources } from "./validate";

const cpus = (extra: Partial<Resource> = {}): Resource => ({ name: "cpus", type: "SCALAR", scalar: { value: 1 }, ...extra });
const volume = (extra: Partial<Resource> = {}): Resource => ({
  name: "disk",
  type: "SCALAR",
  scalar: { value: 10 },
  reservations: [{ type: "DYNAMIC", role: "eng" }],
  disk: { persistence: { id: "v1" }, volume: { mode: "RW", container_path: "data" } },
  ...extra,
});

describe("validateResource: values", () => {
  it("accepts valid resources of every type", () => {
    expect(validateResource(cpus())).toBeNull();
    expect(validateResource(cpus({ scalar: { value: 0 } }))).toBeNull();
    expect(validateResource({ name: "ports", type: "RANGES", ranges: { range: [{ begin: 1, end: 2 }, { begin: 4, end: 4 }] } })).toBeNull();
    expect(validateResource({ name: "ports", type: "RANGES", ranges: {} })).toBeNull();
    expect(validateResource({ name: "s", type: "SET", set: { item: ["a", "b"] } })).toBeNull();
  });

  it("requires a name", () => {
    expect(validateResource(cpus({ name: "" }))).toBe("Empty resource name");
  });

  it("requires exactly the field matching the type", () => {
    expect(validateResource(cpus({ scalar: undefined }))).toMatch(/'scalar' field must be set/);
    expect(validateResource(cpus({ set: { item: [] } }))).toMatch(/'scalar' field must be set/);
    expect(validateResource({ name: "p", type: "RANGES", scalar: { value: 1 } })).toMatch(/'ranges' field/);
    expect(validateResource({ name: "s", type: "SET", ranges: {} })).toMatch(/'set' field/);
    expect(validateResource({ name: "t", type: "TEXT" } as unknown as Resource)).toMatch(/Unsupported resource type 'TEXT'/);
  });

  it("rejects negative and non-finite scalars", () => {
    expect(validateResource(cpus({ scalar: { value: -0.5 } }))).toBe("Invalid scalar resource 'cpus': value < 0");
    expect(validateResource(cpus({ scalar: { value: Infinity } }))).toMatch(/finite/);
    expect(validateResource(cpus({ scalar: { value: NaN } }))).toMatch(/finite/);
  });

  it("rejects inverted, overlapping and non-integer ranges", () => {
    const ports = (range: { begin: number; end: number }[]): Resource => ({ name: "ports", type: "RANGES", ranges: { range } });
    expect(validateResource(ports([{ begin: 5, end: 1 }]))).toMatch(/begin > end/);
    expect(validateResource(ports([{ begin: 5, end: 10 }, { begin: 1, end: 5 }]))).toMatch(/overlapping ranges/);
    expect(validateResource(ports([{ begin: 1, end: 10 }, { begin: 3, end: 4 }]))).toMatch(/overlapping ranges/);
    expect(validateResource(ports([{ begin: 1.5, end: 2 }]))).toMatch(/non-negative integers/);
  });

  it("rejects duplicate set items", () => {
    expect(validateResource({ name: "s", type: "SET", set: { item: ["a", "a"] } })).toMatch(/duplicated elements/);
  });
});

describe("validateResource: reservations", () => {
  it("accepts both formats", () => {
    expect(validateResource(cpus({ role: "eng" }))).toBeNull();
    expect(validateResource(cpus({ role: "eng", reservation: { principal: "p" } }))).toBeNull();
    expect(validateResource(cpus({ reservations: [{ type: "STATIC", role: "eng" }] }))).toBeNull();
    expect(
      validateResource(cpus({ reservations: [{ type: "DYNAMIC", role: "eng" }, { type: "DYNAMIC", role: "eng/web" }] })),
    ).toBeNull();
  });

  it("checks legacy roles and reservations", () => {
    expect(validateResource(cpus({ role: "a//b" }))).toMatch(/empty component/);
    expect(validateResource(cpus({ role: "*", reservation: {} }))).toMatch(/'\*' cannot be reserved/);
    expect(validateResource(cpus({ reservation: {} }))).toMatch(/'\*' cannot be reserved/);
    expect(validateResource(cpus({ role: "eng", reservation: { role: "eng" } }))).toMatch(/must not be set in 'reservation'/);
  });

  it("legacy fields alongside a stack must agree with it", () => {
    const reservations = [{ type: "DYNAMIC" as const, role: "eng" }];
    expect(validateResource(cpus({ reservations, role: "eng", reservation: {} }))).toBeNull();
    expect(validateResource(cpus({ reservations, role: "ops" }))).toMatch(/'role' does not match/);
    expect(
      validateResource(cpus({ reservations: [{ type: "STATIC", role: "eng" }], reservation: {} })),
    ).toMatch(/'reservation' does not match/);
  });

  it("checks the refined stack", () => {
    expect(validateReservationStack([{ role: "eng" }])).toMatch(/'type' must be/);
    expect(validateReservationStack([{ type: "UNKNOWN", role: "eng" }])).toMatch(/'type' must be/);
    expect(validateReservationStack([{ type: "STATIC" }])).toMatch(/'role' must be set/);
    expect(validateReservationStack([{ type: "STATIC", role: "*" }])).toMatch(/'\*' cannot be reserved/);
    expect(validateReservationStack([{ type: "STATIC", role: "-x" }])).toMatch(/start with '-'/);
    expect(
      validateReservationStack([{ type: "STATIC", role: "eng" }, { type: "STATIC", role: "eng/web" }]),
    ).toMatch(/must be DYNAMIC/);
    expect(
      validateReservationStack([{ type: "DYNAMIC", role: "eng" }, { type: "DYNAMIC", role: "ops" }]),
    ).toBe("role 'ops' is not a refinement of 'eng'");
    expect(
      validateReservationStack([{ type: "DYNAMIC", role: "eng" }, { type: "DYNAMIC", role: "eng" }]),
    ).toMatch(/not a refinement/);
    expect(
      validateReservationStack([
        { type: "STATIC", role: "a" },
        { type: "DYNAMIC", role: "a/b" },
        { type: "DYNAMIC", role: "a/c" },
      ]),
    ).toMatch(/'a\/c' is not a refinement of 'a\/b'/);
    expect(validateResource(cpus({ reservations: [{ type: "DYNAMIC", role: "eng" }, { type: "DYNAMIC", role: "ops" }] }))).toMatch(
      /Invalid reservation for resource 'cpus'/,
    );
  });
});

describe("validateResource: disk, revocable, shared", () => {
  it("accepts a reserved persistent volume, shared or not", () => {
    expect(validateResource(volume())).toBeNull();
    expect(validateResource(volume({ shared: {} }))).toBeNull();
    expect(validateResource(volume({ reservations: undefined, role: "eng" }))).toBeNull();
  });

  it("persistence requires a volume and a reservation", () => {
    expect(validateResource(volume({ disk: { persistence: { id: "v" } } }))).toMatch(/'volume' set/);
    expect(validateResource(volume({ reservations: undefined }))).toMatch(/unreserved/);
  });

  it("DiskInfo only on disk resources", () => {
    expect(validateResource(cpus({ disk: {} }))).toMatch(/DiskInfo must not be set for 'cpus'/);
  });

  it("revocable resources cannot carry disk info or reservations", () => {
    expect(validateResource(cpus({ revocable: {} }))).toBeNull();
    expect(validateResource(cpus({ revocable: {}, role: "eng" }))).toMatch(/cannot be reserved/);
    expect(validateResource(cpus({ revocable: {}, reservations: [{ type: "DYNAMIC", role: "eng" }] }))).toMatch(
      /cannot be reserved/,
    );
    expect(validateResource({ name: "disk", type: "SCALAR", scalar: { value: 1 }, revocable: {}, disk: {} })).toMatch(
      /cannot have DiskInfo/,
    );
  });

  it("only persistent volumes can be shared", () => {
    expect(validateResource(cpus({ shared: {} }))).toBe("Only persistent volumes can be shared");
  });
});

describe("validateResources", () => {
  it("returns the first error", () => {
    expect(validateResources([cpus(), volume()])).toBeNull();
    expect(validateResources([cpus(), cpus({ name: "" }), cpus({ scalar: { value: -1 } })])).toBe("Empty resource name");
    expect(validateResources([])).toBeNull();
  });
});
