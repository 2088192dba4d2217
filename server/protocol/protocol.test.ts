import { describe, expect, it } from "vitest";
import { encodeRecord, RecordIODecoder } from "./recordio";
import { JsonInputError, parseJsonBody, sameJson, toWireJson } from "./json";
import { parseSchedulerCall, validateSchedulerCall } from "./scheduler";
import { parseAgentMessage } from "./internal";

describe("RecordIO", () => {
  it("frames a record as <length>\\n<bytes> (byte length, not characters)", () => {
    expect(encodeRecord('{"type":"HEARTBEAT"}').toString()).toBe('20\n{"type":"HEARTBEAT"}');
    expect(encodeRecord("é").toString("latin1")).toBe("2\n\u00c3\u00a9");
  });

  it("decodes records split across arbitrary chunk boundaries", () => {
    const stream = Buffer.concat([encodeRecord("abc"), encodeRecord("defgh"), encodeRecord("{}")]);
    for (let size = 1; size <= stream.length; size++) {
      const decoder = new RecordIODecoder();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...decoder.push(stream.subarray(i, i + size)).map(String));
      expect(out).toEqual(["abc", "defgh", "{}"]);
    }
  });

  it("rejects a non-numeric length", () => {
    expect(() => new RecordIODecoder().push(Buffer.from("x1\nabc"))).toThrow("Invalid RecordIO length");
  });
});

describe("wire JSON", () => {
  it("escapes non-ASCII as \\uXXXX so records are pure ASCII", () => {
    const json = toWireJson({ name: "tâche 任务 🚀" });
    expect(json).toBe('{"name":"t\\u00e2che \\u4efb\\u52a1 \\ud83d\\ude80"}');
    expect(JSON.parse(json).name).toBe("tâche 任务 🚀");
    expect(/^[\x20-\x7e]*$/.test(json)).toBe(true);
  });

  it("limits nesting depth without being fooled by brackets in strings", () => {
    expect(() => parseJsonBody("[".repeat(201) + "]".repeat(201))).toThrow(JsonInputError);
    expect(() => parseJsonBody('{"a":'.repeat(201) + "1" + "}".repeat(201))).toThrow(/maximum depth of 200/);
    expect(parseJsonBody("[".repeat(200) + "]".repeat(200))).toBeInstanceOf(Array);
    // A hostile document far deeper than any stack: refused, no RangeError.
    expect(() => parseJsonBody("[".repeat(1_000_000) + "]".repeat(1_000_000))).toThrow(JsonInputError);
    expect(parseJsonBody(JSON.stringify({ s: "[[[[[[".repeat(100) }))).toEqual({ s: "[[[[[[".repeat(100) });
    expect(parseJsonBody(JSON.stringify({ s: '\\"[[[' }))).toEqual({ s: '\\"[[[' });
    expect(() => parseJsonBody("{bad")).toThrow(JsonInputError);
  });

  it("compares JSON values regardless of key order, undefined keys counting as absent", () => {
    const info = { hostname: "h", port: 5051, resources: [{ name: "cpus", scalar: { value: 4 } }], id: { value: "S1" } };
    expect(sameJson(info, JSON.parse(JSON.stringify(info)))).toBe(true);
    expect(sameJson(info, { id: { value: "S1" }, resources: [{ scalar: { value: 4 }, name: "cpus" }], port: 5051, hostname: "h" })).toBe(true);
    expect(sameJson(info, { ...info, domain: undefined })).toBe(true);
    expect(sameJson(info, { ...info, port: 5052 })).toBe(false);
    expect(sameJson(info, { ...info, extra: 1 })).toBe(false);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: [] }, { a: {} })).toBe(false);
    expect(sameJson({ a: null }, { a: undefined })).toBe(false);
    expect(sameJson({ a: { b: 1 } }, { a: { b: 1, c: 2 } })).toBe(false);
  });

  it("treats null as absent", () => {
    expect(parseJsonBody('{"a":null,"b":{"c":null,"d":1},"e":[1,null,2]}')).toEqual({ b: { d: 1 }, e: [1, 2] });
  });
});

describe("scheduler calls", () => {
  const subscribe = { type: "SUBSCRIBE", subscribe: { framework_info: { user: "u", name: "n" } } };

  it("accepts numbers and booleans given as strings, like stout's parser", () => {
    const r = parseSchedulerCall({ ...subscribe, subscribe: { framework_info: { user: "u", name: "n", failover_timeout: "60", checkpoint: "true" } } });
    expect(r.ok && r.value.subscribe?.framework_info).toMatchObject({ failover_timeout: 60, checkpoint: true });
  });

  it("drops unknown names in optional enums but rejects them in required ones", () => {
    const r = parseSchedulerCall({ ...subscribe, subscribe: { framework_info: { user: "u", name: "n", capabilities: [{ type: "NO_SUCH_CAP" }, { type: "MULTI_ROLE" }] } } });
    expect(r.ok && r.value.subscribe?.framework_info.capabilities).toEqual([{}, { type: "MULTI_ROLE" }]);
    const bad = parseSchedulerCall({ type: "FLY" });
    expect(bad.ok).toBe(false);
  });

  it("names missing required fields", () => {
    const r = parseSchedulerCall({ type: "SUBSCRIBE", subscribe: { framework_info: { name: "n" } } });
    expect(!r.ok && r.error).toContain("subscribe.framework_info.user");
  });

  it("validates call structure with Mesos's messages", () => {
    const v = (c: unknown) => {
      const r = parseSchedulerCall(c);
      if (!r.ok) throw new Error(r.error);
      return validateSchedulerCall(r.value);
    };
    expect(v({ type: "ACCEPT", framework_id: { value: "f" } })).toBe("Expecting 'accept' to be present");
    expect(v({ type: "DECLINE", decline: {} })).toBe("Expecting 'framework_id' to be present");
    expect(v({ ...subscribe, framework_id: { value: "f" } })).toBe("'framework_id' differs from 'subscribe.framework_info.id'");
    expect(v({ type: "ACKNOWLEDGE", framework_id: { value: "f" }, acknowledge: { agent_id: { value: "a" }, task_id: { value: "t" }, uuid: "AAAA" } })).toContain("16 bytes");
    expect(v(subscribe)).toBeNull();
  });
});

describe("internal protocol", () => {
  it("rejects malformed and unknown frames with a message instead of throwing", () => {
    expect(parseAgentMessage("{not json").ok).toBe(false);
    const r = parseAgentMessage(JSON.stringify({ type: "SELF_DESTRUCT" }));
    expect(r.ok).toBe(false);
    expect(parseAgentMessage(JSON.stringify({ type: "PONG", seq: 3 }))).toEqual({ ok: true, message: { type: "PONG", seq: 3 } });
  });
});
