import { describe, expect, it } from "vitest";
import type { Resource } from "../protocol/mesos";
import { Resources, findSubset } from "./resources";

const R = (text: string, role?: string) => Resources.parse(text, role);

describe("Resources construction", () => {
  it("empty", () => {
    expect(Resources.empty().isEmpty()).toBe(true);
    expect(Resources.empty().toArray()).toEqual([]);
    expect(Resources.from([]).isEmpty()).toBe(true);
    expect(R("cpus:0").isEmpty()).toBe(true);
  });

  it("from() normalizes legacy input and merges addable items", () => {
    const r = Resources.from([
      { name: "cpus", type: "SCALAR", scalar: { value: 1 }, role: "eng" },
      { name: "cpus", type: "SCALAR", scalar: { value: 2 }, reservations: [{ type: "STATIC", role: "eng" }] },
      { name: "cpus", type: "SCALAR", scalar: { value: 4 }, role: "*" },
    ]);
    expect(r.toArray()).toEqual([
      { name: "cpus", type: "SCALAR", scalar: { value: 3 }, reservations: [{ type: "STATIC", role: "eng" }] },
      { name: "cpus", type: "SCALAR", scalar: { value: 4 } },
    ]);
  });

  it("from() drops empty and negative values", () => {
    const r = Resources.from([
      { name: "cpus", type: "SCALAR", scalar: { value: -1 } },
      { name: "mem", type: "SCALAR", scalar: { value: 0.0001 } },
      { name: "ports", type: "RANGES", ranges: {} },
      { name: "s", type: "SET", set: { item: [] } },
      { name: "x", type: "SCALAR" },
    ]);
    expect(r.isEmpty()).toBe(true);
  });

  it("toArray returns fresh objects", () => {
    const r = R("cpus(eng):1;ports:[1-2]");
    const first = r.toArray();
    first[0]!.scalar!.value = 99;
    first[0]!.reservations![0]!.role = "x";
    first[1]!.ranges!.range![0]!.begin = 0;
    expect(r.toString()).toBe("cpus(eng):1;ports:[1-2]");
  });

  it("separates items by reservation stack, revocable, allocation, provider", () => {
    const r = Resources.from([
      { name: "cpus", type: "SCALAR", scalar: { value: 1 } },
      { name: "cpus", type: "SCALAR", scalar: { value: 1 }, revocable: {} },
      { name: "cpus", type: "SCALAR", scalar: { value: 1 }, allocation_info: { role: "a" } },
      { name: "cpus", type: "SCALAR", scalar: { value: 1 }, provider_id: { value: "p" } },
      { name: "cpus", type: "SCALAR", scalar: { value: 1 }, reservations: [{ type: "DYNAMIC", role: "a" }] },
      { name: "cpus", type: "SCALAR", scalar: { value: 1 }, reservations: [{ type: "DYNAMIC", role: "a", principal: "x" }] },
      { name: "cpus", type: "SCALAR", scalar: { value: 1 }, reservations: [{ type: "STATIC", role: "a" }] },
    ]);
    expect(r.size).toBe(7);
    expect(r.scalar("cpus")).toBe(7);
  });
});

describe("arithmetic", () => {
  it("adds scalars in fixed point: 0.1 + 0.2 == 0.3", () => {
    const sum = R("cpus:0.1").add(R("cpus:0.2"));
    expect(sum.scalar("cpus")).toBe(0.3);
    expect(sum.equals(R("cpus:0.3"))).toBe(true);
    expect(sum.toArray()).toEqual([{ name: "cpus", type: "SCALAR", scalar: { value: 0.3 } }]);
  });

  it("repeated small additions stay exact", () => {
    let r = Resources.empty();
    for (let i = 0; i < 10; i++) r = r.add(R("cpus:0.1"));
    expect(r.scalar("cpus")).toBe(1);
    for (let i = 0; i < 10; i++) r = r.subtract(R("cpus:0.1"));
    expect(r.isEmpty()).toBe(true);
  });

  it("adds and subtracts mixed resources", () => {
    const a = R("cpus:2;mem:1024;ports:[31000-32000];disks:{a,b}");
    const b = R("cpus:0.5;mem:512;ports:[31000-31010];disks:{b}");
    expect(a.subtract(b).toString()).toBe("cpus:1.5;mem:512;ports:[31011-32000];disks:{a}");
    expect(a.subtract(b).add(b).equals(a)).toBe(true);
    expect(a.add(R("gpus:1")).toString()).toBe("cpus:2;mem:1024;ports:[31000-32000];disks:{a,b};gpus:1");
  });

  it("ranges split on subtract: [1-10] − [4-5] = [1-3,6-10]", () => {
    expect(R("ports:[1-10]").subtract(R("ports:[4-5]")).ranges("ports")).toEqual([[1, 3], [6, 10]]);
  });

  it("ranges coalesce on add", () => {
    expect(R("ports:[1-3]").add(R("ports:[4-6,8-9]")).ranges("ports")).toEqual([[1, 6], [8, 9]]);
  });

  it("sets union and difference", () => {
    expect(R("s:{a,b}").add(R("s:{b,c}")).set("s")).toEqual(["a", "b", "c"]);
    expect(R("s:{a,b,c}").subtract(R("s:{b,x}")).set("s")).toEqual(["a", "c"]);
    expect(R("s:{a}").subtract(R("s:{a}")).isEmpty()).toBe(true);
  });

  it("never produces negatives", () => {
    expect(R("cpus:1").subtract(R("cpus:2")).isEmpty()).toBe(true);
    expect(R("cpus:1;mem:10").subtract(R("cpus:5")).toString()).toBe("mem:10");
    expect(R("ports:[1-5]").subtract(R("ports:[1-100]")).isEmpty()).toBe(true);
  });

  it("subtracts only from the identical identity", () => {
    const a = R("cpus:4;cpus(eng):4");
    expect(a.subtract(R("cpus(eng):1")).toString()).toBe("cpus:4;cpus(eng):3");
    expect(a.subtract(R("cpus(ops):1")).equals(a)).toBe(true);
    expect(a.subtract(R("cpus:1").allocate("eng")).equals(a)).toBe(true);
  });

  it("accepts wire arrays as operands", () => {
    const wire: Resource[] = [{ name: "cpus", type: "SCALAR", scalar: { value: 1 } }];
    expect(R("cpus:2").subtract(wire).scalar("cpus")).toBe(1);
    expect(R("cpus:2").add(wire).scalar("cpus")).toBe(3);
    expect(R("cpus:2").contains(wire)).toBe(true);
  });

  it("is immutable", () => {
    const a = R("cpus:1");
    a.add(R("cpus:1"));
    a.subtract(R("cpus:1"));
    expect(a.scalar("cpus")).toBe(1);
  });
});

describe("contains and equals", () => {
  it("contains per item", () => {
    const a = R("cpus:2;mem:1024;ports:[1-10,20-30];s:{a,b}");
    expect(a.contains(R("cpus:2;mem:1024"))).toBe(true);
    expect(a.contains(R("cpus:2.001"))).toBe(false);
    expect(a.contains(R("ports:[2-3,25-30]"))).toBe(true);
    expect(a.contains(R("ports:[9-21]"))).toBe(false);
    expect(a.contains(R("s:{b}"))).toBe(true);
    expect(a.contains(R("s:{c}"))).toBe(false);
    expect(a.contains(R("gpus:1"))).toBe(false);
    expect(a.contains(Resources.empty())).toBe(true);
    expect(Resources.empty().contains(a)).toBe(false);
  });

  it("reserved resources do not satisfy unreserved demand and vice versa", () => {
    expect(R("cpus(eng):2").contains(R("cpus:1"))).toBe(false);
    expect(R("cpus:2").contains(R("cpus(eng):1"))).toBe(false);
  });

  it("equals ignores order and input format", () => {
    const a = R("cpus:1;mem:2;s:{a,b}");
    const b = Resources.from([
      { name: "s", type: "SET", set: { item: ["b", "a"] } },
      { name: "mem", type: "SCALAR", scalar: { value: 2 } },
      { name: "cpus", type: "SCALAR", scalar: { value: 0.5 }, role: "*" },
      { name: "cpus", type: "SCALAR", scalar: { value: 0.5 } },
    ]);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(R("cpus:1;mem:2"))).toBe(false);
    expect(a.equals(R("cpus:1;mem:2;s:{a,c}"))).toBe(false);
  });

  it("findSubset returns the wanted resources only when available", () => {
    const available = R("cpus:4;mem:1024");
    expect(findSubset(available, R("cpus:1"))?.toString()).toBe("cpus:1");
    expect(findSubset(available, R("cpus:5"))).toBeNull();
  });

  it("works with many items (indexed lookup)", () => {
    const names = Array.from({ length: 40 }, (_, i) => `r${i}:${i + 1}`).join(";");
    const big = R(names);
    expect(big.size).toBe(40);
    const minus = R("r5:1;r39:40;r20:100");
    const left = big.subtract(minus);
    expect(left.size).toBe(38);
    expect(left.scalar("r5")).toBe(5);
    expect(big.contains(R("r39:40;r0:1"))).toBe(true);
    expect(big.contains(R("r39:41"))).toBe(false);
    expect(left.add(minus.subtract(R("r20:79"))).equals(big)).toBe(true);
  });
});

describe("queries", () => {
  const r = R("cpus:1;cpus(eng):2;cpus(eng/web):0.5;mem:10;ports:[1-5];ports(eng):[10-12];s:{a};s(eng):{b}");

  it("scalar sums across roles", () => {
    expect(r.scalar("cpus")).toBe(3.5);
    expect(r.scalar("gpus")).toBe(0);
    expect(r.scalar("ports")).toBe(0);
  });

  it("ranges and set merge across roles", () => {
    expect(r.ranges("ports")).toEqual([[1, 5], [10, 12]]);
    expect(r.ranges("none")).toEqual([]);
    expect(r.set("s")).toEqual(["a", "b"]);
  });

  it("names are distinct and sorted", () => {
    expect(r.names()).toEqual(["cpus", "mem", "ports", "s"]);
  });

  it("quantities: scalars summed, ranges and sets counted", () => {
    expect(Object.fromEntries(r.quantities())).toEqual({ cpus: 3.5, mem: 10, ports: 8, s: 2 });
    expect(R("cpus:0.1;cpus(a):0.2").quantities().get("cpus")).toBe(0.3);
  });
});

describe("filters", () => {
  const r = R("cpus:1;cpus(eng):2;cpus(eng/web):3;cpus(ops):4");

  it("reserved / unreserved", () => {
    expect(r.unreserved().toString()).toBe("cpus:1");
    expect(r.reserved().scalar("cpus")).toBe(9);
    expect(r.reserved("eng").toString()).toBe("cpus(eng):2");
    expect(r.reserved("nobody").isEmpty()).toBe(true);
  });

  it("allocatableTo follows the role hierarchy", () => {
    expect(r.allocatableTo("eng").toString()).toBe("cpus:1;cpus(eng):2");
    expect(r.allocatableTo("eng/web").toString()).toBe("cpus:1;cpus(eng):2;cpus(eng/web):3");
    expect(r.allocatableTo("eng/web/x").scalar("cpus")).toBe(6);
    expect(r.allocatableTo("engineering").toString()).toBe("cpus:1");
    expect(r.allocatableTo("ops").toString()).toBe("cpus:1;cpus(ops):4");
  });

  it("filter sees frozen wire views", () => {
    expect(r.filter((x) => (x.scalar?.value ?? 0) >= 3).scalar("cpus")).toBe(7);
    r.filter((x) => {
      expect(Object.isFrozen(x)).toBe(true);
      return true;
    });
  });

  it("revocable / nonRevocable", () => {
    const mixed = Resources.from([
      { name: "cpus", type: "SCALAR", scalar: { value: 1 } },
      { name: "cpus", type: "SCALAR", scalar: { value: 2 }, revocable: {} },
    ]);
    expect(mixed.revocable().scalar("cpus")).toBe(2);
    expect(mixed.nonRevocable().scalar("cpus")).toBe(1);
  });
});

describe("allocation", () => {
  it("allocate / unallocate / allocations", () => {
    const r = R("cpus:1;mem:2");
    const a = r.allocate("eng");
    expect(a.toArray()).toEqual([
      { name: "cpus", type: "SCALAR", scalar: { value: 1 }, allocation_info: { role: "eng" } },
      { name: "mem", type: "SCALAR", scalar: { value: 2 }, allocation_info: { role: "eng" } },
    ]);
    expect(a.equals(r)).toBe(false);
    expect(a.unallocate().equals(r)).toBe(true);
    const both = a.add(R("cpus:3").allocate("ops")).add(R("gpus:1"));
    const groups = both.allocations();
    expect([...groups.keys()]).toEqual(["eng", "ops"]);
    expect(groups.get("eng")!.equals(a)).toBe(true);
    expect(groups.get("ops")!.toString()).toBe("cpus:3");
  });

  it("re-allocating merges items of different allocation roles", () => {
    const r = R("cpus:1").allocate("a").add(R("cpus:2").allocate("b"));
    expect(r.size).toBe(2);
    expect(r.allocate("c").size).toBe(1);
    expect(r.unallocate().toArray()).toEqual([{ name: "cpus", type: "SCALAR", scalar: { value: 3 } }]);
  });
});

describe("reservations", () => {
  it("push and pop (reserve, refine, unreserve)", () => {
    const r = R("cpus:2;mem:10");
    const reserved = r.pushReservation({ type: "DYNAMIC", role: "eng", principal: "p" });
    expect(reserved.toArray()[0]).toEqual({
      name: "cpus",
      type: "SCALAR",
      scalar: { value: 2 },
      reservations: [{ type: "DYNAMIC", role: "eng", principal: "p" }],
    });
    const refined = reserved.pushReservation({ type: "DYNAMIC", role: "eng/web" });
    expect(refined.reserved("eng/web").scalar("cpus")).toBe(2);
    expect(refined.popReservation().equals(reserved)).toBe(true);
    expect(refined.popReservation().popReservation().equals(r)).toBe(true);
    expect(refined.toUnreserved().equals(r)).toBe(true);
  });

  it("push rejects invalid stacks; pop rejects unreserved items", () => {
    const eng = R("cpus(eng):1");
    expect(() => eng.pushReservation({ type: "DYNAMIC", role: "ops" })).toThrow(/not a refinement/);
    expect(() => eng.pushReservation({ type: "STATIC", role: "eng/x" })).toThrow(/must be DYNAMIC/);
    expect(() => R("cpus:1").pushReservation({ type: "DYNAMIC", role: "*" })).toThrow(/cannot be reserved/);
    expect(() => R("cpus:1").popReservation()).toThrow(/unreserved/);
  });

  it("dynamic reservations with identical info merge; different labels do not", () => {
    const labels = { labels: [{ key: "k", value: "v" }] };
    const a = R("cpus:1").pushReservation({ type: "DYNAMIC", role: "eng", labels });
    const b = R("cpus:2").pushReservation({ type: "DYNAMIC", role: "eng", labels: { labels: [{ key: "k", value: "v" }] } });
    const c = R("cpus:4").pushReservation({ type: "DYNAMIC", role: "eng" });
    expect(a.add(b).size).toBe(1);
    expect(a.add(b).scalar("cpus")).toBe(3);
    expect(a.add(c).size).toBe(2);
  });

  it("toUnreserved merges into the unreserved pool", () => {
    expect(R("cpus:1;cpus(eng):2").toUnreserved().toArray()).toEqual([
      { name: "cpus", type: "SCALAR", scalar: { value: 3 } },
    ]);
  });
});
