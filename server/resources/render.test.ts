import { describe, expect, it } from "vitest";
import { Resources } from "./resources";

describe("summary (Mesos legacy JSON resource model)", () => {
  it("always has cpus, gpus, mem and disk", () => {
    expect(Resources.empty().summary()).toEqual({ cpus: 0, disk: 0, gpus: 0, mem: 0 });
  });

  it("sums scalars over roles and formats ranges and sets like Mesos", () => {
    const r = Resources.parse(
      "cpus:4;cpus(eng):0.5;mem:15360;disk:200000;ports:[31000-32000];ports(eng):[33000-34000];zones:{a,b}",
    );
    const summary = r.summary();
    expect(summary).toEqual({
      cpus: 4.5,
      disk: 200000,
      gpus: 0,
      mem: 15360,
      ports: "[31000-32000, 33000-34000]",
      zones: "{a, b}",
    });
    expect(JSON.stringify(summary)).toBe(
      '{"cpus":4.5,"disk":200000,"gpus":0,"mem":15360,"ports":"[31000-32000, 33000-34000]","zones":"{a, b}"}',
    );
  });

  it("coalesces ranges and rounds scalars", () => {
    const r = Resources.parse("ports:[1-5];ports(eng):[6-9];cpus:0.1;cpus(x):0.2");
    expect(r.summary()).toMatchObject({ ports: "[1-9]", cpus: 0.3 });
  });

  it("puts revocable resources under <name>_revocable", () => {
    const r = Resources.from([
      { name: "cpus", type: "SCALAR", scalar: { value: 2 } },
      { name: "cpus", type: "SCALAR", scalar: { value: 1.5 }, revocable: {} },
      { name: "ports", type: "RANGES", ranges: { range: [{ begin: 1, end: 2 }] }, revocable: {} },
    ]);
    expect(r.summary()).toEqual({ cpus: 2, cpus_revocable: 1.5, disk: 0, gpus: 0, mem: 0, ports_revocable: "[1-2]" });
    expect(Object.keys(r.summary())).toEqual(["cpus", "cpus_revocable", "disk", "gpus", "mem", "ports_revocable"]);
  });

  it("orders keys bytewise like Mesos's std::map", () => {
    const r = Resources.parse("Zeta:1;alpha:2;cpus:1");
    expect(Object.keys(r.summary())).toEqual(["Zeta", "alpha", "cpus", "disk", "gpus", "mem"]);
  });
});

describe("toString", () => {
  it("renders the text form with roles", () => {
    const r = Resources.parse("cpus:2;mem:1024;ports:[31000-32000,33000-34000];cpus(eng):1;s:{a,b}");
    expect(r.toString()).toBe("cpus:2;mem:1024;ports:[31000-32000,33000-34000];cpus(eng):1;s:{a,b}");
    expect(Resources.empty().toString()).toBe("");
  });

  it("round-trips through parse", () => {
    const text = "cpus:0.125;mem(eng/web):64;ports:[1-2,4-4];s(x):{q}";
    const r = Resources.parse(text);
    expect(Resources.parse(r.toString()).equals(r)).toBe(true);
    expect(`${r}`).toBe(text);
  });

  it("shows the top reservation role of a refined stack", () => {
    const r = Resources.parse("cpus(eng):1").pushReservation({ type: "DYNAMIC", role: "eng/web" });
    expect(r.toString()).toBe("cpus(eng/web):1");
  });
});
