// Weights and quota on the master: validated, persisted through the registrar, then applied to
// the allocator; recovered from the registry; rejected updates change nothing.
import { afterEach, describe, expect, it } from "vitest";
import { Resources } from "../resources";
import type { Offer } from "../protocol/mesos";
import { accept } from "./accept";
import { CommandError } from "./errors";
import { QUOTA_ENTRY, WEIGHTS_ENTRY, currentWeights, recoverRoles, updateQuota, updateWeights } from "./roles";
import { rolesView } from "./views";
import { frameworkInfo, registerFakeAgent, startHarness, subscribeFramework, type Harness } from "../testing/master-harness";
import { newMemoryRegistryData } from "./registry/memory-store";

let h: Harness;
afterEach(() => h?.stopLoop());

function offersOf(sink: ReturnType<typeof subscribeFramework>["sink"]): Offer[] {
  return sink.of("OFFERS").flatMap((e) => e.offers.offers);
}

async function rejected(p: Promise<unknown>): Promise<CommandError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(CommandError);
  expect((err as CommandError).code).toBe("BAD_REQUEST");
  return err as CommandError;
}

describe("UPDATE_WEIGHTS", () => {
  it("persists the merged weights, then applies them", async () => {
    h = await startHarness();
    await updateWeights(h.master, [{ role: "eng", weight: 2 }]);
    await updateWeights(h.master, [{ role: "ops", weight: 0.5 }]);
    expect(h.registry.entries.get(WEIGHTS_ENTRY)).toEqual([{ role: "eng", weight: 2 }, { role: "ops", weight: 0.5 }]);
    expect(h.master.allocator.snapshot!().weights).toEqual([{ role: "eng", weight: 2 }, { role: "ops", weight: 0.5 }]);
    expect(h.master.timeline.list({ kind: "operator" }).map((e) => e.result)).toEqual(["ok", "ok"]);
  });

  it("rejects a non-positive weight or a bad role and changes nothing", async () => {
    h = await startHarness();
    expect((await rejected(updateWeights(h.master, [{ role: "eng", weight: 0 }]))).message).toContain("must be positive");
    expect((await rejected(updateWeights(h.master, [{ role: "eng", weight: 1 }, { role: "a//b", weight: 2 }]))).message).toContain("'a//b'");
    expect(h.registry.entries.has(WEIGHTS_ENTRY)).toBe(false);
    expect(h.master.allocator.snapshot!().weights).toEqual([]);
  });

  it("uses --weights until weights are persisted", async () => {
    const registry = newMemoryRegistryData();
    h = await startHarness({ registry, config: { weights: [{ role: "eng", weight: 3 }] } });
    expect(currentWeights(h.master)).toEqual([{ role: "eng", weight: 3 }]);
    await updateWeights(h.master, [{ role: "ops", weight: 2 }]);
    h.stopLoop();
    // A new master with a different --weights: the persisted weights win.
    h = await startHarness({ registry, config: { weights: [{ role: "eng", weight: 9 }] } });
    recoverRoles(h.master);
    expect(currentWeights(h.master)).toEqual([{ role: "eng", weight: 3 }, { role: "ops", weight: 2 }]);
    expect(h.master.allocator.snapshot!().weights).toEqual([{ role: "eng", weight: 3 }, { role: "ops", weight: 2 }]);
  });
});

describe("UPDATE_QUOTA", () => {
  it("validates each config and the request as a whole, all or nothing", async () => {
    h = await startHarness();
    await registerFakeAgent(h, { resources: "cpus:4;mem:4096" });
    expect((await rejected(updateQuota(h.master, [{ role: "*", guarantees: {}, limits: { cpus: 1 } }]))).message).toContain("'*'");
    expect((await rejected(updateQuota(h.master, [{ role: "ml", guarantees: { cpus: 2 }, limits: { cpus: 1 } }]))).message).toContain("not contained within limits");
    expect((await rejected(updateQuota(h.master, [{ role: "ml", guarantees: { cpus: -1 }, limits: {} }]))).message).toContain("non-negative");
    const ok = { role: "a", guarantees: {}, limits: { cpus: 1 } };
    expect((await rejected(updateQuota(h.master, [ok, { role: "a", guarantees: {}, limits: {} }]))).message).toContain("duplicate role");
    expect((await rejected(updateQuota(h.master, [ok, { role: "b", guarantees: { cpus: 8 }, limits: {} }]))).message).toContain("exceed cluster capacity");
    expect(h.registry.entries.has(QUOTA_ENTRY)).toBe(false);
    expect(h.master.allocator.snapshot!().quotas).toEqual([]);
    // force skips the capacity check
    await updateQuota(h.master, [{ role: "b", guarantees: { cpus: 8 }, limits: {} }], true);
    expect(h.registry.entries.get(QUOTA_ENTRY)).toEqual([{ role: "b", guarantees: { cpus: 8 }, limits: {} }]);
  });

  it("rejects limits below what the role's tasks and reservations consume, unless forced", async () => {
    h = await startHarness();
    await registerFakeAgent(h, { resources: "cpus:4;mem:4096;cpus(ml):1" });
    const { sink, framework } = subscribeFramework(h, frameworkInfo({ role: "ml" }));
    h.clock.advance(1000);
    const [offer] = offersOf(sink);
    const task = { name: "t", task_id: { value: "t" }, agent_id: offer!.agent_id, resources: Resources.parse("cpus:2;mem:128").allocate("ml").toArray(), command: { value: "sleep 1" } };
    accept(h.master, h.master.frameworks.get(framework!.id)!, { offer_ids: [offer!.id], operations: [{ type: "LAUNCH", launch: { task_infos: [task] } }] });
    // ml consumes cpus:3 (2 in the task, 1 reserved); offers do not count
    const err = await rejected(updateQuota(h.master, [{ role: "ml", guarantees: {}, limits: { cpus: 2 } }]));
    expect(err.message).toContain("is already consuming 'cpus:3; mem:128'");
    await updateQuota(h.master, [{ role: "ml", guarantees: {}, limits: { cpus: 3 } }]);
    await updateQuota(h.master, [{ role: "ml", guarantees: {}, limits: { cpus: 2 } }], true);
  });

  it("rescinds offers so that a role stays within a new limit, and offers no more than the limit", async () => {
    h = await startHarness();
    await registerFakeAgent(h, { resources: "cpus:4;mem:4096" });
    await registerFakeAgent(h, { resources: "cpus:4;mem:4096" });
    const { sink } = subscribeFramework(h, frameworkInfo({ role: "ml" }));
    h.clock.advance(1000);
    expect(offersOf(sink)).toHaveLength(2);
    sink.events.length = 0;
    await updateQuota(h.master, [{ role: "ml", guarantees: {}, limits: { cpus: 5 } }]);
    expect(sink.of("RESCIND")).toHaveLength(1); // 8 offered cpus > 5: one offer of 4 goes
    h.clock.advance(1000);
    const cpus = [...h.master.offers.values()].reduce((s, o) => s + o.resources.scalar("cpus"), 0);
    expect(cpus).toBe(5);
  });

  it("removes a role's quota when updated with empty guarantees and limits", async () => {
    h = await startHarness();
    await registerFakeAgent(h, { resources: "cpus:4;mem:4096" });
    await updateQuota(h.master, [{ role: "ml", guarantees: {}, limits: { cpus: 1 } }, { role: "dev", guarantees: {}, limits: { mem: 1 } }]);
    await updateQuota(h.master, [{ role: "ml", guarantees: {}, limits: {} }]);
    expect(h.registry.entries.get(QUOTA_ENTRY)).toEqual([{ role: "dev", guarantees: {}, limits: { mem: 1 } }]);
    expect(h.master.allocator.snapshot!().quotas.map((q) => q.role)).toEqual(["dev"]);
  });

  it("is recovered from the registry by a new master", async () => {
    const registry = newMemoryRegistryData();
    h = await startHarness({ registry });
    await updateQuota(h.master, [{ role: "ml", guarantees: {}, limits: { cpus: 1 } }]);
    h.stopLoop();
    h = await startHarness({ registry });
    recoverRoles(h.master);
    await registerFakeAgent(h, { resources: "cpus:4;mem:4096" });
    const { sink } = subscribeFramework(h, frameworkInfo({ role: "ml" }));
    h.clock.advance(1000);
    expect(Resources.from(offersOf(sink)[0]!.resources).scalar("cpus")).toBe(1);
  });
});

describe("roles view", () => {
  it("shows weight, quota, allocated, offered, reserved and shares per role", async () => {
    h = await startHarness();
    await registerFakeAgent(h, { resources: "cpus:4;mem:4000;cpus(ops):2" });
    await updateWeights(h.master, [{ role: "ops", weight: 2 }]);
    await updateQuota(h.master, [{ role: "ops", guarantees: {}, limits: { cpus: 6 } }]);
    const { framework } = subscribeFramework(h, frameworkInfo({ role: "ops", name: "opsfw" }));
    h.clock.advance(1000);
    const roles = rolesView(h.master);
    expect(roles.map((r) => r.name)).toEqual(["ops"]);
    const ops = roles[0]!;
    expect(ops.weight).toBe(2);
    expect(ops.offered.cpus).toBe(6);
    expect(ops.reserved.cpus).toBe(2);
    expect(ops.allocated.cpus).toBe(0);
    expect(ops.quota).toEqual({ guarantees: {}, limits: { cpus: 6 }, consumed: { cpus: 6, mem: 4000 } });
    expect(ops.dominantShare).toBe(1);
    expect(ops.frameworks).toEqual([{ id: framework!.id, name: "opsfw", dominantShare: 1, active: true, suppressed: false }]);
  });
});
