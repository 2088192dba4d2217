// Resource conversions of RESERVE / UNRESERVE / CREATE / DESTROY and the agent's total with its
// checkpointed resources applied.
import { describe, expect, it } from "vitest";
import type { Resource } from "../protocol/mesos";
import {
  applyCheckpointed, applyConversion, checkpointedPart, createConversion, destroyConversion, reserveConversion, unreserveConversion,
} from "./checkpointed";
import { Resources } from "./resources";

const labels = { labels: [{ key: "team", value: "db" }] };
const dyn = (role: string, extra: object = {}) => ({ type: "DYNAMIC" as const, role, ...extra });
const r = (name: string, value: number, reservations: Resource["reservations"] = undefined, extra: Partial<Resource> = {}): Resource => ({
  name, type: "SCALAR", scalar: { value }, ...(reservations ? { reservations } : {}), ...extra,
});
const vol = (id: string, mb: number, reservations: Resource["reservations"]) => r("disk", mb, reservations, { disk: { persistence: { id }, volume: { mode: "RW", container_path: "data" } } });

describe("conversions", () => {
  it("RESERVE pushes one reservation (labels kept), UNRESERVE pops it; refinement pops to the parent", () => {
    const to = Resources.from([r("cpus", 2, [dyn("eng", { labels })])]);
    const c = reserveConversion(to);
    expect(c.from.toString()).toBe("cpus:2");
    expect(applyConversion(Resources.parse("cpus:4"), c)!.toArray()).toEqual([r("cpus", 2), r("cpus", 2, [dyn("eng", { labels })])]);
    expect(unreserveConversion(to).to.equals(Resources.parse("cpus:2"))).toBe(true);
    const refined = Resources.from([r("cpus", 1, [{ type: "STATIC", role: "eng" }, dyn("eng/web")])]);
    expect(reserveConversion(refined).from.equals(Resources.from([r("cpus", 1, [{ type: "STATIC", role: "eng" }])]))).toBe(true);
    expect(() => reserveConversion(Resources.parse("cpus:1"))).toThrow(/unreserve/);
  });

  it("CREATE turns reserved disk into a volume; DESTROY turns it back; a conversion that does not fit is null", () => {
    const volumes = Resources.from([vol("v1", 100, [dyn("eng")])]);
    const create = createConversion(volumes);
    expect(create.from.equals(Resources.from([r("disk", 100, [dyn("eng")])]))).toBe(true);
    const pool = Resources.from([r("disk", 300, [dyn("eng")])]);
    const after = applyConversion(pool, create)!;
    expect(after.persistentVolumes().equals(volumes)).toBe(true);
    expect(after.scalar("disk")).toBe(300);
    expect(applyConversion(after, destroyConversion(volumes))!.equals(pool)).toBe(true);
    expect(applyConversion(Resources.parse("disk:300"), create)).toBeNull(); // unreserved disk
  });
});

describe("checkpointed resources", () => {
  const statics = Resources.parse("cpus:4;mem:1024;disk:1000;cpus(ops):1");

  it("only dynamic reservations and volumes are checkpointed (static reservations come from --resources)", () => {
    const total = statics.add(Resources.from([r("mem", 64, [dyn("ops")]), vol("v", 10, [{ type: "STATIC", role: "ops" }])]));
    expect(checkpointedPart(total).toString()).toBe("mem(ops):64;disk(ops):10");
  });

  it("applies them to the static resources, volumes on static reservations included", () => {
    const staticDisk = Resources.parse("disk(ops):500;cpus:2");
    const applied = applyCheckpointed(staticDisk, Resources.from([vol("v", 100, [{ type: "STATIC", role: "ops" }]), r("cpus", 1, [dyn("ops")])]));
    expect(applied.ok).toBe(true);
    if (applied.ok) {
      expect(applied.total.scalar("disk")).toBe(500);
      expect(applied.total.persistentVolumes().scalar("disk")).toBe(100);
      expect(applied.total.unreserved().toString()).toBe("cpus:1");
    }
  });

  it("reports checkpointed resources the static ones cannot hold", () => {
    const applied = applyCheckpointed(statics, Resources.from([r("disk", 5000, [dyn("ops")])]));
    expect(applied).toMatchObject({ ok: false });
    if (!applied.ok) expect(applied.error).toContain("incompatible");
  });
});
