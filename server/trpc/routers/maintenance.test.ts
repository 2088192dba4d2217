// The dashboard's maintenance and agent-control procedures against an in-process master: they
// go through the master handle, record the operator's reason, and turn the master's refusals
// into BAD_REQUEST errors carrying the master's words.
import { afterEach, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { appRouter } from "../router";
import { createCallerFactory } from "../init";
import { MasterHandle } from "../../master/handle";
import { Security } from "../../security/security";
import { Maintenance } from "../../master/maintenance/service";
import { registerFakeAgent, startHarness, type Harness } from "../../testing/master-harness";

let h: Harness;
let svc: Maintenance;
afterEach(() => {
  svc?.stop();
  h?.stopLoop();
});

async function caller() {
  h = await startHarness();
  svc = new Maintenance(h.master);
  svc.start();
  return createCallerFactory(appRouter)({ handle: new MasterHandle(h.master), principal: "alice", authenticated: "alice", security: new Security() });
}

async function error(p: Promise<unknown>): Promise<TRPCError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(TRPCError);
  return e as TRPCError;
}

describe("maintenance procedures", () => {
  it("schedules a window (reason recorded), reports it, and shows the master's refusal in words", async () => {
    const call = await caller();
    const { agent } = await registerFakeAgent(h, { endpoint: "127.0.0.1:5051" });
    const start = Date.UTC(2026, 5, 1);
    await call.maintenance.updateSchedule({ windows: [{ machines: [{ hostname: "host", ip: "127.0.0.1" }], startMs: start, durationMs: 3600_000 }], reason: "firmware" });
    const status = await call.maintenance.status();
    if (!status.available) throw new Error("maintenance should be available");
    expect(status.view.windows).toEqual([{ startMs: start, durationMs: 3600_000, machines: [expect.objectContaining({ id: { hostname: "host", ip: "127.0.0.1" }, mode: "DRAINING", agents: [expect.objectContaining({ id: agent.id })] })] }]);
    expect(status.status.draining_machines).toHaveLength(1);
    expect(h.master.timeline.list().find((e) => e.action === "UPDATE_MAINTENANCE_SCHEDULE")).toMatchObject({ principal: "alice", reason: "firmware", result: "ok" });

    const bad = await error(call.maintenance.updateSchedule({ windows: [{ machines: [{ ip: "10.0.0.999" }], startMs: start }], reason: "typo" }));
    expect([bad.code, bad.message]).toEqual(["BAD_REQUEST", "Failed to parse IP '10.0.0.999'"]);
    const up = await error(call.maintenance.machinesUp({ machines: [{ hostname: "host", ip: "127.0.0.1" }], reason: "too early" }));
    expect(up.message).toBe(`Machine 'hostname: "host" ip: "127.0.0.1"' is not in DOWN mode and cannot be brought up`);
    const noReason = await error(call.maintenance.machinesDown({ machines: [{ hostname: "host", ip: "127.0.0.1" }], reason: "" }));
    expect(noReason.code).toBe("BAD_REQUEST");
    expect(svc.status().down_machines).toEqual([]);

    await call.maintenance.machinesDown({ machines: [{ hostname: "host", ip: "127.0.0.1" }], reason: "swap the board" });
    expect(h.master.agents.has(agent.id)).toBe(false);
    expect(h.master.timeline.list().find((e) => e.action === "START_MAINTENANCE")).toMatchObject({ principal: "alice", reason: "swap the board", result: "ok" });
  });

  it("agent controls: drain, reactivate, deactivate and mark gone, each with its reason", async () => {
    const call = await caller();
    const a = await registerFakeAgent(h, { endpoint: "127.0.0.1:5051" });
    const b = await registerFakeAgent(h, { endpoint: "127.0.0.2:5051" });
    await call.agents.drain({ id: a.agent.id, maxGracePeriodSeconds: 2, reason: "disk" });
    await new Promise((r) => setTimeout(r, 0));
    // No tasks on it: DRAINED at once.
    expect(a.agent.drainInfo).toEqual({ state: "DRAINED", config: { mark_gone: false, max_grace_period: { nanoseconds: 2e9 } } });
    await call.agents.reactivate({ id: a.agent.id, reason: "done" });
    expect(a.agent.deactivated).toBe(false);
    await call.agents.deactivate({ id: b.agent.id, reason: "flaky nic" });
    expect(b.agent.deactivated).toBe(true);
    await call.agents.markGone({ id: b.agent.id, reason: "decommissioned" });
    expect(h.master.goneAgents.has(b.agent.id)).toBe(true);
    const unknown = await error(call.agents.drain({ id: "nope", reason: "typo" }));
    expect([unknown.code, unknown.message]).toEqual(["BAD_REQUEST", "Unknown agent"]);
    const actions = h.master.timeline.list().filter((e) => e.kind === "operator").map((e) => [e.action, e.reason, e.result]);
    expect(actions).toEqual([
      ["DRAIN_AGENT", "disk", "ok"], ["REACTIVATE_AGENT", "done", "ok"], ["DEACTIVATE_AGENT", "flaky nic", "ok"], ["MARK_AGENT_GONE", "decommissioned", "ok"], ["DRAIN_AGENT", "typo", "error"],
    ]);
  });
});
