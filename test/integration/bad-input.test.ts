// Bad input on the scheduler API gets Mesos's status codes and a message naming the problem;
// the master keeps serving and loses no state.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAgent, startTestMaster, waitForAgents, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { rawCall, type SchedulerClient } from "../../server/cli/scheduler-client";
import { RecordIODecoder } from "../../server/protocol/recordio";
import { autoAcknowledge, commandTask, isUpdateFor, launch, newScheduler, nextOffer } from "./helpers";

let master: TestMaster;
let agent: TestAgent;
let client: SchedulerClient;
const target = () => ({ host: "127.0.0.1", port: master.port });
const JSON_HEADERS = { "Content-Type": "application/json" };
const SUBSCRIBE = JSON.stringify({ type: "SUBSCRIBE", subscribe: { framework_info: { user: "u", name: "bad-input" } } });

beforeAll(async () => {
  master = await startTestMaster();
  agent = await startTestAgent(master.address);
  await waitForAgents(master, 1);
  client = newScheduler(master.address, { name: "bad-input-victim", failover_timeout: 60 });
  autoAcknowledge(client);
  await client.subscribe();
  // The victim holds no offers until it needs them (one agent: offers go to one framework at a time).
  await client.mustCall({ type: "SUPPRESS", suppress: {} });
  for (const id of [...master.running.master.frameworks.get(client.frameworkId!)!.offers]) {
    await client.mustCall({ type: "DECLINE", decline: { offer_ids: [{ value: id }], filters: { refuse_seconds: 0 } } });
  }
  client.received.length = 0;
});

afterAll(async () => {
  client?.disconnect();
  await agent?.stop({ killTasks: true });
  await master?.stop();
});

const post = (body: string, headers: Record<string, string> = JSON_HEADERS) => rawCall(target(), body, headers);
const withStream = (call: Record<string, unknown>, streamId = client.streamId!) =>
  post(JSON.stringify({ framework_id: { value: client.frameworkId }, ...call }), { ...JSON_HEADERS, "Mesos-Stream-Id": streamId });

describe("scheduler API status codes", () => {
  it("405 for methods other than POST", async () => {
    const r = await rawCall(target(), "", {}, "/api/v1/scheduler", "GET");
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe("POST");
  });

  it("400 without Content-Type, 415 for other media types (protobuf is not spoken)", async () => {
    expect(await post(SUBSCRIBE, {})).toMatchObject({ status: 400, body: "Expecting 'Content-Type' to be present" });
    expect((await post(SUBSCRIBE, { "Content-Type": "text/plain" })).status).toBe(415);
    const proto = await post(SUBSCRIBE, { "Content-Type": "application/x-protobuf" });
    expect(proto.status).toBe(415);
    expect(proto.body).toContain("protobuf is not supported");
  });

  it("400 for malformed JSON, unknown call types and missing required fields", async () => {
    const malformed = await post('{"type": "SUBSCRIBE", ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatch(/^Failed to parse body into JSON: /);
    const unknown = await post(JSON.stringify({ type: "FLY_TO_THE_MOON" }));
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatch(/^Failed to convert JSON into Call protobuf: .*type/);
    const missing = await post(JSON.stringify({ type: "SUBSCRIBE", subscribe: { framework_info: { name: "x" } } }));
    expect(missing.body).toContain("subscribe.framework_info.user");
    const noFramework = await post(JSON.stringify({ type: "DECLINE", decline: { offer_ids: [] } }));
    expect(noFramework).toMatchObject({ status: 400, body: "Failed to validate scheduler::Call: Expecting 'framework_id' to be present" });
  });

  it("400 for deeply nested JSON, 413 for oversized bodies", async () => {
    const deep = await post(`{"type":"SUBSCRIBE","x":${"[".repeat(5000)}${"]".repeat(5000)}}`);
    expect(deep.status).toBe(400);
    expect(deep.body).toContain("depth");
    const huge = await post(`{"type":"SUBSCRIBE","pad":"${"x".repeat(17 * 1024 * 1024)}"}`);
    expect(huge.status).toBe(413);
  });

  it("400 for unknown frameworks and missing or stale stream ids; 501 for UNKNOWN", async () => {
    const unknownFw = await post(JSON.stringify({ type: "REVIVE", framework_id: { value: "nope" } }), { ...JSON_HEADERS, "Mesos-Stream-Id": "x" });
    expect(unknownFw).toMatchObject({ status: 400, body: "Framework cannot be found" });
    const noStream = await post(JSON.stringify({ type: "REVIVE", framework_id: { value: client.frameworkId } }));
    expect(noStream).toMatchObject({ status: 400, body: "All non-subscribe calls should include the 'Mesos-Stream-Id' header" });
    const stale = await withStream({ type: "REVIVE" }, "00000000-0000-0000-0000-000000000000");
    expect(stale.status).toBe(400);
    expect(stale.body).toContain("didn't match the stream ID currently associated with framework ID");
    expect((await withStream({ type: "UNKNOWN" })).status).toBe(501);
    expect((await withStream({ type: "SUPPRESS", suppress: {} })).status).toBe(202);
  });

  it("SUBSCRIBE: 400 with a stream id header, 406 when JSON is not acceptable", async () => {
    expect((await post(SUBSCRIBE, { ...JSON_HEADERS, "Mesos-Stream-Id": "abc" })).body).toBe("Subscribe calls should not include the 'Mesos-Stream-Id' header");
    expect((await post(SUBSCRIBE, { ...JSON_HEADERS, Accept: "application/x-protobuf" })).status).toBe(406);
  });
});

/** Opens a SUBSCRIBE with a hand-made request (chunked body, no Accept); returns raw records. */
function rawSubscribe(body: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; records: string[]; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: master.port, path: "/api/v1/scheduler", method: "POST", headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" } });
    req.on("error", reject);
    req.on("response", (res) => {
      const decoder = new RecordIODecoder();
      const records: string[] = [];
      res.on("data", (c: Buffer) => records.push(...decoder.push(c).map((r) => r.toString("latin1"))));
      res.on("error", () => {});
      setTimeout(() => resolve({ status: res.statusCode!, headers: res.headers, records, close: () => req.destroy() }), 300);
    });
    // Chunked request body, written in pieces.
    req.write(body.slice(0, 10));
    req.write(body.slice(10));
    req.end();
  });
}

describe("liberal input, conservative output", () => {
  it("accepts a chunked body with nulls meaning absent and no Accept header (JSON by default)", async () => {
    const r = await rawSubscribe(JSON.stringify({ type: "SUBSCRIBE", framework_id: null, subscribe: { framework_info: { user: "u", name: "chunky", id: null, role: null }, suppressed_roles: null } }));
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers["mesos-stream-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const first = JSON.parse(r.records[0]!);
    expect(first.type).toBe("SUBSCRIBED");
    expect(first.subscribed.master_info).toMatchObject({ port: master.port, address: { ip: "127.0.0.1" } });
    r.close();
  });

  it("writes non-ASCII as \\uXXXX escapes and invalid launches as TASK_ERROR with the reason", async () => {
    const r = await rawSubscribe(JSON.stringify({ type: "SUBSCRIBE", subscribe: { framework_info: { user: "u", name: "unicode" } } }));
    const frameworkId = JSON.parse(r.records[0]!).subscribed.framework_id.value;
    const streamId = String(r.headers["mesos-stream-id"]);
    await new Promise((res) => setTimeout(res, 600)); // let offers arrive
    const offers = r.records.map((x) => JSON.parse(x)).filter((e) => e.type === "OFFERS").flatMap((e) => e.offers.offers);
    expect(offers.length).toBeGreaterThan(0);
    const offer = offers[0];
    const tooBig = commandTask(offer, "tâche-énorme", "true", "cpus:999;mem:32");
    const call = { framework_id: { value: frameworkId }, type: "ACCEPT", accept: { offer_ids: [offer.id], operations: [{ type: "LAUNCH", launch: { task_infos: [tooBig] } }] } };
    const accepted = await post(JSON.stringify(call), { ...JSON_HEADERS, "Mesos-Stream-Id": streamId });
    expect(accepted.status).toBe(202);
    await new Promise((res) => setTimeout(res, 300));
    const raw = r.records.find((x) => x.includes("TASK_ERROR"))!;
    expect(raw).toContain("t\\u00e2che-\\u00e9norme");
    expect(/^[\x20-\x7e]*$/.test(raw)).toBe(true);
    const status = JSON.parse(raw).update.status;
    expect(status).toMatchObject({ state: "TASK_ERROR", reason: "REASON_TASK_INVALID", source: "SOURCE_MASTER" });
    expect(status.message).toContain("more resources");
    r.close();
  });

  it("rejects a reused task id with TASK_ERROR and keeps the original task running", async () => {
    await client.mustCall({ type: "REVIVE", revive: {} });
    const offer = await nextOffer(client);
    await launch(client, offer, [commandTask(offer, "unique", "sleep 600")]);
    await client.waitFor(isUpdateFor("unique", "TASK_RUNNING"), 15_000, true);
    const again = await nextOffer(client);
    await launch(client, again, [commandTask(again, "unique", "true")]);
    const error = await client.waitFor(isUpdateFor("unique", "TASK_ERROR"), 5000, true);
    expect(error.update.status.message).toBe("Task has duplicate ID: unique");
    expect(master.running.master.frameworks.get(client.frameworkId!)!.tasks.get("unique")!.state).toBe("TASK_RUNNING");
  });

  it("the master is still healthy and the victim framework untouched after all of the above", async () => {
    expect((await rawCall(target(), "", {}, "/master/health", "GET")).status).toBe(200);
    const fw = master.running.master.frameworks.get(client.frameworkId!)!;
    expect(fw.lifecycle).toBe("connected");
    expect((await withStream({ type: "RECONCILE", reconcile: { tasks: [] } })).status).toBe(202);
  });
});
