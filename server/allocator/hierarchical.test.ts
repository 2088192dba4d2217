// Hierarchical allocator behaviour through the test harness: seed agents and frameworks, run
// rounds on a simulated clock, assert on the recorded plans.
import { describe, expect, it } from "vitest";
import { Resources } from "../resources";
import { AllocatorHarness, text } from "./testing";
import type { OfferPlan } from "./types";

const summary = AllocatorHarness.summary;

function perRole(plans: readonly OfferPlan[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of plans) out[p.role] = (out[p.role] ?? 0) + 1;
  return out;
}

function cpus(plans: readonly OfferPlan[]): number {
  return plans.reduce((sum, p) => sum + p.resources.scalar("cpus"), 0);
}

describe("offers and DRF", () => {
  it("offers a whole agent to the only framework, allocated to its role", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:4;mem:1024;ports:[31000-31010]");
    h.addFramework("f1");
    const [offer, ...rest] = h.tick();
    expect(rest).toEqual([]);
    expect(summary([offer!])).toEqual(["f1@a1(*)"]);
    expect(text(offer!.resources)).toBe(text("cpus:4;mem:1024;ports:[31000-31010]"));
    expect(offer!.resources.toArray().every((r) => r.allocation_info?.role === "*")).toBe(true);
    // Everything is allocated now: nothing more to offer.
    expect(h.tick()).toEqual([]);
  });

  it("alternates frameworks of a role by dominant share, ties by count then name", () => {
    const h = new AllocatorHarness();
    for (const a of ["a1", "a2", "a3", "a4"]) h.addAgent(a, "cpus:4;mem:1024");
    h.addFramework("f2");
    h.addFramework("f1");
    // f1 = f2 = 0 → f1 (name); then f2 (lower share); then tie at .25 with one allocation each → f1
    expect(summary(h.tick())).toEqual(["f1@a1(*)", "f2@a2(*)", "f1@a3(*)", "f2@a4(*)"]);
  });

  it("shares between roles first, then between the frameworks of a role", () => {
    const h = new AllocatorHarness();
    for (const a of ["a1", "a2", "a3", "a4"]) h.addAgent(a, "cpus:4;mem:1024");
    h.addFramework("f1", { roles: ["a"] });
    h.addFramework("f2", { roles: ["a"] });
    h.addFramework("f3", { roles: ["b"] });
    // roles: a = b = 0 → a (f1); b (.0) → f3; a = b = .25, one allocation each → a (f2); b
    expect(summary(h.tick())).toEqual(["f1@a1(a)", "f3@a2(b)", "f2@a3(a)", "f3@a4(b)"]);
  });

  it("gives a role with weight 3 three times the share of a role with weight 1", () => {
    const h = new AllocatorHarness({ weights: [{ role: "a", weight: 3 }] });
    for (let i = 1; i <= 8; i++) h.addAgent(`a${i}`, "cpus:1;mem:128");
    h.addFramework("fa", { roles: ["a"] });
    h.addFramework("fb", { roles: ["b"] });
    // weighted shares after the round: a = 6/8/3 = .25, b = 2/8 = .25
    expect(perRole(h.tick())).toEqual({ a: 6, b: 2 });
  });

  it("applies UPDATE_WEIGHTS to later rounds", () => {
    const h = new AllocatorHarness();
    for (let i = 1; i <= 8; i++) h.addAgent(`a${i}`, "cpus:1;mem:128");
    h.addFramework("fa", { roles: ["a"] });
    h.addFramework("fb", { roles: ["b"] });
    expect(perRole(h.tick())).toEqual({ a: 4, b: 4 });
    h.declineAll(0);
    h.allocator.updateWeights([{ role: "b", weight: 3 }]);
    expect(perRole(h.tick())).toEqual({ a: 2, b: 6 });
  });

  it("sorts hierarchical roles per level: a subtree's share is the sum of its roles", () => {
    const h = new AllocatorHarness();
    for (let i = 1; i <= 4; i++) h.addAgent(`a${i}`, "cpus:1;mem:128");
    h.addFramework("be", { roles: ["eng/backend"] });
    h.addFramework("fe", { roles: ["eng/frontend"] });
    h.addFramework("op", { roles: ["ops"] });
    // eng = ops = 0 → eng (backend); ops; eng = ops = .25, one each → eng (frontend); ops
    expect(summary(h.tick())).toEqual(["be@a1(eng/backend)", "op@a2(ops)", "fe@a3(eng/frontend)", "op@a4(ops)"]);
  });

  it("makes one plan per (framework, role, agent) for MULTI_ROLE frameworks", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus(a):2;mem(a):256");
    h.addAgent("a2", "cpus:2;mem:512");
    h.addFramework("f", { roles: ["a", "b"] });
    const plans = h.tick();
    // a1 → role a (a = b = 0, name); a2 → role b (a = .5 > b = 0)
    expect(summary(plans)).toEqual(["f@a1(a)", "f@a2(b)"]);
    for (const p of plans) expect(p.resources.toArray().every((r) => r.allocation_info?.role === p.role)).toBe(true);
  });

  it("re-offers declined resources after refuse_seconds and at once without a filter", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:2;mem:512");
    h.addFramework("f1");
    const [offer] = h.tick();
    h.decline(offer!, 5);
    for (let i = 0; i < 4; i++) expect(h.tick()).toEqual([]);
    expect(summary(h.tick())).toEqual(["f1@a1(*)"]); // 5 s after the decline
    h.declineAll(0);
    expect(summary(h.allocate())).toEqual(["f1@a1(*)"]);
  });

  it("filters only resources that are a subset of the refused ones", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:4;mem:1024");
    h.addFramework("f1");
    const [offer] = h.tick();
    const task = h.launch(offer!, "cpus:2;mem:512", 3600);
    expect(h.tick()).toEqual([]); // cpus:2;mem:512 refused for an hour
    h.finish("f1", "a1", task);
    const [again] = h.allocate(); // more than was refused: offered at once
    expect(text(again!.resources)).toBe(text("cpus:4;mem:1024"));
  });

  it("offers a declined agent to the next framework in the same round order", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:2;mem:512");
    h.addFramework("f1");
    h.addFramework("f2");
    h.decline(h.tick()[0]!, 3600); // f1 refuses a1
    expect(summary(h.tick())).toEqual(["f2@a1(*)"]);
  });

  it("stops offering to suppressed roles and resumes, filters cleared, on REVIVE", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:2;mem:512");
    h.addFramework("f1", { roles: ["a", "b"] });
    h.decline(h.tick()[0]!, 3600);
    h.allocator.suppressOffers("f1", ["b"]);
    expect(h.tick()).toEqual([]); // role a filtered, role b suppressed
    h.allocator.reviveOffers("f1", ["a"]);
    expect(summary(h.allocate())).toEqual(["f1@a1(a)"]);
    h.declineAll(0);
    h.allocator.suppressOffers("f1", []);
    expect(h.tick()).toEqual([]);
    h.allocator.reviveOffers("f1", []);
    // both roles at share 0; role a has had two allocations, b none
    expect(summary(h.allocate())).toEqual(["f1@a1(b)"]);
  });

  it("offers nothing below --min_allocatable_resources or a framework's own minimum", () => {
    const h = new AllocatorHarness();
    h.addAgent("tiny", "cpus:0.005;mem:16");
    h.addAgent("memonly", "mem:64");
    h.addFramework("f1", { minAllocatableResources: { "*": [{ cpus: 1 }] } });
    h.addFramework("f2");
    // f1 wants ≥ 1 cpu: nothing fits it; f2 gets memonly (mem ≥ 32) but not tiny
    expect(summary(h.tick())).toEqual(["f2@memonly(*)"]);
  });

  it("offers nothing from inactive agents or to inactive frameworks", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:1;mem:128", { active: false });
    h.addFramework("f1", { active: false });
    expect(h.tick()).toEqual([]);
    h.allocator.activateAgent("a1");
    expect(h.tick()).toEqual([]);
    h.allocator.activateFramework("f1");
    expect(summary(h.tick())).toEqual(["f1@a1(*)"]);
  });

  it("frees a removed framework's resources for the others", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:1;mem:128");
    h.addFramework("f1");
    h.tick();
    h.addFramework("f2");
    expect(h.tick()).toEqual([]);
    h.allocator.removeFramework("f1");
    expect(summary(h.tick())).toEqual(["f2@a1(*)"]);
  });

  it("ignores resources recovered twice or for unknown agents and frameworks", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:2;mem:256");
    h.addFramework("f1");
    const [offer] = h.tick();
    h.allocator.recoverResources("f1", "a1", offer!.resources, 0, h.now);
    h.allocator.recoverResources("f1", "a1", offer!.resources, 0, h.now);
    h.allocator.recoverResources("nobody", "a1", offer!.resources, 0, h.now);
    h.allocator.recoverResources("f1", "nowhere", offer!.resources, 0, h.now);
    const [again] = h.allocate();
    expect(text(again!.resources)).toBe(text("cpus:2;mem:256"));
  });

  it("stops offering a role the framework left, keeping its resources accounted until recovered", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:2;mem:256");
    h.addAgent("a2", "cpus:2;mem:256");
    h.addFramework("f1", { roles: ["a", "b"] });
    const plans = h.tick();
    expect(summary(plans)).toEqual(["f1@a1(a)", "f1@a2(b)"]);
    h.updateFramework("f1", { roles: ["a"] });
    h.decline(plans[1]!, 0); // role b's offer comes back
    expect(summary(h.allocate())).toEqual(["f1@a2(a)"]);
  });
});

describe("reservations", () => {
  const agent = "cpus(ops):2;mem(ops):512;cpus:2;mem:512";

  it("offers a role only unreserved resources and its own reservations", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", agent);
    h.addFramework("dev", { roles: ["dev"] });
    expect(text(h.tick()[0]!.resources)).toBe(text("cpus:2;mem:512"));
    h.addFramework("ops", { roles: ["ops"] });
    expect(text(h.tick()[0]!.resources)).toBe(text("cpus(ops):2;mem(ops):512"));
  });

  it("offers an ancestor's reservations to a subrole", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", agent);
    h.addFramework("web", { roles: ["ops/web"] });
    expect(text(h.tick()[0]!.resources)).toBe(text(agent));
  });

  it("never offers reserved resources to another role, even when their role has no framework", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus(ops):4;mem(ops):1024");
    h.addFramework("dev", { roles: ["dev"] });
    h.addFramework("any");
    expect(h.tick()).toEqual([]);
  });
});

describe("phase B hooks: conversions of allocated and available resources", () => {
  const reserve = (text: string, role: string) => Resources.parse(text).pushReservation({ type: "DYNAMIC", role, principal: "p" });

  it("converts a framework's offered resources in place (RESERVE inside an ACCEPT)", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:4;mem:1024");
    h.addFramework("ml", { roles: ["ml"] });
    const [offer] = h.tick();
    const from = Resources.parse("cpus:2").allocate("ml");
    const to = reserve("cpus:2", "ml").allocate("ml");
    h.allocator.updateAllocation!("ml", "a1", from, to);
    h.allocator.recoverResources("ml", "a1", offer!.resources.subtract(from).add(to), 0, h.now);
    h.allocator.suppressOffers("ml", []);
    h.addFramework("other");
    expect(text(h.allocate()[0]!.resources)).toBe(text("cpus:2;mem:1024"));
    expect(h.allocator.snapshot!().roles.find((r) => r.role === "ml")!.reserved).toEqual({ cpus: 2 });
    h.allocator.reviveOffers("ml", []);
    expect(text(h.allocate()[0]!.resources)).toBe(text("cpus(ml):2"));
  });

  it("converts available resources (operator RESERVE_RESOURCES) only when they are available", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:4;mem:1024");
    expect(h.allocator.updateAvailable!("a1", Resources.parse("cpus:5"), reserve("cpus:5", "ml"))).toBe(false);
    expect(h.allocator.updateAvailable!("a1", Resources.parse("cpus:1"), reserve("cpus:1", "ml"))).toBe(true);
    h.addFramework("other");
    expect(text(h.tick()[0]!.resources)).toBe(text("cpus:3;mem:1024"));
  });
});

describe("capabilities", () => {
  it("offers revocable resources only to REVOCABLE_RESOURCES frameworks", () => {
    const h = new AllocatorHarness();
    const total = Resources.parse("cpus:1;mem:128").add(Resources.from([{ name: "cpus", type: "SCALAR", scalar: { value: 3 }, revocable: {} }]));
    h.addAgent("a1", total);
    h.addFramework("plain");
    expect(h.tick()[0]!.resources.revocable().isEmpty()).toBe(true);
    h.addFramework("rev", { capabilities: { revocableResources: true } });
    const [offer] = h.tick();
    expect(offer!.frameworkId).toBe("rev");
    expect(offer!.resources.revocable().scalar("cpus")).toBe(3);
  });

  it("offers GPU agents only to GPU_RESOURCES frameworks", () => {
    const h = new AllocatorHarness();
    h.addAgent("gpu", "cpus:4;mem:1024;gpus:1");
    h.addFramework("plain");
    expect(h.tick()).toEqual([]);
    h.addFramework("ml", { capabilities: { gpuResources: true } });
    expect(summary(h.tick())).toEqual(["ml@gpu(*)"]);
  });
});

describe("quota", () => {
  it("never offers a role more than its limit, counting what it already holds", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:2;mem:1024");
    h.addAgent("a2", "cpus:2;mem:1024");
    h.addFramework("f1", { roles: ["lim"] });
    h.allocator.updateQuota({ role: "lim", guarantees: {}, limits: { cpus: 3 } });
    const plans = h.tick();
    expect(plans.map((p) => text(p.resources))).toEqual([text("cpus:2;mem:1024"), text("cpus:1;mem:1024")]);
    h.decline(plans[1]!, 0);
    expect(cpus(h.allocate())).toBe(1);
    expect(h.allocator.consumedQuota!("lim")).toEqual({ cpus: 3, mem: 2048 });
  });

  it("applies a parent's limit to its subroles", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:4;mem:1024");
    h.addFramework("web", { roles: ["eng/web"] });
    h.allocator.updateQuota({ role: "eng", guarantees: {}, limits: { cpus: 1 } });
    expect(text(h.tick()[0]!.resources)).toBe(text("cpus:1;mem:1024"));
  });

  it("holds back headroom for unsatisfied guarantees, then satisfies them first", () => {
    const h = new AllocatorHarness();
    for (let i = 1; i <= 4; i++) h.addAgent(`a${i}`, "cpus:1;mem:256");
    h.addFramework("other");
    h.allocator.updateQuota({ role: "g", guarantees: { cpus: 2 }, limits: {} });
    // 4 cpus free, 2 needed for g's guarantee: "other" may take 2 (the mem is not guaranteed)
    expect(cpus(h.tick())).toBe(2);
    h.addFramework("gf", { roles: ["g"] });
    const plans = h.tick();
    expect(plans.every((p) => p.frameworkId === "gf")).toBe(true);
    expect(cpus(plans)).toBe(2);
  });

  it("removes a quota when updated with empty guarantees and limits", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:4;mem:1024");
    h.addFramework("f1", { roles: ["lim"] });
    h.allocator.updateQuota({ role: "lim", guarantees: {}, limits: { cpus: 1 } });
    h.declineAll(0);
    expect(cpus(h.tick())).toBe(1);
    h.declineAll(0);
    h.allocator.updateQuota({ role: "lim", guarantees: {}, limits: {} });
    expect(cpus(h.tick())).toBe(4);
  });
});

describe("snapshot", () => {
  it("reports weights, quota, allocations, reservations and shares per role", () => {
    const h = new AllocatorHarness({ weights: [{ role: "ops", weight: 2 }] });
    h.addAgent("a1", "cpus(ops):2;cpus:2;mem:1000");
    h.addFramework("f1", { roles: ["ops"] });
    h.allocator.updateQuota({ role: "ops", guarantees: {}, limits: { cpus: 10 } });
    h.tick();
    const snap = h.allocator.snapshot!();
    const ops = snap.roles.find((r) => r.role === "ops")!;
    expect(ops.weight).toBe(2);
    expect(ops.quota?.limits).toEqual({ cpus: 10 });
    expect(ops.allocated).toEqual({ cpus: 4, mem: 1000 });
    expect(ops.reserved).toEqual({ cpus: 2 });
    expect(ops.consumed).toEqual({ cpus: 4, mem: 1000 });
    expect(ops.dominantShare).toBe(1);
    expect(ops.frameworks).toEqual([{ frameworkId: "f1", dominantShare: 1, active: true, suppressed: false, subscribed: true }]);
    expect(snap.totals).toEqual({ cpus: 4, mem: 1000 });
    expect(snap.weights).toEqual([{ role: "ops", weight: 2 }]);
  });
});

describe("scoped rounds (agents that just arrived)", () => {
  it("a round for given agents offers only those agents; the next full round offers the rest", () => {
    const h = new AllocatorHarness();
    for (const a of ["a1", "a2", "a3"]) h.addAgent(a, "cpus:4;mem:1024");
    h.addFramework("f1");
    const scoped = h.allocator.allocate(h.now, new Set(["a2", "unknown"]));
    expect(scoped.map((p) => p.agentId)).toEqual(["a2"]);
    expect(summary(h.tick())).toEqual(["f1@a1(*)", "f1@a3(*)"]);
  });

  it("walks no agent while no framework is active (a new leader before frameworks re-subscribe)", () => {
    const h = new AllocatorHarness();
    h.addAgent("a1", "cpus:4;mem:1024");
    h.addFramework("f1");
    h.allocator.deactivateFramework("f1");
    expect(h.allocator.allocate(h.now)).toEqual([]);
    h.allocator.activateFramework("f1");
    expect(summary(h.tick())).toEqual(["f1@a1(*)"]);
  });
});
