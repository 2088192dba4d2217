// The v1 operator API (/api/v1) against a real master and agent: every call's answer is checked
// against operator-api.md §2, the SUBSCRIBE stream delivers events in order as tasks change, and
// operator actions (KILL_TASK, TEARDOWN, weights, quota) take effect and reach the timeline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAgent, waitForAgents, waitUntil, type TestAgent } from "../../server/testing/cluster";
import type { SchedulerClient } from "../../server/cli/scheduler-client";
import { autoAcknowledge, commandTask, isUpdateFor, launch, newScheduler, nextOffer } from "./helpers";
import { OperatorStream, operatorCall, operatorGet, startOperatorMaster, type OperatorTestMaster } from "./operator-helpers";

let master: OperatorTestMaster;
let agent: TestAgent;
let scheduler: SchedulerClient;
const port = () => master.port;
const keys = (o: object) => Object.keys(o).sort();

beforeAll(async () => {
  master = await startOperatorMaster();
  agent = await startTestAgent(master.address, { resources: "cpus:4;mem:4096;disk:10000;ports:[31000-32000]" });
  await waitForAgents(master, 1);
  scheduler = newScheduler(master.address, { name: "operator-it", failover_timeout: 60, capabilities: [{ type: "PARTITION_AWARE" }] });
  autoAcknowledge(scheduler);
  await scheduler.subscribe();
});

afterAll(async () => {
  scheduler?.disconnect();
  await agent?.stop({ killTasks: true });
  await master?.stop();
});

async function runTask(id: string, command = "sleep 30"): Promise<void> {
  const offer = await nextOffer(scheduler);
  await launch(scheduler, offer, [commandTask(offer, id, command)]);
  await scheduler.waitFor(isUpdateFor(id, "TASK_RUNNING"), 15_000, true);
}

describe("simple calls", () => {
  it("GET_HEALTH, GET_FLAGS, GET_VERSION, GET_MASTER", async () => {
    expect(await operatorGet(port(), { type: "GET_HEALTH" })).toEqual({ type: "GET_HEALTH", get_health: { healthy: true } });
    const flags = await operatorGet(port(), { type: "GET_FLAGS" });
    expect(flags.type).toBe("GET_FLAGS");
    expect(flags.get_flags.flags).toContainEqual({ name: "heartbeat_interval", value: "1secs" });
    const version = await operatorGet(port(), { type: "GET_VERSION" });
    expect(version.get_version.version_info).toMatchObject({ version: "1.11.0" });
    for (const k of ["build_date", "build_time", "build_user"]) expect(version.get_version.version_info).toHaveProperty(k);
    const m = master.running.master;
    const got = await operatorGet(port(), { type: "GET_MASTER" });
    expect(got.get_master.master_info).toMatchObject({ id: m.id, port: master.port, pid: `master@127.0.0.1:${master.port}`, ip: 16777343, address: { ip: "127.0.0.1", port: master.port } });
    expect(got.get_master.start_time).toBeCloseTo(m.startTime / 1000);
    expect(got.get_master.elected_time).toBeGreaterThanOrEqual(got.get_master.start_time);
  });

  it("GET_METRICS returns name/value pairs with the standard keys", async () => {
    const r = await operatorGet(port(), { type: "GET_METRICS", get_metrics: { timeout: { nanoseconds: 5e9 } } });
    const metrics = new Map<string, number>(r.get_metrics.metrics.map((x: { name: string; value: number }) => [x.name, x.value]));
    expect(metrics.get("master/elected")).toBe(1);
    expect(metrics.get("master/slaves_active")).toBe(1);
    expect(metrics.get("master/cpus_total")).toBe(4);
    for (const k of ["master/uptime_secs", "master/tasks_running", "master/cpus_used", "allocator/mesos/allocation_runs", "system/cpus_total"]) expect(metrics.has(k), k).toBe(true);
  });

  it("GET_LOGGING_LEVEL / SET_LOGGING_LEVEL raise the level for a duration", async () => {
    expect(await operatorGet(port(), { type: "GET_LOGGING_LEVEL" })).toEqual({ type: "GET_LOGGING_LEVEL", get_logging_level: { level: 0 } });
    const set = await operatorCall(port(), { type: "SET_LOGGING_LEVEL", set_logging_level: { level: 2, duration: { nanoseconds: 400e6 } } });
    expect(set.status).toBe(200);
    expect((await operatorGet(port(), { type: "GET_LOGGING_LEVEL" })).get_logging_level.level).toBe(2);
    await waitUntil(async () => (await operatorGet(port(), { type: "GET_LOGGING_LEVEL" })).get_logging_level.level === 0, 5000, "level reverted");
  });

  it("LIST_FILES and READ_FILE serve the master's log at /master/log", async () => {
    const list = await operatorGet(port(), { type: "LIST_FILES", list_files: { path: "/master/log" } });
    const [info] = list.list_files.file_infos;
    expect(keys(info)).toEqual(["gid", "mode", "mtime", "nlink", "path", "size", "uid"]);
    expect(info.path).toBe("/master/log");
    expect(info.size).toBeGreaterThan(0);
    const read = await operatorGet(port(), { type: "READ_FILE", read_file: { path: "/master/log", offset: 0 } });
    expect(read.read_file.size).toBeGreaterThan(0);
    expect(Buffer.from(read.read_file.data, "base64").toString()).toContain("Recovered registry");
    const partial = await operatorGet(port(), { type: "READ_FILE", read_file: { path: "/master/log", offset: 2, length: 3 } });
    expect(Buffer.from(partial.read_file.data, "base64").length).toBe(3);
    const missing = await operatorCall(port(), { type: "READ_FILE", read_file: { path: "/frameworks/x/executors/y/runs/latest/stdout", offset: 0 } });
    expect(missing.status).toBe(404);
    expect(missing.body).toContain("/frameworks/x");
  });
});

describe("state calls", () => {
  it("GET_STATE, GET_TASKS, GET_AGENTS, GET_FRAMEWORKS, GET_EXECUTORS", async () => {
    await runTask("state-1");
    const state = await operatorGet(port(), { type: "GET_STATE" });
    expect(state.type).toBe("GET_STATE");
    expect(keys(state.get_state)).toEqual(["get_agents", "get_executors", "get_frameworks", "get_tasks"]);

    const tasks = (await operatorGet(port(), { type: "GET_TASKS" })).get_tasks;
    const task = tasks.tasks.find((t: { task_id: { value: string } }) => t.task_id.value === "state-1");
    expect(task).toMatchObject({ name: "state-1", framework_id: { value: scheduler.frameworkId }, state: "TASK_RUNNING", user: "root" });
    expect(task.agent_id.value).toMatch(/-S\d+$/);
    expect(task.resources.map((r: { name: string }) => r.name).sort()).toEqual(["cpus", "mem"]);
    expect(task.statuses.map((s: { state: string }) => s.state)).toEqual(["TASK_STARTING", "TASK_RUNNING"]);
    expect(state.get_state.get_tasks.tasks.length).toBe(tasks.tasks.length);

    const agents = (await operatorGet(port(), { type: "GET_AGENTS" })).get_agents;
    expect(agents.agents).toHaveLength(1);
    const a = agents.agents[0];
    for (const k of ["agent_info", "active", "deactivated", "version", "pid", "registered_time", "total_resources", "allocated_resources"]) expect(a, k).toHaveProperty(k);
    expect(a.agent_info).toMatchObject({ hostname: expect.any(String), port: agent.port });
    expect(a.pid).toBe(`slave(1)@127.0.0.1:${agent.port}`);

    const frameworks = (await operatorGet(port(), { type: "GET_FRAMEWORKS" })).get_frameworks;
    const fw = frameworks.frameworks.find((f: { framework_info: { id: { value: string } } }) => f.framework_info.id.value === scheduler.frameworkId);
    expect(fw).toMatchObject({ active: true, connected: true, recovered: false, framework_info: { name: "operator-it", user: "root", failover_timeout: 60, checkpoint: false } });
    expect(fw.registered_time.nanoseconds).toBeGreaterThan(0);
    expect(fw.allocated_resources.length).toBeGreaterThan(0);

    expect(await operatorGet(port(), { type: "GET_EXECUTORS" })).toEqual({ type: "GET_EXECUTORS", get_executors: {} });
    expect(await operatorGet(port(), { type: "GET_OPERATIONS" })).toEqual({ type: "GET_OPERATIONS", get_operations: {} });
  });
});

describe("SUBSCRIBE", () => {
  it("starts with SUBSCRIBED (full state) and HEARTBEAT, then streams task, framework and agent events in order", async () => {
    const stream = await OperatorStream.open(port());
    const subscribed = await stream.waitFor((e) => e.type === "SUBSCRIBED");
    expect(stream.events[0].type).toBe("SUBSCRIBED");
    expect(subscribed.subscribed.heartbeat_interval_seconds).toBe(1);
    expect(keys(subscribed.subscribed.get_state)).toEqual(["get_agents", "get_executors", "get_frameworks", "get_tasks"]);
    expect(subscribed.subscribed.get_state.get_tasks.tasks.map((t: { task_id: { value: string } }) => t.task_id.value)).toContain("state-1");
    await stream.waitFor((e) => e.type === "HEARTBEAT");
    expect(stream.events[1].type).toBe("HEARTBEAT");

    await runTask("stream-1");
    await stream.waitFor((e) => e.type === "TASK_UPDATED" && e.task_updated.state === "TASK_RUNNING" && e.task_updated.status.task_id.value === "stream-1");
    const taskEvents = stream.events.filter((e) => (e.task_added?.task.task_id.value ?? e.task_updated?.status.task_id.value) === "stream-1");
    expect(taskEvents.map((e) => e.type === "TASK_ADDED" ? "ADDED" : e.task_updated.state)).toEqual(["ADDED", "TASK_STARTING", "TASK_RUNNING"]);
    expect(taskEvents[0].task_added.task).toMatchObject({ name: "stream-1", state: "TASK_STAGING", framework_id: { value: scheduler.frameworkId } });
    expect(taskEvents[1].task_updated).toMatchObject({ framework_id: { value: scheduler.frameworkId }, status: { state: "TASK_STARTING" } });

    // A second framework comes and is torn down by the operator.
    const other = newScheduler(master.address, { name: "short-lived" });
    await other.subscribe();
    const added = await stream.waitFor((e) => e.type === "FRAMEWORK_ADDED" && e.framework_added.framework.framework_info.name === "short-lived");
    expect(added.framework_added.framework).toMatchObject({ active: true, connected: true, recovered: false });
    expect(added.framework_added.framework).not.toHaveProperty("offers");
    expect((await operatorCall(port(), { type: "TEARDOWN", teardown: { framework_id: { value: other.frameworkId } } })).status).toBe(200);
    const removed = await stream.waitFor((e) => e.type === "FRAMEWORK_REMOVED");
    expect(removed.framework_removed.framework_info).toMatchObject({ name: "short-lived", id: { value: other.frameworkId } });
    other.disconnect();

    // A new agent registers.
    const second = await startTestAgent(master.address, { resources: "cpus:1;mem:512" });
    try {
      const agentAdded = await stream.waitFor((e) => e.type === "AGENT_ADDED");
      expect(agentAdded.agent_added.agent).toMatchObject({ active: true, agent_info: { port: second.port } });
    } finally {
      await second.stop({ killTasks: true });
    }
    const agentRemoved = await stream.waitFor((e) => e.type === "AGENT_REMOVED", 20_000).catch(() => null);
    if (agentRemoved) expect(agentRemoved.agent_removed.agent_id.value).toMatch(/-S\d+$/);
    stream.close();
    await waitUntil(() => master.running.operator!.context.subscribers.size === 0, 5000, "subscriber gone");
  });
});

describe("operator actions", () => {
  it("KILL_TASK (Plateau extension) kills through the framework's path and is recorded with who asked", async () => {
    await runTask("victim");
    const unknown = await operatorCall(port(), { type: "KILL_TASK", kill_task: { framework_id: { value: scheduler.frameworkId }, task_id: { value: "nope" } } });
    expect(unknown.status).toBe(404);
    const r = await operatorCall(port(), { type: "KILL_TASK", kill_task: { framework_id: { value: scheduler.frameworkId }, task_id: { value: "victim" } } });
    expect(r.status).toBe(200);
    await scheduler.waitFor(isUpdateFor("victim", "TASK_KILLED"), 15_000, true);
    const audit = master.running.handle.timeline().filter((e) => e.kind === "operator" && e.action === "KILL_TASK");
    expect(audit.map((e) => [e.taskId, e.principal, e.result])).toEqual([["nope", "anonymous", "error"], ["victim", "anonymous", "ok"]]);
  });

  it("TEARDOWN answers 400 for unknown frameworks", async () => {
    const r = await operatorCall(port(), { type: "TEARDOWN", teardown: { framework_id: { value: "nope" } } });
    expect(r).toMatchObject({ status: 400, body: "No framework found with specified ID" });
  });

  it("GET_ROLES, GET_WEIGHTS / UPDATE_WEIGHTS", async () => {
    const roles = (await operatorGet(port(), { type: "GET_ROLES" })).get_roles.roles;
    const star = roles.find((r: { name: string }) => r.name === "*");
    expect(star).toMatchObject({ name: "*", weight: 1 });
    expect(star.frameworks).toContainEqual({ value: scheduler.frameworkId });
    expect(star.resources.length).toBeGreaterThan(0);
    expect((await operatorCall(port(), { type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "ml", weight: 2.5 }] } })).status).toBe(200);
    expect((await operatorGet(port(), { type: "GET_WEIGHTS" })).get_weights.weight_infos).toContainEqual({ weight: 2.5, role: "ml" });
    const bad = await operatorCall(port(), { type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "ml", weight: -1 }] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("weights must be positive");
    expect(master.running.handle.timeline().filter((e) => e.action === "UPDATE_WEIGHTS").map((e) => e.result)).toEqual(["ok", "error"]);
  });

  it("GET_QUOTA / UPDATE_QUOTA", async () => {
    expect(await operatorGet(port(), { type: "GET_QUOTA" })).toEqual({ type: "GET_QUOTA", get_quota: { status: {} } });
    const ok = await operatorCall(port(), { type: "UPDATE_QUOTA", update_quota: { quota_configs: [{ role: "ml", limits: { cpus: { value: 2 } } }] } });
    expect(ok.status).toBe(200);
    const status = (await operatorGet(port(), { type: "GET_QUOTA" })).get_quota.status;
    expect(status.configs).toEqual([{ role: "ml", guarantees: {}, limits: { cpus: { value: 2 } } }]);
    const over = await operatorCall(port(), { type: "UPDATE_QUOTA", update_quota: { quota_configs: [{ role: "ml", guarantees: { cpus: { value: 1000 } } }] } });
    expect(over.status).toBe(400);
    expect(over.body).toContain("exceed cluster capacity");
    expect((await operatorCall(port(), { type: "UPDATE_QUOTA", update_quota: { quota_configs: [{ role: "ml" }] } })).status).toBe(200);
    expect((await operatorGet(port(), { type: "GET_QUOTA" })).get_quota.status).toEqual({});
  });

  it("RESERVE/UNRESERVE/CREATE/DESTROY: validated, 501 without a hook, 202/409 through the hook", async () => {
    const m = master.running.master;
    const agentId = [...m.agents.keys()][0]!;
    const resources = [{ name: "cpus", type: "SCALAR", scalar: { value: 1 }, reservations: [{ type: "DYNAMIC", role: "ml", principal: "ops" }] }];
    const reserve = (id: string) => operatorCall(port(), { type: "RESERVE_RESOURCES", reserve_resources: { agent_id: { value: id }, resources } });
    expect(await reserve("nope")).toMatchObject({ status: 400, body: "No agent found with specified ID" });
    const notReserved = await operatorCall(port(), { type: "UNRESERVE_RESOURCES", unreserve_resources: { agent_id: { value: agentId }, resources: [{ name: "cpus", type: "SCALAR", scalar: { value: 1 } }] } });
    expect(notReserved.status).toBe(400);
    expect(notReserved.body).toMatch(/^Invalid UNRESERVE operation: /);
    // The master installs the real hook (../../server/master/operations.ts, tested in
    // reservations.test.ts); without one the layer answers 501.
    const installed = m.operatorOperations;
    expect(installed).toBeDefined();
    m.operatorOperations = undefined;
    const unsupported = await reserve(agentId);
    expect(unsupported.status).toBe(501);
    expect(unsupported.body).toContain("cannot be applied yet");

    const applied: unknown[] = [];
    m.operatorOperations = {
      apply: async (id, operation) => {
        if (applied.length > 0) throw new Error("Insufficient resources on the agent");
        applied.push({ id, operation });
      },
    };
    try {
      expect((await reserve(agentId)).status).toBe(202);
      expect(applied).toEqual([{ id: agentId, operation: { type: "RESERVE", reserve: { resources } } }]);
      expect(await reserve(agentId)).toMatchObject({ status: 409, body: "Insufficient resources on the agent" });
    } finally {
      m.operatorOperations = installed;
    }
  });
});
