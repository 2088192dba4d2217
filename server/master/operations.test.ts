// Reservation and volume operations on the master: ACCEPT RESERVE/CREATE/DESTROY/UNRESERVE with
// the allocator and the agent's checkpoint kept in step, invalid operations dropped without a
// change, operator operations (offers rescinded when needed, quota limits), and the checkpointed
// resources an agent reports at (re)registration.
import { afterEach, describe, expect, it } from "vitest";
import type { Offer, Resource } from "../protocol/mesos";
import { Resources } from "../resources";
import { agentStatus, frameworkInfo, registerFakeAgent, startHarness, subscribeFramework, FakeLink, type Harness } from "../testing/master-harness";
import { accept } from "./accept";
import { reregisterAgent } from "./reregistration";
import { OperationRejected, applyOperatorOperation, installResourceOperations, registeredTotal } from "./operations";
import { updateQuota } from "./roles";
import { statusUpdate } from "./tasks";
import { agentDetail } from "./dashboard-details";
import { rolesView } from "./views";

let h: Harness;
afterEach(() => h?.stopLoop());

const dyn = (role: string) => ({ type: "DYNAMIC" as const, role });
const reserved = (text: string, role: string, allocated = true): Resource[] =>
  Resources.parse(text).toArray().map((r) => ({ ...r, reservations: [dyn(role)], ...(allocated ? { allocation_info: { role } } : {}) }));
const volume = (id: string, mb: number, role = "ops", allocated = true): Resource => ({
  name: "disk", type: "SCALAR", scalar: { value: mb }, reservations: [dyn(role)], ...(allocated ? { allocation_info: { role } } : {}),
  disk: { persistence: { id }, volume: { mode: "RW", container_path: "data" } },
});

async function setup(resources = "cpus:4;mem:1024;disk:1000") {
  h = await startHarness({ config: { allocationIntervalMs: 60_000 } });
  installResourceOperations(h.master);
  const { agent, link } = await registerFakeAgent(h, { resources });
  const { sink, framework } = subscribeFramework(h, frameworkInfo({ roles: ["ops"], capabilities: [{ type: "MULTI_ROLE" }, { type: "RESERVATION_REFINEMENT" }] }));
  h.clock.flush();
  const fw = h.master.frameworks.get(framework!.id)!;
  const next = (): Offer => {
    h.clock.flush();
    const offers = sink.of("OFFERS").flatMap((e) => e.offers.offers);
    sink.events.length = 0;
    expect(offers).toHaveLength(1);
    return offers[0]!;
  };
  const run = (offer: Offer, operations: unknown[]) => accept(h.master, fw, { offer_ids: [offer.id], operations: operations as never, filters: { refuse_seconds: 0 } });
  return { agent, link, sink, fw, next, run };
}

describe("offer operations (ACCEPT)", () => {
  it("RESERVE, CREATE, DESTROY and UNRESERVE convert the offered resources, the agent's total and its checkpoint together", async () => {
    const { agent, link, next, run } = await setup();
    run(next(), [{ type: "RESERVE", reserve: { resources: reserved("cpus:1;disk:500", "ops") } }]);
    expect(agent.total.reserved("ops").toString()).toBe("cpus(ops):1;disk(ops):500");
    expect(Resources.from(link.of("CHECKPOINT_RESOURCES").at(-1)!.resources).toString()).toBe("cpus(ops):1;disk(ops):500");
    expect(h.master.allocator.snapshot!().roles.find((r) => r.role === "ops")!.reserved).toMatchObject({ cpus: 1, disk: 500 });
    let offer = next();
    expect(Resources.from(offer.resources).reserved("ops").toString()).toBe("cpus(ops):1;disk(ops):500");

    run(offer, [{ type: "CREATE", create: { volumes: [volume("v1", 200)] } }]);
    expect(agent.total.persistentVolumes().scalar("disk")).toBe(200);
    offer = next();
    expect(offer.resources.filter((r) => r.disk?.persistence?.id === "v1")).toHaveLength(1);
    expect(Resources.from(offer.resources).scalar("disk")).toBe(1000); // nothing lost or doubled

    // What the dashboard shows (agent detail, roles page) comes from the same books.
    const detail = agentDetail(h.master, agent.id)!;
    expect(detail.reservations).toEqual([expect.objectContaining({ role: "ops", text: "cpus(ops):1;disk(ops):300;disk(ops):200" })]);
    expect(detail.volumes).toEqual([{ id: "v1", role: "ops", sizeMb: 200, containerPath: "data", mode: "RW", principal: undefined }]);
    expect(rolesView(h.master).find((r) => r.name === "ops")!.reserved).toMatchObject({ cpus: 1, disk: 500 });

    run(offer, [{ type: "DESTROY", destroy: { volumes: [volume("v1", 200)] } }]);
    expect(agent.total.persistentVolumes().isEmpty()).toBe(true);
    run(next(), [{ type: "UNRESERVE", unreserve: { resources: reserved("cpus:1;disk:500", "ops") } }]);
    expect(agent.total.equals(Resources.parse("cpus:4;mem:1024;disk:1000"))).toBe(true);
    expect(link.of("CHECKPOINT_RESOURCES").at(-1)!.resources).toEqual([]);
    expect(Resources.from(next().resources).equals(Resources.parse("cpus:4;mem:1024;disk:1000").allocate("ops"))).toBe(true);
  });

  it("drops invalid operations, changes nothing and recovers the offer", async () => {
    const { agent, link, next, run, sink } = await setup();
    run(next(), [{ type: "RESERVE", reserve: { resources: reserved("disk:300", "ops") } }]);
    const offer = next();
    const total = agent.total;
    const sent = link.of("CHECKPOINT_RESOURCES").length;
    const unreservedVolume: Resource = { name: "disk", type: "SCALAR", scalar: { value: 10 }, allocation_info: { role: "ops" }, disk: { persistence: { id: "x" }, volume: { mode: "RW", container_path: "x" } } };
    run(offer, [
      { type: "RESERVE", reserve: { resources: reserved("cpus:64", "ops") } },
      { type: "RESERVE", reserve: { resources: reserved("cpus:1", "other") } },
      { type: "RESERVE", reserve: { resources: Resources.parse("cpus:1").allocate("ops").toArray() } },
      { type: "UNRESERVE", unreserve: { resources: reserved("cpus:1", "ops") } },
      { type: "CREATE", create: { volumes: [unreservedVolume] } },
      { type: "CREATE", create: { volumes: [{ ...volume("y", 10), disk: { persistence: { id: "y" }, volume: { mode: "RW", container_path: "../escape" } } }] } },
      { type: "DESTROY", destroy: { volumes: [volume("missing", 10)] } },
    ]);
    expect(agent.total).toBe(total);
    expect(link.of("CHECKPOINT_RESOURCES")).toHaveLength(sent);
    expect(Resources.from(next().resources).equals(Resources.from(offer.resources))).toBe(true);

    // An operation asking for feedback (an id) needs a resource provider: OPERATION_ERROR, dropped.
    const again = Resources.from(offer.resources);
    run({ ...offer, id: { value: h.master.offers.keys().next().value! } }, [{ type: "RESERVE", id: { value: "op-1" }, reserve: { resources: reserved("cpus:1", "ops") } }]);
    const status = sink.of("UPDATE_OPERATION_STATUS")[0]!.update_operation_status.status;
    expect(status).toMatchObject({ operation_id: { value: "op-1" }, state: "OPERATION_ERROR", agent_id: { value: agent.id } });
    expect(status.message).toContain("RESOURCE_PROVIDER");
    expect(agent.total).toBe(total);
    expect(Resources.from(next().resources).equals(again)).toBe(true);
  });

  it("refuses to DESTROY a volume a task uses", async () => {
    const { agent, next, run, fw } = await setup();
    run(next(), [{ type: "RESERVE", reserve: { resources: reserved("disk:300", "ops") } }]);
    run(next(), [{ type: "CREATE", create: { volumes: [volume("v1", 100)] } }]);
    const offer = next();
    const task = { name: "t", task_id: { value: "t1" }, agent_id: offer.agent_id, resources: [...Resources.parse("cpus:1;mem:32").allocate("ops").toArray(), volume("v1", 100)], command: { value: "sleep 1" } };
    run(offer, [{ type: "LAUNCH", launch: { task_infos: [task] } }]);
    const before = agent.total;
    await expect(applyOperatorOperation(h.master, agent.id, { type: "DESTROY", destroy: { volumes: [volume("v1", 100, "ops", false)] } }, "op")).rejects.toMatchObject({ status: 400, message: "Invalid DESTROY operation: Persistent volumes in use" });
    expect(agent.total).toBe(before);
    statusUpdate(h.master, agent.id, { framework_id: { value: fw.id }, agent_id: { value: agent.id }, status: agentStatus("t1", "TASK_FINISHED") });
    h.clock.flush();
    await applyOperatorOperation(h.master, agent.id, { type: "DESTROY", destroy: { volumes: [volume("v1", 100, "ops", false)] } }, "op");
    expect(agent.total.persistentVolumes().isEmpty()).toBe(true);
  });
});

describe("frameworks without MULTI_ROLE / RESERVATION_REFINEMENT", () => {
  it("RESERVE in the pre-refinement format without allocation_info, offered back in that format", async () => {
    h = await startHarness({ config: { allocationIntervalMs: 60_000 } });
    installResourceOperations(h.master);
    const { agent } = await registerFakeAgent(h, { resources: "cpus:2;mem:512" });
    const { sink, framework } = subscribeFramework(h, frameworkInfo({ role: "ops", principal: "ops-p" }));
    h.clock.flush();
    const fw = h.master.frameworks.get(framework!.id)!;
    const offer = sink.of("OFFERS")[0]!.offers.offers[0]!;
    sink.events.length = 0;
    const legacy = (principal?: string): Resource[] => [{ name: "cpus", type: "SCALAR", scalar: { value: 1 }, role: "ops", reservation: principal ? { principal } : {} }];
    // The framework's principal must be the reservation's (Mesos's rule): this one is dropped…
    accept(h.master, fw, { offer_ids: [offer.id], operations: [{ type: "RESERVE", reserve: { resources: legacy("someone-else") } }], filters: { refuse_seconds: 0 } });
    expect(agent.total.reserved().isEmpty()).toBe(true);
    h.clock.flush();
    const again = sink.of("OFFERS")[0]!.offers.offers[0]!;
    sink.events.length = 0;
    // …this one applies.
    accept(h.master, fw, { offer_ids: [again.id], operations: [{ type: "RESERVE", reserve: { resources: legacy("ops-p") } }], filters: { refuse_seconds: 0 } });
    expect(agent.total.reserved("ops").toString()).toBe("cpus(ops):1");
    h.clock.flush();
    const reservedWire = sink.of("OFFERS")[0]!.offers.offers[0]!.resources.find((r) => r.role === "ops")!;
    expect(reservedWire).toMatchObject({ name: "cpus", role: "ops", reservation: { principal: "ops-p" }, allocation_info: { role: "ops" } });
    expect(reservedWire.reservations).toBeUndefined();
  });
});

describe("refined reservations", () => {
  it("a framework in eng/web refines a reservation of eng (a stack of two), and UNRESERVE pops back to eng", async () => {
    h = await startHarness({ config: { allocationIntervalMs: 60_000 } });
    installResourceOperations(h.master);
    const { agent } = await registerFakeAgent(h, { resources: "cpus:2;mem:512;cpus(eng):2" });
    const { sink, framework } = subscribeFramework(h, frameworkInfo({ roles: ["eng/web"], capabilities: [{ type: "MULTI_ROLE" }, { type: "RESERVATION_REFINEMENT" }] }));
    h.clock.flush();
    const fw = h.master.frameworks.get(framework!.id)!;
    const offer = sink.of("OFFERS")[0]!.offers.offers[0]!;
    sink.events.length = 0;
    const refined: Resource[] = [{ name: "cpus", type: "SCALAR", scalar: { value: 1 }, allocation_info: { role: "eng/web" }, reservations: [{ type: "STATIC", role: "eng" }, dyn("eng/web")] }];
    // Refinement needs an agent that supports it.
    accept(h.master, fw, { offer_ids: [offer.id], operations: [{ type: "RESERVE", reserve: { resources: refined } }], filters: { refuse_seconds: 0 } });
    expect(agent.total.reserved("eng/web").isEmpty()).toBe(true);
    agent.capabilities.push("RESERVATION_REFINEMENT");
    h.clock.flush();
    const second = sink.of("OFFERS")[0]!.offers.offers[0]!;
    sink.events.length = 0;
    accept(h.master, fw, { offer_ids: [second.id], operations: [{ type: "RESERVE", reserve: { resources: refined } }], filters: { refuse_seconds: 0 } });
    expect(agent.total.reserved("eng/web").toArray()[0]!.reservations).toEqual([{ type: "STATIC", role: "eng" }, dyn("eng/web")]);
    expect(agent.total.reserved("eng").scalar("cpus")).toBe(1);
    h.clock.flush();
    const next = sink.of("OFFERS")[0]!.offers.offers[0]!;
    accept(h.master, fw, { offer_ids: [next.id], operations: [{ type: "UNRESERVE", unreserve: { resources: refined } }], filters: { refuse_seconds: 0 } });
    expect(agent.total.equals(Resources.parse("cpus:2;mem:512;cpus(eng):2"))).toBe(true);
  });
});

describe("operator operations", () => {
  it("rescinds outstanding offers to find the resources, then applies", async () => {
    const { agent, sink, link } = await setup();
    await applyOperatorOperation(h.master, agent.id, { type: "RESERVE", reserve: { resources: reserved("mem:256", "ops", false) } }, "alice");
    expect(sink.of("RESCIND")).toHaveLength(1);
    expect(agent.total.reserved("ops").toString()).toBe("mem(ops):256");
    expect(Resources.from(link.of("CHECKPOINT_RESOURCES").at(-1)!.resources).toString()).toBe("mem(ops):256");
    expect(h.master.timeline.list().some((e) => e.action === "RESERVE" && e.principal === "alice")).toBe(true);
  });

  it("refuses a reservation beyond the role's quota limit and one of resources the agent lacks", async () => {
    const { agent } = await setup();
    await updateQuota(h.master, [{ role: "ops", guarantees: {}, limits: { cpus: 1 } }], true);
    const before = agent.total;
    const err = await applyOperatorOperation(h.master, agent.id, { type: "RESERVE", reserve: { resources: reserved("cpus:2", "ops", false) } }, "op").catch((e: OperationRejected) => e);
    expect(err).toBeInstanceOf(OperationRejected);
    expect((err as OperationRejected).status).toBe(409);
    expect((err as OperationRejected).message).toContain("quota limit of role 'ops'");
    await expect(applyOperatorOperation(h.master, agent.id, { type: "UNRESERVE", unreserve: { resources: reserved("cpus:1", "ops", false) } }, "op")).rejects.toMatchObject({ status: 409 });
    expect(agent.total).toBe(before);
  });
});

describe("checkpointed resources at registration", () => {
  it("applies the agent's checkpointed resources to its static ones, and ignores ones that do not fit", () => {
    const base = { protocol_version: 1, version: "1.11.0", capabilities: [], endpoint: "x:1" };
    const info = { hostname: "h", port: 1, resources: Resources.parse("cpus:4;disk:1000").toArray(), attributes: [] };
    const ok = registeredTotal({ type: "REGISTER_AGENT", ...base, agent_info: info, checkpointed_resources: [...reserved("cpus:1", "ops", false), volume("v", 100, "ops", false)] });
    expect(ok.toString()).toBe("cpus:3;disk:900;cpus(ops):1;disk(ops):100");
    expect(ok.persistentVolumes().scalar("disk")).toBe(100);
    const lines: string[] = [];
    const bad = registeredTotal({ type: "REGISTER_AGENT", ...base, agent_info: info, checkpointed_resources: reserved("cpus:8", "ops", false) }, (l) => lines.push(l));
    expect(bad.toString()).toBe("cpus:4;disk:1000");
    expect(lines[0]).toContain("incompatible");
  });

  it("re-sends the master's view when a known agent re-registers with different checkpointed resources", async () => {
    const { agent, next, run } = await setup();
    run(next(), [{ type: "RESERVE", reserve: { resources: reserved("cpus:1", "ops") } }]);
    const link = new FakeLink(agent.endpoint);
    await reregisterAgent(h.master, {
      type: "REREGISTER_AGENT", protocol_version: 1, version: "1.11.0", capabilities: [], endpoint: agent.endpoint,
      agent_info: { ...agent.info }, checkpointed_resources: [], frameworks: [], executors: [], tasks: [],
    }, link);
    expect(Resources.from(link.of("CHECKPOINT_RESOURCES")[0]!.resources).toString()).toBe("cpus(ops):1");
  });
});
