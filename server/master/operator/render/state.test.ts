// State rendering: the keys of /master/state and GET_STATE against operator-api.md (§5.1, §2.1),
// and the cache's contract — a cached document always equals a freshly rendered one.
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { TaskState } from "../../../protocol/mesos";
import { startFixture, type Fixture } from "../test-fixture";
import { StateCache } from "./cache";
import { capture, legacyFrameworks, legacySlaves, legacyState, v1GetState } from "./state";
import { collect } from "../sliced-writer";
import { stateHeader } from "../legacy/state";
import { versionInfo } from "../version";
import type { OperatorContext } from "../context";

let fx: Fixture;
afterEach(() => fx?.h.stopLoop());

function legacy(fx: Fixture, cache = new StateCache(fx.h.master)) {
  const m = fx.h.master;
  const ctx = { m, version: versionInfo("1.11.0") } as OperatorContext;
  return JSON.parse(collect(legacyState(cache, m, stateHeader(ctx), capture(m))));
}

function v1(fx: Fixture, cache = new StateCache(fx.h.master)) {
  return JSON.parse(collect(v1GetState(cache, fx.h.master, capture(fx.h.master))));
}

const keys = (o: object) => Object.keys(o).sort();

describe("/master/state (legacy)", () => {
  it("has Mesos's top-level, agent, framework, task and status keys", async () => {
    fx = await startFixture();
    fx.launch("t1", { labels: { app: "web" } });
    fx.update("t1", "TASK_RUNNING");
    fx.launch("t2");
    fx.update("t2", "TASK_RUNNING");
    fx.update("t2", "TASK_FINISHED");
    const s = legacy(fx);
    const git = ["git_sha", "git_branch", "git_tag"].filter((k) => k in s); // present in a git checkout
    expect(keys(s)).toEqual(
      [
        ...git, "version", "build_date", "build_time", "build_user", "start_time", "elected_time", "id", "pid", "hostname",
        "capabilities", "activated_slaves", "deactivated_slaves", "unreachable_slaves", "leader", "leader_info", "flags", "slaves",
        "recovered_slaves", "frameworks", "completed_frameworks", "orphan_tasks", "unregistered_frameworks",
      ].sort(),
    );
    for (const k of ["version", "build_date", "build_time", "build_user", "start_time", "id", "pid", "hostname", "capabilities", "activated_slaves", "deactivated_slaves", "unreachable_slaves", "flags"]) expect(s).toHaveProperty(k);
    expect(s.activated_slaves).toBe(2);
    expect(s.capabilities).toEqual(["AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"]);
    expect(keys(s.leader_info)).toEqual(["hostname", "id", "pid", "port"]);
    expect(s.orphan_tasks).toEqual([]);
    expect(s.unregistered_frameworks).toEqual([]);

    const agent = s.slaves[0];
    expect(keys(agent)).toEqual(
      ["id", "pid", "hostname", "port", "attributes", "registered_time", "resources", "used_resources", "offered_resources", "reserved_resources", "unreserved_resources", "active", "deactivated", "version", "capabilities"].sort(),
    );
    expect(agent.pid).toMatch(/^slave\(1\)@127\.0\.0\.1:\d+$/);
    expect(keys(agent.resources)).toEqual(["cpus", "disk", "gpus", "mem", "ports"]);
    expect(agent.resources.ports).toBe("[31000-32000]");

    const fw = s.frameworks[0];
    for (const k of ["id", "name", "used_resources", "offered_resources", "capabilities", "hostname", "webui_url", "active", "connected", "recovered", "user", "failover_timeout", "checkpoint", "registered_time", "unregistered_time", "resources", "role", "tasks", "unreachable_tasks", "completed_tasks", "offers", "executors", "labels"]) {
      expect(fw, k).toHaveProperty(k);
    }
    expect(fw).not.toHaveProperty("pid");
    expect(fw.capabilities).toEqual(["PARTITION_AWARE"]);
    expect(fw.used_resources).toMatchObject({ cpus: 0.5, mem: 64 });
    expect(fw.tasks).toHaveLength(1);
    expect(fw.completed_tasks).toHaveLength(1);

    const task = fw.tasks[0];
    expect(keys(task)).toEqual(["executor_id", "framework_id", "id", "labels", "name", "resources", "role", "slave_id", "state", "statuses", "user"]);
    expect(task).toMatchObject({ id: "t1", name: "name-t1", executor_id: "", state: "TASK_RUNNING", role: "*", labels: [{ key: "app", value: "web" }] });
    expect(keys(task.statuses[0])).toEqual(["state", "timestamp"]);
    expect(fw.completed_tasks[0].state).toBe("TASK_FINISHED");
    expect(fw.completed_tasks[0].statuses.map((x: { state: string }) => x.state)).toEqual(["TASK_RUNNING", "TASK_FINISHED"]);
  });

  it("/master/slaves adds the *_full resources; /master/frameworks filters by id", async () => {
    fx = await startFixture();
    fx.launch("t1");
    const m = fx.h.master;
    const cache = new StateCache(m);
    const slaves = JSON.parse(collect(legacySlaves(cache, m, capture(m))));
    expect(slaves.slaves[0]).toHaveProperty("reserved_resources_full");
    expect(slaves.slaves[0]).toHaveProperty("unreserved_resources_full");
    expect(slaves.slaves[0]).toHaveProperty("used_resources_full");
    expect(slaves.slaves[0]).toHaveProperty("offered_resources_full");
    expect(slaves.recovered_slaves).toEqual([]);
    const none = JSON.parse(collect(legacyFrameworks(cache, m, capture(m, { frameworkId: "nope" }))));
    expect(none).toEqual({ frameworks: [], completed_frameworks: [], unregistered_frameworks: [] });
    const one = JSON.parse(collect(legacyFrameworks(cache, m, capture(m, { frameworkId: fx.framework.id }))));
    expect(one.frameworks.map((f: { id: string }) => f.id)).toEqual([fx.framework.id]);
  });
});

describe("GET_STATE (v1)", () => {
  it("renders protobuf JSON: {value} ids, enum names, TimeInfo, empty lists omitted", async () => {
    fx = await startFixture();
    fx.launch("t1");
    fx.update("t1", "TASK_RUNNING", false);
    const s = v1(fx);
    expect(keys(s)).toEqual(["get_agents", "get_executors", "get_frameworks", "get_tasks"]);
    expect(s.get_executors).toEqual({});
    expect(keys(s.get_tasks)).toEqual(["tasks"]);
    const task = s.get_tasks.tasks[0];
    expect(task).toMatchObject({ name: "name-t1", task_id: { value: "t1" }, framework_id: { value: fx.framework.id }, state: "TASK_RUNNING", status_update_state: "TASK_RUNNING" });
    expect(task.status_update_uuid).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(task.resources[0]).toMatchObject({ name: "cpus", type: "SCALAR", scalar: { value: 0.5 } });
    expect(task.statuses[0]).toMatchObject({ task_id: { value: "t1" }, state: "TASK_RUNNING", source: "SOURCE_EXECUTOR" });
    const agent = s.get_agents.agents[0];
    expect(agent).toMatchObject({ active: true, deactivated: false, version: "1.11.0" });
    expect(agent.agent_info).toMatchObject({ hostname: "host", port: 5051 });
    expect(agent.registered_time.nanoseconds).toBeGreaterThan(0);
    expect(agent.total_resources.length).toBeGreaterThan(0);
    const framework = s.get_frameworks.frameworks[0];
    expect(framework).toMatchObject({ active: true, connected: true, recovered: false });
    expect(framework.framework_info).toMatchObject({ name: "fixture", id: { value: fx.framework.id }, checkpoint: false, failover_timeout: 3600 });
    expect(framework.allocated_resources.length).toBeGreaterThan(0);
  });
});

describe("fragment cache", () => {
  const STATES: TaskState[] = ["TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_FINISHED", "TASK_FAILED"];

  it("a cached document always equals a freshly rendered one, whatever happened in between", async () => {
    fx = await startFixture();
    const cache = new StateCache(fx.h.master);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant({ op: "launch" as const }),
            fc.record({ op: fc.constant("update" as const), pick: fc.nat(), state: fc.constantFrom(...STATES), ack: fc.boolean() }),
            fc.record({ op: fc.constant("ack" as const), pick: fc.nat() }),
            fc.constant({ op: "render" as const }),
          ),
          { maxLength: 12 },
        ),
        async (ops) => {
          for (const op of ops) {
            if (op.op === "launch") {
              if (fx.framework.tasks.size < 12) fx.launch(`p${n++}`);
              continue;
            }
            if (op.op === "render") {
              legacy(fx, cache);
              v1(fx, cache);
              continue;
            }
            const live = [...fx.framework.tasks.keys()];
            if (live.length === 0) continue;
            const id = live[op.pick % live.length]!;
            if (op.op === "ack") fx.ack(id);
            else fx.update(id, op.state, op.ack);
          }
          const reference = new StateCache(fx.h.master, { attach: false });
          expect(legacy(fx, cache)).toEqual(legacy(fx, reference));
          expect(v1(fx, cache)).toEqual(v1(fx, reference));
        },
      ),
      { numRuns: 40 },
    );
    expect(cache.stats.hits).toBeGreaterThan(0);
  });
});
