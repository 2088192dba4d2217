// The legacy (v0) JSON endpoints, /metrics and /files against a real master and agent, with
// Mesos's keys (operator-api.md §5, §6).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAgent, waitForAgents, waitUntil, type TestAgent } from "../../server/testing/cluster";
import { rawCall, type SchedulerClient } from "../../server/cli/scheduler-client";
import { autoAcknowledge, commandTask, isUpdateFor, launch, newScheduler, nextOffer } from "./helpers";
import { get, getJson, startOperatorMaster, type OperatorTestMaster } from "./operator-helpers";

let master: OperatorTestMaster;
let agent: TestAgent;
let scheduler: SchedulerClient;
const port = () => master.port;
const form = (path: string, body: string, method = "POST") => rawCall({ host: "127.0.0.1", port: port() }, body, { "Content-Type": "application/x-www-form-urlencoded" }, path, method);

beforeAll(async () => {
  master = await startOperatorMaster({ config: { cluster: "it-cluster" } });
  agent = await startTestAgent(master.address, { attributes: "rack:r1;zone:2" });
  await waitForAgents(master, 1);
  scheduler = newScheduler(master.address, { name: "legacy-it", failover_timeout: 60 });
  autoAcknowledge(scheduler);
  await scheduler.subscribe();
  // "slow" starts first, "quick" later (so /master/tasks has a defined order).
  let offer = await nextOffer(scheduler);
  await launch(scheduler, offer, [commandTask(offer, "slow", "sleep 30")]);
  await scheduler.waitFor(isUpdateFor("slow", "TASK_RUNNING"), 15_000, true);
  offer = await nextOffer(scheduler);
  await launch(scheduler, offer, [commandTask(offer, "quick", "exit 0")]);
  await scheduler.waitFor(isUpdateFor("quick", "TASK_FINISHED"), 15_000, true);
  await waitUntil(() => master.running.master.frameworks.get(scheduler.frameworkId!)?.completedTasks.length === 1, 10_000, "quick completed");
});

afterAll(async () => {
  scheduler?.disconnect();
  await agent?.stop({ killTasks: true });
  await master?.stop();
});

describe("/master/state", () => {
  it("has Mesos's keys at every level, also as /state and with jsonp", async () => {
    const s = await getJson(port(), "/master/state");
    for (const k of ["version", "build_date", "build_time", "build_user", "start_time", "elected_time", "id", "pid", "hostname", "capabilities", "activated_slaves", "deactivated_slaves", "unreachable_slaves", "leader", "leader_info", "cluster", "flags", "slaves", "recovered_slaves", "frameworks", "completed_frameworks", "orphan_tasks", "unregistered_frameworks"]) {
      expect(s, k).toHaveProperty(k);
    }
    expect(s).toMatchObject({ cluster: "it-cluster", activated_slaves: 1, deactivated_slaves: 0, unreachable_slaves: 0, pid: `master@127.0.0.1:${port()}` });
    const slave = s.slaves[0];
    expect(slave.attributes).toEqual({ rack: "r1", zone: 2 });
    expect(slave.used_resources).toMatchObject({ cpus: 0.1, mem: 32 });
    const fw = s.frameworks.find((f: { id: string }) => f.id === scheduler.frameworkId);
    expect(fw.tasks.map((t: { id: string }) => t.id)).toEqual(["slow"]);
    expect(fw.completed_tasks.map((t: { id: string }) => t.id)).toEqual(["quick"]);
    expect(fw.tasks[0]).toMatchObject({ state: "TASK_RUNNING", slave_id: slave.id, framework_id: fw.id, executor_id: "", resources: { cpus: 0.1, mem: 32, disk: 0, gpus: 0 } });

    const alias = await getJson(port(), "/state?ignored=1");
    expect(alias.id).toBe(s.id);
    const jsonp = await get(port(), "/master/state?jsonp=cb");
    expect(jsonp.headers["content-type"]).toBe("text/javascript");
    expect(jsonp.body.startsWith("cb({") && jsonp.body.endsWith("});")).toBe(true);
  });

  it("/master/state-summary counts tasks per agent and framework", async () => {
    const s = await getJson(port(), "/master/state-summary");
    expect(s).toMatchObject({ hostname: "127.0.0.1", cluster: "it-cluster" });
    expect(s.slaves[0]).toMatchObject({ TASK_RUNNING: 1, TASK_FINISHED: 1, TASK_STAGING: 0, framework_ids: [scheduler.frameworkId] });
    const fw = s.frameworks.find((f: { id: string }) => f.id === scheduler.frameworkId);
    expect(fw).toMatchObject({ name: "legacy-it", TASK_RUNNING: 1, TASK_FINISHED: 1, slave_ids: [s.slaves[0].id], active: true });
    expect(fw).not.toHaveProperty("tasks");
  });

  it("/master/frameworks and /master/slaves filter by id", async () => {
    const all = await getJson(port(), "/master/frameworks");
    expect(Object.keys(all).sort()).toEqual(["completed_frameworks", "frameworks", "unregistered_frameworks"]);
    const one = await getJson(port(), `/master/frameworks?framework_id=${scheduler.frameworkId}`);
    expect(one.frameworks).toHaveLength(1);
    const slaves = await getJson(port(), "/master/slaves");
    expect(slaves.slaves[0]).toHaveProperty("used_resources_full");
    expect((await getJson(port(), "/master/slaves?slave_id=nope")).slaves).toEqual([]);
  });

  it("/master/tasks pages with limit, offset and order", async () => {
    const all = await getJson(port(), "/master/tasks");
    expect(all.tasks.map((t: { id: string }) => t.id)).toEqual(["quick", "slow"]);
    expect((await getJson(port(), "/master/tasks?order=asc")).tasks.map((t: { id: string }) => t.id)).toEqual(["slow", "quick"]);
    expect((await getJson(port(), "/master/tasks?limit=1&offset=1")).tasks.map((t: { id: string }) => t.id)).toEqual(["slow"]);
    expect((await getJson(port(), "/tasks.json?task_id=quick")).tasks).toHaveLength(1);
    expect((await get(port(), "/master/tasks?limit=lots")).status).toBe(400);
  });
});

describe("small endpoints", () => {
  it("/master/redirect, /master/health, /version, /master/flags", async () => {
    const redirect = await get(port(), "/master/redirect");
    expect(redirect.status).toBe(307);
    expect(redirect.headers.location).toBe(`//127.0.0.1:${port()}`);
    expect((await get(port(), "/master/health")).status).toBe(200);
    expect(await getJson(port(), "/version")).toMatchObject({ version: "1.11.0" });
    expect((await getJson(port(), "/master/flags")).flags).toMatchObject({ heartbeat_interval: "1secs" });
  });

  it("/master/roles, /master/weights, /master/quota", async () => {
    const roles = (await getJson(port(), "/master/roles")).roles;
    const star = roles.find((r: { name: string }) => r.name === "*");
    expect(star).toMatchObject({ weight: 1, frameworks: [scheduler.frameworkId], allocated: { cpus: 0.1, mem: 32 } });
    for (const k of ["resources", "offered", "reserved"]) expect(star).toHaveProperty(k);

    expect((await rawCall({ host: "127.0.0.1", port: port() }, JSON.stringify([{ role: "eng", weight: 3 }]), {}, "/master/weights", "PUT")).status).toBe(200);
    expect(await getJson(port(), "/master/weights")).toContainEqual({ weight: 3, role: "eng" });
    expect((await rawCall({ host: "127.0.0.1", port: port() }, "[{", {}, "/master/weights", "PUT")).status).toBe(400);
    expect((await rawCall({ host: "127.0.0.1", port: port() }, "", {}, "/master/weights", "DELETE")).status).toBe(405);

    const quotaRequest = JSON.stringify({ role: "eng", guarantee: [{ name: "cpus", type: "SCALAR", scalar: { value: 1 } }] });
    expect((await rawCall({ host: "127.0.0.1", port: port() }, quotaRequest, {}, "/master/quota", "POST")).status).toBe(200);
    const quota = await getJson(port(), "/master/quota");
    expect(quota.configs).toEqual([{ role: "eng", guarantees: { cpus: { value: 1 } }, limits: { cpus: { value: 1 } } }]);
    expect(quota.infos[0]).toMatchObject({ role: "eng", guarantee: [{ name: "cpus", scalar: { value: 1 } }] });
    expect((await rawCall({ host: "127.0.0.1", port: port() }, "", {}, "/master/quota/eng", "DELETE")).status).toBe(200);
    expect(await getJson(port(), "/master/quota")).toEqual({});
    expect((await rawCall({ host: "127.0.0.1", port: port() }, "", {}, "/master/quota/eng", "DELETE")).status).toBe(400);
  });

  it("/master/teardown and the reservation forms", async () => {
    expect(await form("/master/teardown", "")).toMatchObject({ status: 400, body: "Missing 'frameworkId' query parameter in the request body" });
    expect(await form("/master/teardown", "frameworkId=nope")).toMatchObject({ status: 400, body: "No framework found with specified ID" });
    expect((await form("/master/reserve", "resources=[]")).body).toBe("Missing 'slaveId' query parameter in the request body");
    expect(await form("/master/reserve", "slaveId=nope&resources=[]")).toMatchObject({ status: 400, body: "No agent found with specified ID" });
    expect((await form("/master/create-volumes", "slaveId=x&volumes=[{")).body).toMatch(/^Error in parsing 'volumes'/);
  });

  it("/metrics/snapshot and /metrics (Prometheus)", async () => {
    const snapshot = await getJson(port(), "/metrics/snapshot");
    expect(snapshot).toMatchObject({ "master/elected": 1, "master/slaves_active": 1, "master/tasks_running": 1, "master/tasks_finished": 1, "master/cpus_total": 4, "master/cpus_used": 0.1 });
    for (const k of ["master/uptime_secs", "master/mem_total", "master/frameworks_active", "master/outstanding_offers", "master/messages_status_update", "allocator/mesos/allocation_runs", "registrar/queued_operations", "system/load_1min"]) expect(snapshot, k).toHaveProperty([k]);
    const prom = await get(port(), "/metrics");
    expect(prom.headers["content-type"]).toContain("text/plain; version=0.0.4");
    expect(prom.body).toContain("# TYPE mesos_master_tasks_running gauge\nmesos_master_tasks_running 1\n");
    expect(prom.body).toContain("# TYPE mesos_master_tasks_finished counter\nmesos_master_tasks_finished 1\n");
  });

  it("/files/read, /files/browse, /files/download, /files/debug serve /master/log", async () => {
    const size = await getJson(port(), "/files/read?path=/master/log");
    expect(size.data).toBe("");
    expect(size.offset).toBeGreaterThan(0);
    const head = await getJson(port(), "/files/read?path=/master/log&offset=0&length=200");
    expect(head.offset).toBe(0);
    expect(head.data.length).toBe(200);
    expect(head.data).toContain("master]");
    expect(await getJson(port(), `/files/read?path=/master/log&offset=${size.offset + 10}`)).toEqual({ offset: size.offset + 10, data: "" });
    expect((await get(port(), "/files/read")).status).toBe(400);
    expect((await get(port(), "/files/read?path=/master/log&offset=-2")).body).toBe("Negative offset provided: -2");
    expect((await get(port(), "/files/read?path=/nope")).status).toBe(404);
    const browse = await getJson(port(), "/files/browse?path=/master/log");
    expect(browse[0]).toMatchObject({ path: "/master/log", nlink: 1 });
    expect(browse[0].mode).toMatch(/^-r/);
    const download = await get(port(), "/files/download?path=/master/log");
    expect(download.headers["content-disposition"]).toBe("attachment; filename=log");
    expect(download.body.length).toBeGreaterThanOrEqual(size.offset);
    expect(await getJson(port(), "/files/debug")).toMatchObject({ "/master/log": master.logFile });
  });

  it("/logging/toggle", async () => {
    expect((await get(port(), "/logging/toggle")).body).toBe("0");
    expect((await get(port(), "/logging/toggle?level=1&duration=1secs")).status).toBe(200);
    expect((await get(port(), "/logging/toggle")).body).toBe("1");
    expect((await get(port(), "/logging/toggle?level=1&duration=forever")).status).toBe(400);
  });
});
