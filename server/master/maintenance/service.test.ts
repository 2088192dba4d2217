// Maintenance and draining against an in-process master (manual clock, memory registry, fake
// agent links and scheduler streams): schedules and inverse offers, machine down/up, DRAIN_AGENT,
// deactivation, marking gone, and recovery of all of it by a new master on the same registry.
import { afterEach, describe, expect, it } from "vitest";
import { Resources } from "../../resources";
import { accept } from "../accept";
import { acknowledge, statusUpdate } from "../tasks";
import { markUnreachable } from "../agents";
import { reregisterAgent } from "../reregistration";
import { agentStatus, FakeLink, frameworkInfo, registerFakeAgent, startHarness, subscribeFramework, type Harness } from "../../testing/master-harness";
import type { Offer } from "../../protocol/mesos";
import type { Agent } from "../state";
import { Maintenance } from "./service";
import { CommandError } from "../errors";
import { MasterHandle } from "../handle";
import type { Schedule } from "./machines";

let h: Harness;
let svc: Maintenance;
afterEach(() => {
  svc?.stop();
  h?.stopLoop();
});

const who = { principal: "ops", reason: "kernel upgrade" };
const HOUR_NS = 3600e9;

async function start(registry?: Harness["registry"]) {
  h = await startHarness(registry ? { registry } : {});
  svc = new Maintenance(h.master);
  svc.start();
}

function offersOf(sink: ReturnType<typeof subscribeFramework>["sink"]): Offer[] {
  return sink.of("OFFERS").flatMap((e) => e.offers.offers);
}

/** Launches `count` tasks on `offer` (each 0.1 cpu) and reports them RUNNING. */
function launchRunning(frameworkId: string, offer: Offer, prefix: string, count: number, killGraceNs?: number) {
  const fw = h.master.frameworks.get(frameworkId)!;
  const tasks = Array.from({ length: count }, (_, i) => ({
    name: `${prefix}${i}`,
    task_id: { value: `${prefix}${i}` },
    agent_id: offer.agent_id,
    resources: Resources.parse("cpus:0.1;mem:16").allocate(offer.allocation_info.role).toArray(),
    command: { value: "sleep 100" },
    ...(killGraceNs !== undefined ? { kill_policy: { grace_period: { nanoseconds: killGraceNs } } } : {}),
  }));
  accept(h.master, fw, { offer_ids: [offer.id], operations: [{ type: "LAUNCH", launch: { task_infos: tasks as never } }], filters: { refuse_seconds: 0 } });
  for (const t of tasks) {
    statusUpdate(h.master, offer.agent_id.value, { framework_id: { value: frameworkId }, agent_id: offer.agent_id, status: agentStatus(t.task_id.value, "TASK_RUNNING") });
  }
  return tasks.map((t) => t.task_id.value);
}

/** Two agents on two machines (host/127.0.0.1 and host/127.0.0.2), framework A on the first, B on the second. */
async function twoMachines() {
  const a1 = await registerFakeAgent(h, { endpoint: "127.0.0.1:5051" });
  const A = subscribeFramework(h, frameworkInfo({ name: "A", capabilities: [{ type: "PARTITION_AWARE" }] }));
  h.clock.advance(1000);
  const offerA = offersOf(A.sink).find((o) => o.agent_id.value === a1.agent.id)!;
  const tasksA = launchRunning(A.framework!.id, offerA, "a", 2);
  h.master.allocator.suppressOffers(A.framework!.id, []); // the second agent goes to B
  const a2 = await registerFakeAgent(h, { endpoint: "127.0.0.2:5051" });
  const B = subscribeFramework(h, frameworkInfo({ name: "B" }));
  h.clock.advance(1000);
  const offerB = offersOf(B.sink).find((o) => o.agent_id.value === a2.agent.id)!;
  expect(offerB).toBeDefined();
  const tasksB = launchRunning(B.framework!.id, offerB, "b", 2);
  return { a1, a2, A, B, tasksA, tasksB };
}

const window1 = (ip = "127.0.0.1", startNs = Date.UTC(2026, 0, 2) * 1e6): Schedule => ({
  windows: [{ machine_ids: [{ hostname: "host", ip }], unavailability: { start: { nanoseconds: startNs }, duration: { nanoseconds: HOUR_NS } } }],
});

async function rejects(p: Promise<unknown>, code: CommandError["code"], message: string) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(CommandError);
  expect((err as CommandError).code).toBe(code);
  expect((err as CommandError).message).toBe(message);
}

/** The agent reports a task terminal and the framework acknowledges the update. */
function finishTask(agent: Agent, frameworkId: string, taskId: string, state: "TASK_KILLED" | "TASK_FINISHED" = "TASK_KILLED") {
  const status = agentStatus(taskId, state);
  statusUpdate(h.master, agent.id, { framework_id: { value: frameworkId }, agent_id: { value: agent.id }, status });
  acknowledge(h.master, h.master.frameworks.get(frameworkId)!, { agent_id: { value: agent.id }, task_id: { value: taskId }, uuid: status.uuid! });
}

describe("maintenance schedule and inverse offers", () => {
  it("sends inverse offers only to frameworks using the scheduled machine, and offers carry the unavailability", async () => {
    await start();
    const { a1, A, B } = await twoMachines();
    const schedule = window1();
    await svc.updateSchedule(schedule, who);
    expect(svc.currentSchedule()).toEqual(schedule);
    expect(svc.modeOf({ hostname: "HOST", ip: "127.0.0.1" })).toBe("DRAINING"); // hostnames compare case-insensitively
    expect(svc.modeOf({ hostname: "host", ip: "127.0.0.2" })).toBe("UP");

    const inverse = A.sink.of("INVERSE_OFFERS").flatMap((e) => e.inverse_offers.inverse_offers);
    expect(inverse).toHaveLength(1);
    expect(inverse[0]).toMatchObject({ agent_id: { value: a1.agent.id }, framework_id: { value: A.framework!.id }, unavailability: schedule.windows[0]!.unavailability });
    expect(B.sink.of("INVERSE_OFFERS")).toHaveLength(0);

    // New offers from the draining agent carry the unavailability; others do not.
    h.clock.advance(1000);
    const fresh = [...offersOf(A.sink), ...offersOf(B.sink)].filter((o) => o.agent_id.value === a1.agent.id && o.unavailability);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh[0]!.unavailability).toEqual(schedule.windows[0]!.unavailability);
    expect(offersOf(B.sink).filter((o) => o.agent_id.value !== a1.agent.id).every((o) => !o.unavailability)).toBe(true);

    // Status shows the framework as UNKNOWN until it answers.
    expect(svc.status().draining_machines).toEqual([{ id: { hostname: "host", ip: "127.0.0.1" }, statuses: [expect.objectContaining({ status: "UNKNOWN", framework_id: { value: A.framework!.id } })] }]);

    // DECLINE with a 30 s filter: recorded; no new inverse offer until the filter expires.
    h.master.inverseOfferResponse!(h.master.frameworks.get(A.framework!.id)!, { type: "DECLINE_INVERSE_OFFERS", decline_inverse_offers: { inverse_offer_ids: [inverse[0]!.id], filters: { refuse_seconds: 30 } } });
    expect(svc.status().draining_machines[0]!.statuses[0]!.status).toBe("DECLINE");
    h.clock.advance(20_000);
    expect(A.sink.of("INVERSE_OFFERS")).toHaveLength(1);
    h.clock.advance(11_000);
    const again = A.sink.of("INVERSE_OFFERS").flatMap((e) => e.inverse_offers.inverse_offers);
    expect(again).toHaveLength(2);

    // ACCEPT: recorded (default 5 s filter).
    h.master.inverseOfferResponse!(h.master.frameworks.get(A.framework!.id)!, { type: "ACCEPT_INVERSE_OFFERS", accept_inverse_offers: { inverse_offer_ids: [again[1]!.id] } });
    expect(svc.status().draining_machines[0]!.statuses[0]!.status).toBe("ACCEPT");
    expect(h.master.timeline.list().map((e) => e.action)).toEqual(expect.arrayContaining(["UPDATE_MAINTENANCE_SCHEDULE", "INVERSE_OFFER_DECLINED", "INVERSE_OFFER_ACCEPTED"]));
    const audit = h.master.timeline.list().find((e) => e.action === "UPDATE_MAINTENANCE_SCHEDULE")!;
    expect(audit).toMatchObject({ principal: "ops", reason: "kernel upgrade", result: "ok" });

    // Cancelling the schedule rescinds the outstanding inverse offer and the machine is UP again.
    h.clock.advance(6000);
    const outstanding = [...svc.inverse.records.values()];
    expect(outstanding).toHaveLength(1);
    await svc.updateSchedule({ windows: [] }, who);
    expect(A.sink.of("RESCIND_INVERSE_OFFER").map((e) => e.rescind_inverse_offer.inverse_offer_id.value)).toContain(outstanding[0]!.id);
    expect(svc.status()).toEqual({ draining_machines: [], down_machines: [] });
  });

  it("refuses invalid schedules and machine lists with Mesos's messages, changing nothing", async () => {
    await start();
    const u = { start: { nanoseconds: 1 } };
    await rejects(svc.updateSchedule({ windows: [{ machine_ids: [], unavailability: u }] }, who), "BAD_REQUEST", "List of machines in the maintenance window is empty");
    await rejects(svc.updateSchedule({ windows: [{ machine_ids: [{}], unavailability: u }] }, who), "BAD_REQUEST", "Both 'hostname' and 'ip' for a machine are empty");
    await rejects(svc.updateSchedule({ windows: [{ machine_ids: [{ ip: "10.0.0.300" }], unavailability: u }] }, who), "BAD_REQUEST", "Failed to parse IP '10.0.0.300'");
    await rejects(svc.updateSchedule({ windows: [{ machine_ids: [{ hostname: "a" }], unavailability: { start: { nanoseconds: 1 }, duration: { nanoseconds: -1 } } }] }, who), "BAD_REQUEST", "Unavailability 'duration' is negative");
    await rejects(
      svc.updateSchedule({ windows: [{ machine_ids: [{ hostname: "a" }], unavailability: u }, { machine_ids: [{ hostname: "A" }], unavailability: u }] }, who),
      "BAD_REQUEST",
      `Machine 'hostname: "A"' appears more than once in the schedule`,
    );
    expect(svc.currentSchedule()).toEqual({ windows: [] });
    await rejects(svc.startMaintenance([], who), "BAD_REQUEST", "List of machines is empty");
    await rejects(svc.startMaintenance([{ hostname: "a" }], who), "BAD_REQUEST", `Machine 'hostname: "a"' is not part of a maintenance schedule`);
    await rejects(svc.stopMaintenance([{ hostname: "a" }], who), "BAD_REQUEST", `Machine 'hostname: "a"' is not in DOWN mode and cannot be brought up`);

    await svc.updateSchedule({ windows: [{ machine_ids: [{ hostname: "a" }], unavailability: u }] }, who);
    await svc.startMaintenance([{ hostname: "a" }], who);
    await rejects(svc.startMaintenance([{ hostname: "a" }], who), "BAD_REQUEST", `Machine 'hostname: "a"' is not in DRAINING mode and cannot be brought down`);
    await rejects(svc.updateSchedule({ windows: [] }, who), "BAD_REQUEST", `Machine 'hostname: "a"' is deactivated and cannot be removed from the schedule`);
    expect(svc.status().down_machines).toEqual([{ hostname: "a" }]);
    const errors = h.master.timeline.list().filter((e) => e.result === "error");
    expect(errors.length).toBe(10);
    expect(errors.every((e) => e.principal === "ops")).toBe(true);
  });
});

describe("machine down and up", () => {
  it("takes the machine's agents down (tasks LOST, agent shut down), refuses them while DOWN, admits them once UP", async () => {
    await start();
    const { a1, A, B, tasksA } = await twoMachines();
    await svc.updateSchedule(window1(), who);
    await svc.startMaintenance([{ hostname: "host", ip: "127.0.0.1" }], who);

    expect(a1.link.of("SHUTDOWN_AGENT")).toHaveLength(1);
    expect(h.master.agents.has(a1.agent.id)).toBe(false);
    const lost = A.sink.of("UPDATE").map((e) => e.update.status).filter((s) => s.state === "TASK_LOST");
    expect(lost.map((s) => s.task_id.value).sort()).toEqual(tasksA.sort());
    expect(lost.every((s) => s.reason === "REASON_AGENT_REMOVED")).toBe(true);
    expect(B.sink.of("UPDATE").some((s) => s.update.status.state === "TASK_LOST")).toBe(false);
    expect(h.registry.agents.has(a1.agent.id)).toBe(false);
    expect(svc.status()).toEqual({ draining_machines: [], down_machines: [{ hostname: "host", ip: "127.0.0.1" }] });

    // Re-registration and a fresh registration from the DOWN machine are refused.
    const link = new FakeLink("127.0.0.1:5051");
    const back = await reregisterAgent(h.master, { type: "REREGISTER_AGENT", protocol_version: 1, agent_info: { ...a1.agent.info }, version: "1.11.0", capabilities: [], endpoint: link.remoteAddress, tasks: [], executors: [], frameworks: [] } as never, link);
    expect(back).toBeNull();
    expect(link.of("SHUTDOWN_AGENT")[0]!.message).toBe("Machine is DOWN");
    const fresh = await registerFakeAgent(h, { endpoint: "127.0.0.1:5052" });
    expect(fresh.agent).toBeNull();

    await svc.stopMaintenance([{ hostname: "host", ip: "127.0.0.1" }], who);
    expect(svc.currentSchedule()).toEqual({ windows: [] });
    expect(svc.status()).toEqual({ draining_machines: [], down_machines: [] });
    const again = await registerFakeAgent(h, { endpoint: "127.0.0.1:5053" });
    expect(again.agent).not.toBeNull();
  });
});

describe("agent draining", () => {
  it("drains an agent with 20 tasks: no offers from it, kills with min(grace, max), DRAINED after the terminal updates are acknowledged", async () => {
    await start();
    const a1 = await registerFakeAgent(h, { endpoint: "127.0.0.1:5051" });
    const A = subscribeFramework(h);
    h.clock.advance(1000);
    const offer = offersOf(A.sink)[0]!;
    // Half the tasks have a long kill grace period (60 s), half a short one (1 s).
    const long = launchRunning(A.framework!.id, offer, "long", 10, 60e9);
    h.clock.advance(1000);
    const offer2 = offersOf(A.sink).find((o) => o.id.value !== offer.id.value && o.agent_id.value === a1.agent.id)!;
    const short = launchRunning(A.framework!.id, offer2, "short", 10, 1e9);
    h.clock.advance(1000);
    const outstanding = [...a1.agent.offeredIds];

    await svc.drainAgent(a1.agent.id, { maxGracePeriodNs: 5e9 }, who);
    expect(a1.agent.drainInfo).toEqual({ state: "DRAINING", config: { mark_gone: false, max_grace_period: { nanoseconds: 5e9 } } });
    expect(a1.agent.deactivated).toBe(true);
    expect(h.registry.agents.get(a1.agent.id)).toMatchObject({ deactivated: true, drainInfo: { state: "DRAINING" } });
    // Outstanding offers rescinded, no new offers from the agent while draining.
    const rescinded = A.sink.of("RESCIND").map((e) => e.rescind.offer_id.value);
    for (const id of outstanding) expect(rescinded).toContain(id);
    const offersBefore = offersOf(A.sink).length;
    const kills = a1.link.of("KILL_TASK");
    expect(kills).toHaveLength(20);
    const grace = new Map(kills.map((k) => [k.task_id.value, k.kill_policy?.grace_period?.nanoseconds]));
    for (const id of long) expect(grace.get(id)).toBe(5e9);
    for (const id of short) expect(grace.get(id)).toBe(1e9);

    // Reactivation is refused while DRAINING.
    await rejects(svc.reactivateAgent(a1.agent.id, who), "BAD_REQUEST", "Agent is still in the DRAINING state");

    // The agent kills the tasks; the framework acknowledges; the last acknowledgement makes it DRAINED.
    for (const id of [...long, ...short].slice(0, 19)) finishTask(a1.agent, A.framework!.id, id);
    const killed = A.sink.of("UPDATE").map((e) => e.update.status).filter((s) => s.state === "TASK_KILLED");
    expect(killed).toHaveLength(19);
    expect(killed.every((s) => s.reason === "REASON_AGENT_DRAINING")).toBe(true);
    h.clock.advance(2000);
    expect(a1.agent.drainInfo!.state).toBe("DRAINING");
    finishTask(a1.agent, A.framework!.id, short[9]!);
    h.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 0));
    expect(a1.agent.drainInfo!.state).toBe("DRAINED");
    expect(h.registry.agents.get(a1.agent.id)!.drainInfo).toMatchObject({ state: "DRAINED" });
    h.clock.advance(5000);
    expect(offersOf(A.sink).length).toBe(offersBefore);
    expect(h.master.timeline.list().some((e) => e.action === "AGENT_DRAINED" && e.agentId === a1.agent.id)).toBe(true);

    // A DRAINED agent can be reactivated: offers resume.
    await svc.reactivateAgent(a1.agent.id, who);
    expect(a1.agent.deactivated).toBe(false);
    expect(a1.agent.drainInfo).toBeUndefined();
    h.clock.advance(1000);
    expect(offersOf(A.sink).length).toBeGreaterThan(offersBefore);
  });

  it("with mark_gone, the drained agent is marked gone: shut down and refused afterwards", async () => {
    await start();
    const { a1, A, tasksA } = await twoMachines();
    await svc.drainAgent(a1.agent.id, { markGone: true }, who);
    expect(a1.link.of("KILL_TASK").map((k) => k.kill_policy)).toEqual([undefined, undefined]); // no max: tasks' own grace
    for (const id of tasksA) finishTask(a1.agent, A.framework!.id, id);
    // A is partition-aware: with mark_gone its tasks end GONE_BY_OPERATOR.
    const ends = A.sink.of("UPDATE").map((e) => e.update.status).filter((s) => s.reason === "REASON_AGENT_DRAINING");
    expect(ends.map((s) => s.state)).toEqual(["TASK_GONE_BY_OPERATOR", "TASK_GONE_BY_OPERATOR"]);
    h.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 0));
    expect(h.master.goneAgents.has(a1.agent.id)).toBe(true);
    expect(h.master.agents.has(a1.agent.id)).toBe(false);
    expect(a1.link.of("SHUTDOWN_AGENT")[0]!.message).toBe("Agent has been marked gone");
    expect(h.registry.agents.get(a1.agent.id)!.state).toBe("GONE");
    await rejects(svc.drainAgent(a1.agent.id, {}, who), "BAD_REQUEST", "Unknown agent");
  });

  it("MARK_AGENT_GONE: partition-aware tasks become GONE_BY_OPERATOR, others LOST; idempotent", async () => {
    await start();
    const { a1, a2, A, B } = await twoMachines();
    await svc.markAgentGone(a1.agent.id, who);
    const aStates = A.sink.of("UPDATE").map((e) => e.update.status).filter((s) => s.source === "SOURCE_MASTER");
    expect(aStates.map((s) => [s.state, s.reason])).toEqual([["TASK_GONE_BY_OPERATOR", "REASON_AGENT_REMOVED_BY_OPERATOR"], ["TASK_GONE_BY_OPERATOR", "REASON_AGENT_REMOVED_BY_OPERATOR"]]);
    await svc.markAgentGone(a1.agent.id, who); // idempotent
    await svc.markAgentGone(a2.agent.id, who);
    const bStates = B.sink.of("UPDATE").map((e) => e.update.status).filter((s) => s.source === "SOURCE_MASTER");
    expect(bStates.map((s) => [s.state, s.reason])).toEqual([["TASK_LOST", "REASON_AGENT_REMOVED"], ["TASK_LOST", "REASON_AGENT_REMOVED"]]);
    await rejects(svc.markAgentGone("nope", who), "BAD_REQUEST", "Unknown agent");
  });

  it("draining an unreachable agent starts when it re-registers", async () => {
    await start();
    const { a1, A, tasksA } = await twoMachines();
    const tasks = [...a1.agent.tasks.values()].flatMap((byId) => [...byId.values()]);
    await markUnreachable(h.master, a1.agent, "test");
    expect(h.master.unreachableAgents.has(a1.agent.id)).toBe(true);
    await svc.drainAgent(a1.agent.id, { maxGracePeriodNs: 1e9 }, who);
    expect(h.registry.agents.get(a1.agent.id)).toMatchObject({ state: "UNREACHABLE", deactivated: true, drainInfo: { state: "DRAINING" } });
    expect(h.master.timeline.list().find((e) => e.action === "DRAIN_AGENT")!.summary).toContain("starts when the agent re-registers");
    // The dashboard shows the registry's drain state for the unreachable agent.
    expect(new MasterHandle(h.master).agentDetail(a1.agent.id)).toMatchObject({ state: "unreachable", deactivated: true, drain: "DRAINING" });

    const link = new FakeLink("127.0.0.1:5051");
    const back = await reregisterAgent(
      h.master,
      {
        type: "REREGISTER_AGENT", protocol_version: 1, agent_info: { ...a1.agent.info }, version: "1.11.0", capabilities: [], endpoint: link.remoteAddress,
        tasks: tasks.map((t) => ({ framework_id: { value: t.frameworkId }, executor_id: { value: t.executorId }, task: t.info, state: "TASK_RUNNING", statuses: t.statuses })),
        executors: [], frameworks: [],
      } as never,
      link,
    );
    expect(back!.deactivated).toBe(true);
    expect(back!.drainInfo?.state).toBe("DRAINING");
    expect(link.of("KILL_TASK").map((k) => [k.task_id.value, k.kill_policy?.grace_period?.nanoseconds]).sort()).toEqual(tasksA.sort().map((id) => [id, 1e9]));
    for (const id of tasksA) finishTask(back!, A.framework!.id, id);
    h.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 0));
    expect(back!.drainInfo?.state).toBe("DRAINED");
  });

  it("DEACTIVATE_AGENT stops offers, REACTIVATE_AGENT resumes them; reactivating an active agent is refused", async () => {
    await start();
    const a1 = await registerFakeAgent(h);
    const A = subscribeFramework(h);
    h.clock.advance(1000);
    expect(offersOf(A.sink)).toHaveLength(1);
    await rejects(svc.reactivateAgent(a1.agent.id, who), "BAD_REQUEST", "Agent is not deactivated");
    await svc.deactivateAgent(a1.agent.id, who);
    expect(A.sink.of("RESCIND")).toHaveLength(1);
    h.clock.advance(5000);
    expect(offersOf(A.sink)).toHaveLength(1);
    await svc.reactivateAgent(a1.agent.id, who);
    h.clock.advance(1000);
    expect(offersOf(A.sink)).toHaveLength(2);
    await rejects(svc.deactivateAgent("nope", who), "BAD_REQUEST", "Unknown agent");
  });
});

describe("recovery by a new master", () => {
  it("keeps the schedule, DOWN machines and drain state across a master restart", async () => {
    await start();
    const { a1, a2 } = await twoMachines();
    await svc.updateSchedule({ windows: [...window1().windows, { machine_ids: [{ hostname: "other", ip: "10.0.0.9" }], unavailability: { start: { nanoseconds: 5 } } }] }, who);
    await svc.startMaintenance([{ hostname: "other", ip: "10.0.0.9" }], who);
    await svc.drainAgent(a2.agent.id, { maxGracePeriodNs: 2e9 }, who);
    const schedule = svc.currentSchedule();
    const registry = h.registry;
    svc.stop();
    h.stopLoop();

    // A new master on the same registry.
    await start(registry);
    expect(svc.currentSchedule()).toEqual(schedule);
    expect(svc.status().down_machines).toEqual([{ hostname: "other", ip: "10.0.0.9" }]);
    expect(svc.status().draining_machines.map((d) => d.id)).toEqual([{ hostname: "host", ip: "127.0.0.1" }]);

    // The draining agent re-registers with its tasks: still deactivated, kills re-sent with the max grace.
    const link = new FakeLink("127.0.0.2:5051");
    const tasks = [...a2.agent.tasks.values()].flatMap((m) => [...m.values()]);
    const agent = await reregisterAgent(
      h.master,
      {
        type: "REREGISTER_AGENT", protocol_version: 1, agent_info: { ...a2.agent.info }, version: "1.11.0", capabilities: [], endpoint: link.remoteAddress,
        tasks: tasks.map((t) => ({ framework_id: { value: t.frameworkId }, executor_id: { value: t.executorId }, task: t.info, state: t.state, statuses: t.statuses })),
        executors: [], frameworks: [{ id: { value: tasks[0]!.frameworkId }, user: "test", name: "B" }],
      } as never,
      link,
    );
    expect(agent).not.toBeNull();
    expect(agent!.deactivated).toBe(true);
    expect(agent!.drainInfo).toMatchObject({ state: "DRAINING", config: { max_grace_period: { nanoseconds: 2e9 } } });
    expect(link.of("KILL_TASK").map((k) => k.kill_policy?.grace_period?.nanoseconds)).toEqual([2e9, 2e9]);
    // The agent on the scheduled machine re-registers as draining (offers carry unavailability).
    const link1 = new FakeLink("127.0.0.1:5051");
    await reregisterAgent(h.master, { type: "REREGISTER_AGENT", protocol_version: 1, agent_info: { ...a1.agent.info }, version: "1.11.0", capabilities: [], endpoint: link1.remoteAddress, tasks: [], executors: [], frameworks: [] } as never, link1);
    expect(svc.unavailability(a1.agent.id)).toEqual(window1().windows[0]!.unavailability);
  });
});

describe("schedule input parsing", () => {
  it("accepts Mesos-sized nanosecond timestamps (beyond 2^53) and numeric strings; refuses fractions and out-of-range values", async () => {
    const { ScheduleIn, canonicalSchedule } = await import("./machines");
    const ok = ScheduleIn.safeParse({ windows: [{ machine_ids: [{ hostname: "a", ip: "" }], unavailability: { start: { nanoseconds: 1_900_000_000_000_000_000 }, duration: { nanoseconds: "3600000000000" } } }] });
    expect(ok.success).toBe(true);
    expect(canonicalSchedule(ok.data!)).toEqual({ windows: [{ machine_ids: [{ hostname: "a" }], unavailability: { start: { nanoseconds: 1_900_000_000_000_000_000 }, duration: { nanoseconds: 3_600_000_000_000 } } }] });
    expect(JSON.stringify(canonicalSchedule(ok.data!))).toContain('"nanoseconds":1900000000000000000');
    for (const bad of [1.5, 1e300, "x", null]) {
      expect(ScheduleIn.safeParse({ windows: [{ machine_ids: [{ hostname: "a" }], unavailability: { start: { nanoseconds: bad } } }] }).success).toBe(false);
    }
  });
});
