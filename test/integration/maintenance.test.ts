// Maintenance and draining end to end: a real master (SQLite registry, restarted on the same
// port and registry) with real agents and schedulers over HTTP. DRAIN_AGENT of an agent running
// 20 tasks that ignore SIGTERM; a maintenance schedule producing inverse offers for the right
// framework; machine down (tasks lost, agent shut down and refused) and up; Mesos's errors.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTestAgent, startTestMaster, tempDir, waitForAgents, waitUntil, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import type { SchedulerEvent } from "../../server/protocol/scheduler";
import type { Offer } from "../../server/protocol/mesos";
import { autoAcknowledge, commandTask, isOffers, launch, newScheduler, type UpdateEvent } from "./helpers";
import { get, getJson, operatorCall, operatorGet } from "./operator-helpers";
import { rawCall } from "../../server/cli/scheduler-client";
import type { SchedulerClient } from "../../server/cli/scheduler-client";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

const TERMINAL = new Set(["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"]);

function post(port: number, urlPath: string, body: unknown) {
  return rawCall({ host: "127.0.0.1", port }, JSON.stringify(body), { "Content-Type": "application/json" }, urlPath);
}

async function masterOn(registry: string, port?: number): Promise<TestMaster> {
  const master = await startTestMaster({ registry, ...(port ? { port } : {}) });
  cleanups.push(() => master.stop());
  return master;
}

async function agentOn(master: TestMaster, hostname: string, workDir?: string): Promise<TestAgent> {
  const agent = await startTestAgent(master.address, { extra: [`--hostname=${hostname}`], ...(workDir ? { workDir } : {}) });
  cleanups.push(() => agent.stop({ killTasks: true }));
  return agent;
}

async function agentsOf(port: number): Promise<any[]> {
  return (await operatorGet(port, { type: "GET_AGENTS" })).get_agents.agents ?? [];
}

/** The first offer from the agent with this hostname (other offers are declined). */
async function offerFrom(client: SchedulerClient, hostname: string): Promise<Offer> {
  for (;;) {
    const e = await client.waitFor(isOffers, 15_000, true);
    client.received.splice(client.received.indexOf(e), 1);
    const mine = e.offers.offers.find((o) => o.hostname === hostname);
    const others = e.offers.offers.filter((o) => o !== mine).map((o) => o.id);
    if (others.length) await client.call({ type: "DECLINE", decline: { offer_ids: others, filters: { refuse_seconds: 0.5 } } });
    if (mine) return mine;
  }
}

describe("DRAIN_AGENT", () => {
  it("drains an agent with 20 running tasks: every task terminal within max_grace_period + 1 s, no offers from it, DRAINED, and still DRAINED after a master restart", async () => {
    const dir = tempDir("maint-drain");
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const registry = path.join(dir, "registry.db");
    let master = await masterOn(registry);
    await agentOn(master, "drain-node");
    await waitForAgents(master, 1);

    const fw = newScheduler(master.address, { name: "drain-fw", checkpoint: true });
    autoAcknowledge(fw);
    await fw.subscribe();
    const offer = await offerFrom(fw, "drain-node");
    const agentId = offer.agent_id.value;
    // Tasks ignore SIGTERM and ask for a 60 s grace period: only the drain's 2 s maximum ends them.
    const tasks = Array.from({ length: 20 }, (_, i) =>
      commandTask(offer, `t${i}`, "trap '' TERM; sleep 600", "cpus:0.1;mem:16", { kill_policy: { grace_period: { nanoseconds: 60e9 } } }),
    );
    await launch(fw, offer, tasks);
    const running = new Set<string>();
    await waitUntil(() => {
      for (const e of fw.received) if (e.type === "UPDATE" && e.update.status.state === "TASK_RUNNING") running.add(e.update.status.task_id.value);
      return running.size === 20;
    }, 30_000, "20 running tasks");

    const terminalAt = new Map<string, number>();
    const offersFromAgent: number[] = [];
    fw.on("UPDATE", (e: UpdateEvent) => {
      if (TERMINAL.has(e.update.status.state) && !terminalAt.has(e.update.status.task_id.value)) terminalAt.set(e.update.status.task_id.value, Date.now());
    });
    fw.on("OFFERS", (e: Extract<SchedulerEvent, { type: "OFFERS" }>) => {
      for (const o of e.offers.offers) if (o.agent_id.value === agentId) offersFromAgent.push(Date.now());
    });

    const started = Date.now();
    const drain = await operatorCall(master.port, { type: "DRAIN_AGENT", drain_agent: { agent_id: { value: agentId }, max_grace_period: { seconds: 2 }, mark_gone: false } });
    expect(drain.status).toBe(200);
    const refused = await operatorCall(master.port, { type: "REACTIVATE_AGENT", reactivate_agent: { agent_id: { value: agentId } } });
    expect([refused.status, refused.body]).toEqual([400, "Agent is still in the DRAINING state"]);
    const draining = (await agentsOf(master.port)).find((a) => a.agent_info.id.value === agentId);
    expect(draining).toMatchObject({ deactivated: true, drain_info: { state: "DRAINING", config: { mark_gone: false, max_grace_period: { nanoseconds: 2e9 } } } });

    await waitUntil(() => terminalAt.size === 20, 15_000, "20 terminal updates");
    const slowest = Math.max(...terminalAt.values()) - started;
    console.log(JSON.stringify({ bench: "drain-20-tasks", max_grace_period_ms: 2000, last_terminal_ms: slowest }));
    expect(slowest).toBeLessThanOrEqual(3000);
    const drained = await waitUntil(async () => (await agentsOf(master.port)).find((a) => a.agent_info.id.value === agentId && a.drain_info?.state === "DRAINED"), 10_000, "DRAINED");
    expect(drained.deactivated).toBe(true);
    await new Promise((r) => setTimeout(r, 1000)); // allocation rounds run every 200 ms
    expect(offersFromAgent).toEqual([]);
    const timeline = master.running.handle.timeline();
    expect(timeline.find((e) => e.action === "DRAIN_AGENT")).toMatchObject({ principal: "anonymous", result: "ok", agentId });
    expect(timeline.some((e) => e.action === "AGENT_DRAINED" && e.agentId === agentId)).toBe(true);

    // A new master on the same registry: the agent re-registers still DRAINED and deactivated.
    const port = master.port;
    fw.disconnect();
    await master.stop();
    master = await masterOn(registry, port);
    await waitUntil(() => master.running.master.agents.get(agentId)?.connection === "connected", 20_000, "agent re-registration");
    const after = (await agentsOf(port)).find((a) => a.agent_info.id.value === agentId);
    expect(after).toMatchObject({ deactivated: true, drain_info: { state: "DRAINED" } });
    const legacy = await getJson(port, "/master/slaves");
    expect(legacy.slaves.find((s: any) => s.id === agentId)).toMatchObject({ deactivated: true, active: false, drain_info: { state: "DRAINED" } });

    // DRAINED agents can be reactivated.
    const reactivated = await operatorCall(port, { type: "REACTIVATE_AGENT", reactivate_agent: { agent_id: { value: agentId } } });
    expect(reactivated.status).toBe(200);
    expect((await agentsOf(port)).find((a) => a.agent_info.id.value === agentId)).toMatchObject({ deactivated: false });
  });

  it("answers invalid drain and agent calls with Mesos's errors", async () => {
    const master = await masterOn("in_memory");
    const unknown = { agent_id: { value: "no-such-agent" } };
    const cases: [unknown, number, string][] = [
      [{ type: "DRAIN_AGENT", drain_agent: unknown }, 400, "Unknown agent"],
      [{ type: "DEACTIVATE_AGENT", deactivate_agent: unknown }, 400, "Unknown agent"],
      [{ type: "REACTIVATE_AGENT", reactivate_agent: unknown }, 400, "Unknown agent"],
      [{ type: "MARK_AGENT_GONE", mark_agent_gone: unknown }, 400, "Unknown agent"],
      [{ type: "DRAIN_AGENT" }, 400, "Failed to validate master::Call: Expecting 'drain_agent' to be present"],
    ];
    for (const [call, status, body] of cases) {
      const r = await operatorCall(master.port, call);
      expect([r.status, r.body]).toEqual([status, body]);
    }
    const badType = await operatorCall(master.port, { type: "DRAIN_AGENT", drain_agent: { agent_id: { value: 7 } } });
    expect(badType.status).toBe(400);
    expect(badType.body).toMatch(/^Failed to convert JSON into Call protobuf/);
  });
});

describe("maintenance schedule", () => {
  it("inverse offers go to the framework on the scheduled machine; machine down kills its tasks and refuses the agent; survives a master restart; machine up admits it again", async () => {
    const dir = tempDir("maint-schedule");
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const registry = path.join(dir, "registry.db");
    let master = await masterOn(registry);
    const agentA = await agentOn(master, "node-a");
    await agentOn(master, "node-b");
    await waitForAgents(master, 2);

    const A = newScheduler(master.address, { name: "fw-a" });
    const B = newScheduler(master.address, { name: "fw-b" });
    for (const c of [A, B]) autoAcknowledge(c);
    await A.subscribe();
    const offerA = await offerFrom(A, "node-a");
    await launch(A, offerA, [commandTask(offerA, "on-a", "sleep 600")], 3600);
    await B.subscribe();
    const offerB = await offerFrom(B, "node-b");
    await launch(B, offerB, [commandTask(offerB, "on-b", "sleep 600")], 3600);
    await A.waitFor((e) => e.type === "UPDATE" && e.update.status.state === "TASK_RUNNING", 15_000, true);
    await B.waitFor((e) => e.type === "UPDATE" && e.update.status.state === "TASK_RUNNING", 15_000, true);

    // Invalid schedules change nothing.
    const machineA = { hostname: "node-a", ip: "127.0.0.1" };
    const unavailability = { start: { nanoseconds: 1_900_000_000_000_000_000 }, duration: { nanoseconds: 3_600_000_000_000 } };
    const dup = await post(master.port, "/master/maintenance/schedule", { windows: [{ machine_ids: [machineA, machineA], unavailability }] });
    expect([dup.status, dup.body]).toEqual([400, `Machine 'hostname: "node-a" ip: "127.0.0.1"' appears more than once in the schedule`]);
    const badIp = await operatorCall(master.port, { type: "UPDATE_MAINTENANCE_SCHEDULE", update_maintenance_schedule: { schedule: { windows: [{ machine_ids: [{ ip: "1.2.3" }], unavailability }] } } });
    expect([badIp.status, badIp.body]).toEqual([400, "Failed to parse IP '1.2.3'"]);
    const notScheduled = await post(master.port, "/master/machine/down", [machineA]);
    expect([notScheduled.status, notScheduled.body]).toEqual([400, `Machine 'hostname: "node-a" ip: "127.0.0.1"' is not part of a maintenance schedule`]);
    expect(await getJson(master.port, "/master/maintenance/schedule")).toEqual({ windows: [] });

    // Schedule node-a: fw-a (running there) gets an inverse offer with the unavailability; fw-b does not.
    const schedule = { windows: [{ machine_ids: [machineA], unavailability }] };
    const posted = await operatorCall(master.port, { type: "UPDATE_MAINTENANCE_SCHEDULE", update_maintenance_schedule: { schedule } });
    expect(posted.status).toBe(200);
    const inverse = await A.waitFor((e) => e.type === "INVERSE_OFFERS", 10_000, true);
    const io = (inverse as Extract<SchedulerEvent, { type: "INVERSE_OFFERS" }>).inverse_offers.inverse_offers[0]!;
    expect(io).toMatchObject({ agent_id: offerA.agent_id, framework_id: { value: A.frameworkId }, unavailability });
    // Offers from node-a now carry the unavailability (fw-b declines node-a offers for 0.5 s only).
    const withUnavailability = await B.waitFor((e) => e.type === "OFFERS" && e.offers.offers.some((o) => o.hostname === "node-a" && o.unavailability !== undefined), 10_000);
    expect((withUnavailability as Extract<SchedulerEvent, { type: "OFFERS" }>).offers.offers.find((o) => o.hostname === "node-a")!.unavailability).toEqual(unavailability);
    const frameworks = (await operatorGet(master.port, { type: "GET_FRAMEWORKS" })).get_frameworks.frameworks as any[];
    expect(frameworks.find((f) => f.framework_info.id.value === A.frameworkId).inverse_offers).toEqual([io]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(B.received.some((e) => e.type === "INVERSE_OFFERS")).toBe(false);
    expect((await operatorGet(master.port, { type: "GET_MAINTENANCE_SCHEDULE" })).get_maintenance_schedule.schedule).toEqual(schedule);

    // fw-a declines; the answer shows in the maintenance status.
    await A.mustCall({ type: "DECLINE_INVERSE_OFFERS", decline_inverse_offers: { inverse_offer_ids: [io.id], filters: { refuse_seconds: 60 } } });
    const status = await operatorGet(master.port, { type: "GET_MAINTENANCE_STATUS" });
    expect(status.get_maintenance_status.status.draining_machines).toEqual([
      { id: machineA, statuses: [expect.objectContaining({ status: "DECLINE", framework_id: { value: A.frameworkId } })] },
    ]);

    // Machine down: fw-a's task is lost, the agent is shut down and removed; fw-b is untouched.
    const down = await post(master.port, "/master/machine/down", [machineA]);
    expect(down.status).toBe(200);
    const lost = (await A.waitFor((e) => e.type === "UPDATE" && e.update.status.task_id.value === "on-a" && e.update.status.state === "TASK_LOST", 10_000, true)) as UpdateEvent;
    expect(lost.update.status.reason).toBe("REASON_AGENT_REMOVED");
    await waitUntil(() => agentA.process.exitCode !== null, 15_000, "node-a agent exit");
    expect((await agentsOf(master.port)).map((a) => a.agent_info.hostname)).toEqual(["node-b"]);
    expect(await getJson(master.port, "/master/maintenance/status")).toEqual({ draining_machines: [], down_machines: [machineA] });
    // Removing a DOWN machine from the schedule is refused.
    const removeDown = await post(master.port, "/master/maintenance/schedule", { windows: [] });
    expect([removeDown.status, removeDown.body]).toEqual([400, `Machine 'hostname: "node-a" ip: "127.0.0.1"' is deactivated and cannot be removed from the schedule`]);

    // A new master on the same registry still has the schedule and the DOWN machine; node-a is refused.
    const port = master.port;
    A.disconnect();
    B.disconnect();
    await master.stop();
    master = await masterOn(registry, port);
    expect(await getJson(port, "/master/maintenance/schedule")).toEqual(schedule);
    expect(await getJson(port, "/master/maintenance/status")).toEqual({ draining_machines: [], down_machines: [machineA] });
    const again = await agentOn(master, "node-a");
    await waitUntil(() => again.process.exitCode !== null, 15_000, "refused node-a agent exits");
    expect(again.output.join("\n")).toContain("Machine is DOWN");
    expect([...master.running.master.agents.values()].some((a) => a.info.hostname === "node-a")).toBe(false);

    // Machine up: out of the schedule, the agent may register again.
    const up = await post(master.port, "/master/machine/up", [machineA]);
    expect(up.status).toBe(200);
    expect(await getJson(port, "/master/maintenance/schedule")).toEqual({ windows: [] });
    const readmitted = await agentOn(master, "node-a");
    await waitUntil(() => [...master.running.master.agents.values()].some((a) => a.info.hostname === "node-a" && a.connection === "connected"), 20_000, "node-a registered");
    expect(readmitted.process.exitCode).toBeNull();
    const timeline = master.running.handle.timeline();
    expect(timeline.find((e) => e.action === "STOP_MAINTENANCE")).toMatchObject({ principal: "anonymous", result: "ok" });
    expect((await get(port, "/master/machine/up")).status).toBe(405);
  });
});
