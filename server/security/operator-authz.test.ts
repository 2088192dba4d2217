import { describe, expect, it } from "vitest";
import type { Master } from "../master/master";
import type { OperatorCall } from "../master/operator/call";
import { parseAcls } from "./acls";
import { checksPass, operatorCallChecks } from "./operator-authz";
import { Security } from "./security";

// Just what the mapping reads: frameworks by id with their info and tasks.
const fakeMaster = {
  frameworks: new Map([
    ["fw-1", { info: { user: "alice", principal: "team-a" }, tasks: new Map([["t-1", { info: { command: { user: "bob" } } }], ["t-2", { info: {} }]]) }],
  ]),
  completedFrameworks: [],
} as unknown as Master;

const call = (c: Record<string, unknown>) => c as unknown as OperatorCall;

describe("operator call → ACL checks", () => {
  it("names the objects Mesos uses", () => {
    expect(operatorCallChecks(fakeMaster, call({ type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "a", weight: 1 }, { role: "b", weight: 2 }] } }))).toEqual([{ action: "update_weights", objects: ["a", "b"] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "TEARDOWN", teardown: { framework_id: { value: "fw-1" } } }))).toEqual([{ action: "teardown_frameworks", objects: ["team-a"] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "KILL_TASK", kill_task: { framework_id: { value: "fw-1" }, task_id: { value: "t-1" } } }))).toEqual([{ action: "kill_tasks", objects: ["bob"] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "KILL_TASK", kill_task: { framework_id: { value: "fw-1" }, task_id: { value: "t-2" } } }))).toEqual([{ action: "kill_tasks", objects: ["alice"] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "RESERVE_RESOURCES", reserve_resources: { agent_id: { value: "a" }, resources: [{ name: "cpus", reservations: [{ role: "eng" }, { role: "eng/ml", principal: "p" }] }] } }))).toEqual([{ action: "reserve_resources", objects: ["eng/ml"] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "UNRESERVE_RESOURCES", unreserve_resources: { agent_id: { value: "a" }, resources: [{ name: "cpus", reservations: [{ role: "eng", principal: "p1" }] }] } }))).toEqual([{ action: "unreserve_resources", objects: ["p1"] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "DESTROY_VOLUMES", destroy_volumes: { agent_id: { value: "a" }, volumes: [{ name: "disk", disk: { persistence: { id: "v", principal: "maker" } } }] } }))).toEqual([{ action: "destroy_volumes", objects: ["maker"] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "START_MAINTENANCE", start_maintenance: { machines: [{ hostname: "h1" }, { ip: "10.0.0.2" }] } }))).toEqual([{ action: "start_maintenances", objects: ["h1", "10.0.0.2"] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "DRAIN_AGENT", drain_agent: { agent_id: { value: "ag-1" } } }))).toEqual([{ action: "drain_agents", objects: ["ag-1"] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "READ_FILE", read_file: { path: "/master/log", offset: 0 } }))).toEqual([{ action: "access_mesos_logs", objects: [] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "LIST_FILES", list_files: { path: "/agents/a/frameworks/fw-1/executors/e/runs/latest" } }))).toEqual([{ action: "access_sandboxes", objects: ["alice"] }]);
    expect(operatorCallChecks(fakeMaster, call({ type: "GET_HEALTH" }))).toEqual([]);
  });

  it("every object must be allowed", () => {
    const security = new Security({ acls: parseAcls({ permissive: false, update_weights: [{ principals: { values: ["ops"] }, roles: { values: ["a"] } }] }) });
    const checks = operatorCallChecks(fakeMaster, call({ type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "a", weight: 1 }, { role: "b", weight: 2 }] } }));
    expect(checksPass(checks, "ops", (p, a, o) => security.authorize(p, a, o))).toEqual({ action: "update_weights", objects: ["b"] });
    const onlyA = operatorCallChecks(fakeMaster, call({ type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "a", weight: 1 }] } }));
    expect(checksPass(onlyA, "ops", (p, a, o) => security.authorize(p, a, o))).toBeNull();
    expect(checksPass(onlyA, undefined, (p, a, o) => security.authorize(p, a, o))).not.toBeNull();
  });
});
