// Indivisible items: persistent volumes, MOUNT disks and shared resources.
import { describe, expect, it } from "vitest";
import type { Resource } from "../protocol/mesos";
import { Resources } from "./resources";

const volume = (id: string, size = 10, extra: Partial<Resource> = {}): Resource => ({
  name: "disk",
  type: "SCALAR",
  scalar: { value: size },
  reservations: [{ type: "DYNAMIC", role: "eng" }],
  disk: { persistence: { id }, volume: { mode: "RW", container_path: "data" } },
  ...extra,
});
const mount = (root: string, size: number): Resource => ({
  name: "disk",
  type: "SCALAR",
  scalar: { value: size },
  disk: { source: { type: "MOUNT", mount: { root } } },
});

describe("persistent volumes", () => {
  it("are not merged with each other or with plain disk", () => {
    const r = Resources.from([volume("v1"), volume("v2"), { name: "disk", type: "SCALAR", scalar: { value: 5 }, reservations: [{ type: "DYNAMIC", role: "eng" }] }]);
    expect(r.size).toBe(3);
    expect(r.scalar("disk")).toBe(25);
    expect(r.persistentVolumes().size).toBe(2);
  });

  it("identical copies are kept as separate wire items", () => {
    const r = Resources.from([volume("v1"), volume("v1")]);
    expect(r.toArray()).toHaveLength(2);
    expect(r.scalar("disk")).toBe(20);
    expect(r.subtract(Resources.from([volume("v1")])).toArray()).toEqual([volume("v1")]);
  });

  it("subtract only whole, identical volumes", () => {
    const r = Resources.from([volume("v1", 10)]);
    expect(r.subtract(Resources.from([volume("v1", 4)])).equals(r)).toBe(true);
    expect(r.subtract(Resources.from([volume("v1", 10)])).isEmpty()).toBe(true);
    expect(r.contains(Resources.from([volume("v1", 4)]))).toBe(false);
    expect(r.contains(Resources.from([volume("v1", 10)]))).toBe(true);
    expect(r.contains(Resources.from([volume("v1"), volume("v1")]))).toBe(false);
  });

  it("round-trip through the wire form", () => {
    const wire = [volume("v1"), volume("v2", 3)];
    expect(Resources.from(wire).toArray()).toEqual(wire);
  });

  it("volumes with equal ids but different disk info differ", () => {
    const a = volume("v1");
    const b = volume("v1", 10, { disk: { persistence: { id: "v1" }, volume: { mode: "RO", container_path: "data" } } });
    expect(Resources.from([a]).equals(Resources.from([b]))).toBe(false);
  });
});

describe("MOUNT disks", () => {
  it("are indivisible", () => {
    const r = Resources.from([mount("/mnt/a", 100), mount("/mnt/b", 100)]);
    expect(r.size).toBe(2);
    expect(r.contains(Resources.from([mount("/mnt/a", 50)]))).toBe(false);
    expect(r.subtract(Resources.from([mount("/mnt/a", 50)])).equals(r)).toBe(true);
    expect(r.subtract(Resources.from([mount("/mnt/a", 100)])).toArray()).toEqual([mount("/mnt/b", 100)]);
  });

  it("PATH disks are divisible", () => {
    const path: Resource = { ...mount("/p", 100), disk: { source: { type: "PATH", path: { root: "/p" } } } };
    const r = Resources.from([path]);
    expect(r.subtract(Resources.from([{ ...path, scalar: { value: 40 } }])).scalar("disk")).toBe(60);
  });
});

describe("shared resources", () => {
  const shared = volume("s1", 10, { shared: {} });

  it("count copies but appear once on the wire", () => {
    const once = Resources.from([shared]);
    const twice = once.add(once);
    expect(twice.toArray()).toEqual([shared]);
    expect(twice.equals(once)).toBe(false);
    expect(twice.contains(once)).toBe(true);
    expect(once.contains(twice)).toBe(false);
    expect(twice.subtract(once).equals(once)).toBe(true);
    expect(twice.subtract(twice).isEmpty()).toBe(true);
    expect(twice.scalar("disk")).toBe(10);
    expect(twice.quantities().get("disk")).toBe(10);
  });

  it("are distinct from the unshared volume", () => {
    const r = Resources.from([shared, volume("s1")]);
    expect(r.size).toBe(2);
    expect(r.shared().toArray()).toEqual([shared]);
  });
});
