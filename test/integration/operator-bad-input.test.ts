// Bad input on the operator API and the legacy endpoints is answered with a 4xx (or 501) and a
// message naming the problem; the master keeps serving and its state is untouched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawCall } from "../../server/cli/scheduler-client";
import { OperatorStream, get, getJson, operatorCall, operatorGet, startOperatorMaster, type OperatorTestMaster } from "./operator-helpers";
import { waitUntil } from "../../server/testing/cluster";

let master: OperatorTestMaster;
const target = () => ({ host: "127.0.0.1", port: master.port });
const JSON_HEADERS = { "Content-Type": "application/json" };

beforeAll(async () => {
  master = await startOperatorMaster({ operator: { maxOperatorSubscribers: 2 } });
});

afterAll(async () => {
  await master?.stop();
});

describe("/api/v1 transport", () => {
  it("405 for GET, 400 without Content-Type, 415 for protobuf and other types, 406 for an Accept without JSON", async () => {
    const notPost = await rawCall(target(), "", {}, "/api/v1", "GET");
    expect(notPost).toMatchObject({ status: 405, body: "Expecting one of { 'POST' }, but received 'GET'" });
    expect(notPost.headers.allow).toBe("POST");
    expect(await operatorCall(master.port, { type: "GET_HEALTH" }, {})).toMatchObject({ status: 400, body: "Expecting 'Content-Type' to be present" });
    const proto = await operatorCall(master.port, { type: "GET_HEALTH" }, { "Content-Type": "application/x-protobuf" });
    expect(proto.status).toBe(415);
    expect(proto.body).toContain("protobuf is not supported");
    expect((await operatorCall(master.port, { type: "GET_HEALTH" }, { "Content-Type": "text/plain" })).status).toBe(415);
    const accept = await operatorCall(master.port, { type: "GET_HEALTH" }, { ...JSON_HEADERS, Accept: "application/x-protobuf" });
    expect(accept.status).toBe(406);
    expect(accept.body).toContain("'Accept'");
    expect((await rawCall(target(), JSON.stringify({ type: "GET_HEALTH" }), JSON_HEADERS, "/master/api/v1?x=1")).status).toBe(200);
  });
});

describe("/api/v1 bodies", () => {
  const post = (body: string) => operatorCall(master.port, body, JSON_HEADERS);

  it("400 for malformed JSON, unknown call types, wrong types and missing fields", async () => {
    const malformed = await post('{"type": "GET_STATE", ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatch(/^Failed to parse body into JSON: /);
    expect(await post(JSON.stringify({ type: "FLY_TO_THE_MOON" }))).toMatchObject({ status: 400, body: "Failed to convert JSON into Call protobuf: Failed to find enum for 'FLY_TO_THE_MOON'" });
    expect((await post(JSON.stringify({}))).status).toBe(400);
    expect((await post("[]")).status).toBe(400);
    expect((await post('"GET_STATE"')).status).toBe(400);
    const wrongType = await post(JSON.stringify({ type: "READ_FILE", read_file: { path: "/master/log", offset: "soon" } }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toContain("read_file.offset");
    const missingField = await post(JSON.stringify({ type: "TEARDOWN", teardown: {} }));
    expect(missingField.status).toBe(400);
    expect(missingField.body).toContain("Missing required field 'teardown.framework_id'");
    expect(await post(JSON.stringify({ type: "GET_METRICS" }))).toMatchObject({ status: 400, body: "Failed to validate master::Call: Expecting 'get_metrics' to be present" });
    expect(await post(JSON.stringify({ type: "KILL_TASK", kill_task: { framework_id: { value: "f" } } }))).toMatchObject({ status: 400 });
  });

  it("400 for JSON nested deeper than 200 levels, 413 for bodies over the limit", async () => {
    const deep = await post(`{"type":"GET_STATE","x":${"[".repeat(5000)}${"]".repeat(5000)}}`);
    expect(deep.status).toBe(400);
    expect(deep.body).toContain("depth");
    const huge = await post(`{"type":"GET_STATE","pad":"${"x".repeat(17 * 1024 * 1024)}"}`);
    expect(huge.status).toBe(413);
  });

  it("501 for UNKNOWN and for calls this version does not implement", async () => {
    expect(await post(JSON.stringify({ type: "UNKNOWN" }))).toMatchObject({ status: 501, body: "Received 'UNKNOWN' call" });
    const grow = await post(JSON.stringify({ type: "GROW_VOLUME", grow_volume: {} }));
    expect(grow.status).toBe(501);
    expect(grow.body).toContain("GROW_VOLUME");
    // Maintenance and drain calls are implemented (server/master/maintenance): bad input is a 400.
    const drain = await post(JSON.stringify({ type: "DRAIN_AGENT", drain_agent: { agent_id: { value: "x" } } }));
    expect([drain.status, drain.body]).toEqual([400, "Unknown agent"]);
  });

  it("4xx from handlers: unknown files, bad logging levels, unknown frameworks", async () => {
    expect((await post(JSON.stringify({ type: "LIST_FILES", list_files: { path: "/nope" } }))).status).toBe(404);
    expect((await post(JSON.stringify({ type: "SET_LOGGING_LEVEL", set_logging_level: { level: -1, duration: { nanoseconds: 1 } } }))).status).toBe(400);
    expect((await post(JSON.stringify({ type: "TEARDOWN", teardown: { framework_id: { value: "nope" } } }))).status).toBe(400);
    expect((await post(JSON.stringify({ type: "UPDATE_QUOTA", update_quota: { quota_configs: [{ role: "../bad" }] } }))).status).toBe(400);
  });
});

describe("legacy endpoints", () => {
  it("answer bad parameters with 400 and a message", async () => {
    expect(await get(master.port, "/master/tasks?offset=-1")).toMatchObject({ status: 400 });
    expect((await get(master.port, "/files/read?path=/master/log&length=-7")).body).toBe("Negative length provided: -7");
    expect((await get(master.port, "/files/browse")).status).toBe(400);
    const weights = await rawCall(target(), JSON.stringify([{ role: "x", weight: "heavy" }]), {}, "/master/weights", "PUT");
    expect(weights.status).toBe(400);
    const quota = await rawCall(target(), JSON.stringify({ guarantee: [] }), {}, "/master/quota", "POST");
    expect(quota.status).toBe(400);
    expect((await rawCall(target(), "", {}, "/master/teardown", "GET")).status).toBe(405);
  });
});

describe("SUBSCRIBE limits", () => {
  it("closes the oldest stream beyond --max_operator_event_stream_subscribers", async () => {
    const streams = [await OperatorStream.open(master.port), await OperatorStream.open(master.port)];
    for (const s of streams) await s.waitFor((e) => e.type === "SUBSCRIBED");
    const third = await OperatorStream.open(master.port);
    await third.waitFor((e) => e.type === "SUBSCRIBED");
    await waitUntil(() => streams[0]!.ended && !streams[1]!.ended, 5000, "oldest stream closed");
    for (const s of [...streams, third]) s.close();
  });
});

describe("the master keeps serving", () => {
  it("after all of the above, answers calls and has recorded nothing bogus", async () => {
    expect(await operatorGet(master.port, { type: "GET_HEALTH" })).toEqual({ type: "GET_HEALTH", get_health: { healthy: true } });
    expect((await operatorGet(master.port, { type: "GET_STATE" })).get_state.get_frameworks).toEqual({});
    expect((await getJson(master.port, "/master/state")).frameworks).toEqual([]);
    expect((await operatorGet(master.port, { type: "GET_QUOTA" })).get_quota.status).toEqual({});
    expect((await operatorGet(master.port, { type: "GET_LOGGING_LEVEL" })).get_logging_level.level).toBe(0);
  });
});
