// Reservations and persistent volumes end to end: a real master (SQLite registry on disk) and a
// real agent process. Static reservations, RESERVE with labels, CREATE a volume that a task
// writes and a later task reads, restarts of the agent and of the master, bad operations that
// change nothing, DESTROY and UNRESERVE back to the unreserved pool, and the operator API.
// The tests run in order and share the cluster.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SchedulerClient, rawCall } from "../../server/cli/scheduler-client";
import type { Offer, Resource } from "../../server/protocol/mesos";
import { Resources } from "../../server/resources";
import { startTestAgent, startTestMaster, tempDir, waitForAgents, waitUntil, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { autoAcknowledge, isOffers, isUpdateFor } from "./helpers";
import { operatorCall } from "./operator-helpers";

const STATIC = "cpus:2;mem:1024;disk:1000;ports:[31000-31100];cpus(ops):1;mem(ops):256";
const LABELS = { labels: [{ key: "team", value: "storage" }] };

let dir: string;
let registry: string;
let master: TestMaster;
let agent: TestAgent;
let agentPort: number;
let agentId: string;
const earlierOutput: string[] = [];
const clients: SchedulerClient[] = [];

beforeAll(async () => {
  dir = tempDir("resv");
  registry = path.join(dir, "registry.db");
  master = await startTestMaster({ registry });
  agent = await startTestAgent(master.address, { resources: STATIC, keepWorkDir: true });
  agentPort = agent.port;
  await waitForAgents(master, 1);
  agentId = [...master.running.master.agents.keys()][0]!;
}, 60_000);

afterAll(async () => {
  if (process.env.RESV_DEBUG) fs.writeFileSync(process.env.RESV_DEBUG, [...earlierOutput, ...agent.output].join("\n"));
  for (const c of clients) {
    await c.call({ type: "TEARDOWN" }).catch(() => {});
    c.disconnect();
  }
  await agent?.stop({ killTasks: true });
  await master?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(agent.workDir, { recursive: true, force: true });
});

function framework(name: string, role: string): SchedulerClient {
  const c = new SchedulerClient(master.address, {
    user: "root", name, roles: [role], capabilities: [{ type: "MULTI_ROLE" }, { type: "RESERVATION_REFINEMENT" }],
  });
  clients.push(c);
  autoAcknowledge(c);
  return c;
}

async function teardown(c: SchedulerClient): Promise<void> {
  await c.call({ type: "TEARDOWN" }).catch(() => {});
  c.disconnect();
  clients.splice(clients.indexOf(c), 1);
}

/** The next offer this client receives (events already received first), removed from its list. */
async function nextOffer(c: SchedulerClient, pred: (o: Offer) => boolean = () => true, timeoutMs = 15_000): Promise<Offer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await c.waitFor(isOffers, Math.max(1, deadline - Date.now()), true);
    c.received.splice(c.received.indexOf(e), 1);
    const offer = e.offers.offers[0]!;
    if (!master.running.master.offers.has(offer.id.value)) continue; // rescinded meanwhile (agent or master restart)
    if (pred(offer)) return offer;
    // Give back every offer this framework holds at once, so the next round offers the agent's
    // resources for the role together (one offer) rather than in the pieces they came back in.
    const held = [...master.running.master.offers.values()].filter((o) => o.frameworkId === c.frameworkId).map((o) => ({ value: o.id }));
    for (const old of c.received.filter(isOffers)) c.received.splice(c.received.indexOf(old), 1);
    await c.mustCall({ type: "DECLINE", decline: { offer_ids: held, filters: { refuse_seconds: 0 } } });
  }
}

const decline = (c: SchedulerClient, offer: Offer) => c.mustCall({ type: "DECLINE", decline: { offer_ids: [offer.id], filters: { refuse_seconds: 0 } } });

const accept = (c: SchedulerClient, offer: Offer, operations: unknown[], refuse = 0) =>
  c.mustCall({ type: "ACCEPT", accept: { offer_ids: [offer.id], operations, filters: { refuse_seconds: refuse } } });

const dynamic = (role: string, labels?: typeof LABELS) => ({ type: "DYNAMIC" as const, role, ...(labels ? { labels } : {}) });

/** `text` (unreserved quantities) reserved dynamically for `role`, allocated to `role`. */
function reserved(text: string, role: string, labels?: typeof LABELS): Resource[] {
  return Resources.parse(text).toArray().map((r) => ({ ...r, reservations: [dynamic(role, labels)], allocation_info: { role } }));
}

function staticReserved(text: string, role: string): Resource[] {
  return Resources.parse(text).toArray().map((r) => ({ ...r, reservations: [{ type: "STATIC" as const, role }], allocation_info: { role } }));
}

function volume(id: string, mb: number, role = "ops"): Resource {
  return {
    name: "disk", type: "SCALAR", scalar: { value: mb }, reservations: [dynamic(role)], allocation_info: { role },
    disk: { persistence: { id }, volume: { mode: "RW", container_path: "data" } },
  };
}

const isReservedFor = (r: Resource) => (r.reservations ?? []).length > 0;
const dynamicOf = (o: Offer) => o.resources.filter((r) => r.reservations?.some((x) => x.type === "DYNAMIC") && !r.disk?.persistence);
const volumeIds = (o: Offer) => o.resources.filter((r) => r.disk?.persistence).map((r) => r.disk!.persistence!.id);
const hasVolume = (id: string) => (o: Offer) => volumeIds(o).includes(id);
const agentTotal = () => master.running.master.agents.get(agentId)!.total;
const checkpointFile = () => path.join(agent.workDir, "meta", "resources", "resources.info");
const readCheckpoint = (): Resource[] => (fs.existsSync(checkpointFile()) ? JSON.parse(fs.readFileSync(checkpointFile(), "utf8")) : []);
const volumeDir = (id: string) => path.join(agent.workDir, "volumes", "roles", "ops", id);

function task(offer: Offer, id: string, command: string, extra: Resource[] = []) {
  return { name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: [...staticReserved("cpus:0.1;mem:32", "ops"), ...extra], command: { value: command } };
}

function sandboxFile(frameworkId: string, taskId: string, name: string): string {
  return path.join(agent.workDir, "slaves", agentId, "frameworks", frameworkId, "executors", taskId, "runs", "latest", name);
}

let ops: SchedulerClient;

describe("reservations and persistent volumes", () => {
  it("static reservations (--resources=cpus(ops):1;mem(ops):256) are offered only to their role", async () => {
    const dev = framework("dev-fw", "dev");
    await dev.subscribe();
    const devOffer = await nextOffer(dev);
    expect(devOffer.resources.filter(isReservedFor)).toEqual([]);
    expect(Resources.from(devOffer.resources).scalar("cpus")).toBe(2);
    // dev keeps its offer: ops gets only what is reserved for it.
    ops = framework("ops-fw", "ops");
    await ops.subscribe();
    const opsOffer = await nextOffer(ops);
    expect(Resources.from(opsOffer.resources).toString()).toBe("cpus(ops):1;mem(ops):256");
    expect(opsOffer.allocation_info).toEqual({ role: "ops" });
    await ops.mustCall({ type: "DECLINE", decline: { offer_ids: [opsOffer.id], filters: { refuse_seconds: 0 } } });
    await teardown(dev);
  });

  it("RESERVE with labels: the reservation is checkpointed and offered back to its role only", async () => {
    const offer = await nextOffer(ops, (o) => Resources.from(o.resources).unreserved().scalar("disk") >= 300);
    await accept(ops, offer, [{ type: "RESERVE", reserve: { resources: [...reserved("cpus:0.5", "ops", LABELS), ...reserved("disk:300", "ops")] } }]);
    const next = await nextOffer(ops, (o) => dynamicOf(o).length > 0);
    const dyn = Resources.from(dynamicOf(next));
    expect(dyn.scalar("cpus")).toBe(0.5);
    expect(dyn.scalar("disk")).toBe(300);
    expect(dynamicOf(next).find((r) => r.name === "cpus")!.reservations).toEqual([{ type: "DYNAMIC", role: "ops", labels: LABELS }]);
    expect(agentTotal().reserved("ops").scalar("cpus")).toBe(1.5);
    await waitUntil(() => readCheckpoint().length === 2, 5000, "the agent's checkpoint");
    // The roles data for the dashboard counts the reservations.
    const ops_ = master.running.master.allocator.snapshot!().roles.find((r) => r.role === "ops")!;
    expect(ops_.reserved).toMatchObject({ cpus: 1.5, mem: 256, disk: 300 });

    // Another role never sees them: ops declines for an hour, dev gets only unreserved resources.
    await ops.mustCall({ type: "DECLINE", decline: { offer_ids: [next.id], filters: { refuse_seconds: 3600 } } });
    const dev = framework("dev-fw-2", "dev");
    await dev.subscribe();
    const devOffer = await nextOffer(dev);
    expect(devOffer.resources.filter(isReservedFor)).toEqual([]);
    await new Promise((r) => setTimeout(r, 600)); // a few allocation rounds
    for (const o of master.running.master.offers.values()) {
      for (const r of o.resources.reserved().toArray()) expect(`${o.role}: ${r.reservations!.at(-1)!.role}`).toBe(`${o.role}: ops`);
    }
    const held = [...master.running.master.offers.values()].filter((o) => o.frameworkId === dev.frameworkId);
    expect(held.every((o) => o.resources.reserved().isEmpty())).toBe(true);
    await teardown(dev);
    await ops.mustCall({ type: "REVIVE", revive: {} });
  });

  it("CREATE a volume: a task writes into it, the volume outlives it, a second task reads the file", async () => {
    const offer = await nextOffer(ops, (o) => dynamicOf(o).some((r) => r.name === "disk") && Resources.from(o.resources).reserved("ops").scalar("cpus") >= 1.5);
    await accept(ops, offer, [
      { type: "CREATE", create: { volumes: [volume("vol1", 100)] } },
      { type: "LAUNCH", launch: { task_infos: [task(offer, "writer", "echo persistent-hello > data/hello.txt", [volume("vol1", 100)])] } },
    ]);
    const done = await ops.waitFor(isUpdateFor("writer"), 15_000, true).then(async (e) =>
      e.update.status.state === "TASK_FINISHED" ? e : ops.waitFor(isUpdateFor("writer", "TASK_FINISHED"), 15_000, true),
    );
    expect(done.update.status.state).toBe("TASK_FINISHED");
    expect(fs.readFileSync(path.join(volumeDir("vol1"), "hello.txt"), "utf8")).toBe("persistent-hello\n");
    expect(agent.output.some((l) => /persistent volume vol1 (bind-mounted|symlinked)/.test(l))).toBe(true);

    // The agent's own /state shows the reservations and the volume.
    const state = (await (await fetch(`http://127.0.0.1:${agent.port}/state`)).json()) as { reserved_resources_full: Record<string, Resource[]> };
    const full = Resources.from(state.reserved_resources_full.ops!);
    expect(full.persistentVolumes().toArray().map((r) => r.disk!.persistence!.id)).toEqual(["vol1"]);
    expect(full.scalar("disk")).toBe(300);

    const back = await nextOffer(ops, hasVolume("vol1"));
    expect(back.allocation_info).toEqual({ role: "ops" });
    expect(agentTotal().reserved("ops").persistentVolumes().scalar("disk")).toBe(100);
    expect(agentTotal().reserved("ops").scalar("disk")).toBe(300); // 200 reserved disk + the 100 MB volume
    await accept(ops, back, [{ type: "LAUNCH", launch: { task_infos: [task(back, "reader", "cat data/hello.txt", [volume("vol1", 100)])] } }]);
    await ops.waitFor(isUpdateFor("reader", "TASK_FINISHED"), 15_000, true);
    expect(fs.readFileSync(sandboxFile(ops.frameworkId!, "reader", "stdout"), "utf8")).toContain("persistent-hello");
    await decline(ops, await nextOffer(ops, hasVolume("vol1"))); // offered back again once the reader ended
  });

  it("reservations and volumes survive an agent restart and a master restart", async () => {
    const before = agentTotal();
    // Agent restart (the master stays up).
    await agent.stop();
    earlierOutput.push(...agent.output);
    agent = await startTestAgent(master.address, { resources: STATIC, workDir: agent.workDir, port: agentPort });
    await waitUntil(() => master.running.master.agents.get(agentId)?.connection === "connected", 20_000, "agent re-registration");
    expect(agentTotal().equals(before)).toBe(true);
    await nextOffer(ops, hasVolume("vol1"));

    // Master restart: the agent re-registers with its checkpointed resources.
    const port = master.port;
    for (const c of clients.splice(0)) c.disconnect();
    await master.stop();
    master = await startTestMaster({ registry, port });
    await waitUntil(() => master.running.master.agents.get(agentId)?.connection === "connected", 20_000, "agent re-registration after the master restart");
    expect(agentTotal().equals(before)).toBe(true);
    ops = framework("ops-fw-after-restart", "ops");
    await ops.subscribe();
    const offer = await nextOffer(ops, hasVolume("vol1"));
    expect(dynamicOf(offer).find((r) => r.name === "cpus")!.reservations).toEqual([{ type: "DYNAMIC", role: "ops", labels: LABELS }]);
    expect(fs.readFileSync(path.join(volumeDir("vol1"), "hello.txt"), "utf8")).toBe("persistent-hello\n");
    await decline(ops, offer);
  });

  it("bad operations are refused with Mesos's errors and change nothing", async () => {
    const offer = await nextOffer(ops, hasVolume("vol1"));
    const total = agentTotal();
    const checkpoint = JSON.stringify(readCheckpoint());
    const unreservedDisk: Resource = { name: "disk", type: "SCALAR", scalar: { value: 50 }, allocation_info: { role: "ops" }, disk: { persistence: { id: "vol2" }, volume: { mode: "RW", container_path: "d2" } } };
    await accept(ops, offer, [
      { type: "CREATE", create: { volumes: [unreservedDisk] } }, // CREATE on unreserved disk
      { type: "RESERVE", reserve: { resources: reserved("cpus:100", "ops") } }, // not in the offer
      { type: "RESERVE", reserve: { resources: reserved("cpus:0.1", "nobody") } }, // a role the framework is not subscribed to
      { type: "UNRESERVE", unreserve: { resources: [volume("vol1", 100)] } }, // a volume cannot be unreserved
      { type: "DESTROY", destroy: { volumes: [volume("nope", 10)] } }, // no such volume
    ]);
    const again = await nextOffer(ops, hasVolume("vol1"));
    expect(Resources.from(again.resources).contains(Resources.from(offer.resources))).toBe(true); // everything recovered
    expect(agentTotal().equals(total)).toBe(true);
    expect(JSON.stringify(readCheckpoint())).toBe(checkpoint);

    // A task holds the volume: DESTROY is refused.
    await accept(ops, again, [{ type: "LAUNCH", launch: { task_infos: [task(again, "holder", "sleep 600", [volume("vol1", 100)])] } }]);
    await ops.waitFor(isUpdateFor("holder", "TASK_RUNNING"), 15_000, true);
    const plainVolume = { ...volume("vol1", 100), allocation_info: undefined };
    const inUse = await operatorCall(master.port, { type: "DESTROY_VOLUMES", destroy_volumes: { agent_id: { value: agentId }, volumes: [plainVolume] } });
    expect(inUse.status).toBe(400);
    expect(inUse.body).toContain("Persistent volumes in use");
    const onUnreserved = await operatorCall(master.port, { type: "CREATE_VOLUMES", create_volumes: { agent_id: { value: agentId }, volumes: [{ ...unreservedDisk, allocation_info: undefined }] } });
    expect(onUnreserved.status).toBe(400);
    expect(onUnreserved.body).toContain("Persistent volumes cannot be created from unreserved resources");
    const badRole = await operatorCall(master.port, { type: "RESERVE_RESOURCES", reserve_resources: { agent_id: { value: agentId }, resources: [{ ...reserved("cpus:0.1", "bad role")[0], allocation_info: undefined }] } });
    expect(badRole.status).toBe(400);
    const tooMuch = await operatorCall(master.port, { type: "UNRESERVE_RESOURCES", unreserve_resources: { agent_id: { value: agentId }, resources: [{ ...reserved("cpus:50", "ops")[0], allocation_info: undefined }] } });
    expect(tooMuch.status).toBe(409);
    expect(agentTotal().equals(total)).toBe(true);
    expect(JSON.stringify(readCheckpoint())).toBe(checkpoint);
    await ops.mustCall({ type: "KILL", kill: { task_id: { value: "holder" }, agent_id: { value: agentId } } });
    await ops.waitFor(isUpdateFor("holder", "TASK_KILLED"), 15_000, true);
  });

  it("DESTROY then UNRESERVE return the resources to the unreserved pool", async () => {
    const offer = await nextOffer(ops, hasVolume("vol1"));
    await accept(ops, offer, [{ type: "DESTROY", destroy: { volumes: [volume("vol1", 100)] } }]);
    const next = await nextOffer(ops, (o) => !hasVolume("vol1")(o) && Resources.from(dynamicOf(o)).scalar("disk") === 300);
    await waitUntil(() => !fs.existsSync(volumeDir("vol1")), 5000, "the volume's directory removed");
    await accept(ops, next, [{ type: "UNRESERVE", unreserve: { resources: [...reserved("cpus:0.5", "ops", LABELS), ...reserved("disk:300", "ops")] } }]);
    const last = await nextOffer(ops, (o) => dynamicOf(o).length === 0);
    expect(volumeIds(last)).toEqual([]);
    expect(agentTotal().equals(Resources.parse(STATIC))).toBe(true);
    await waitUntil(() => readCheckpoint().length === 0, 5000, "an empty checkpoint");

    // The operator API does the same on unallocated resources (offers are rescinded when needed).
    const mem = { ...reserved("mem:64", "ops")[0]!, allocation_info: undefined };
    const r1 = await operatorCall(master.port, { type: "RESERVE_RESOURCES", reserve_resources: { agent_id: { value: agentId }, resources: [mem] } });
    expect(r1.status).toBe(202);
    expect(agentTotal().reserved("ops").scalar("mem")).toBe(256 + 64);
    await waitUntil(() => readCheckpoint().length === 1, 5000, "the operator reservation checkpointed");
    const r2 = await operatorCall(master.port, { type: "UNRESERVE_RESOURCES", unreserve_resources: { agent_id: { value: agentId }, resources: [mem] } });
    expect(r2.status).toBe(202);
    expect(agentTotal().equals(Resources.parse(STATIC))).toBe(true);
    await waitUntil(() => readCheckpoint().length === 0, 5000, "the checkpoint emptied again");

    // The legacy form endpoints go the same way.
    const form = (p: string, body: string) => rawCall({ host: "127.0.0.1", port: master.port }, body, { "Content-Type": "application/x-www-form-urlencoded" }, p);
    const encoded = encodeURIComponent(JSON.stringify([mem]));
    expect((await form("/master/reserve", `slaveId=${agentId}&resources=${encoded}`)).status).toBe(202);
    expect(agentTotal().reserved("ops").scalar("mem")).toBe(256 + 64);
    expect((await form("/master/unreserve", `slaveId=${agentId}&resources=${encoded}`)).status).toBe(202);
    expect(agentTotal().equals(Resources.parse(STATIC))).toBe(true);
  });
});
