// Parsing and structural validation of operator calls (the JSON → Call step of /api/v1).
import { describe, expect, it } from "vitest";
import { OPERATOR_CALL_TYPES, parseOperatorCall, validateOperatorCall } from "./call";

const parse = (json: unknown) => parseOperatorCall(json);

describe("parseOperatorCall", () => {
  it("accepts every Mesos call type and the Plateau KILL_TASK extension", () => {
    for (const type of OPERATOR_CALL_TYPES) expect(parse({ type }).ok).toBe(true);
    expect(OPERATOR_CALL_TYPES).toContain("KILL_TASK");
  });

  it("refuses unknown call types with stout's enum message", () => {
    expect(parse({ type: "FLY_TO_THE_MOON" })).toEqual({ ok: false, error: "Failed to find enum for 'FLY_TO_THE_MOON'" });
  });

  it("names the missing or mistyped field", () => {
    const missing = parse({ type: "READ_FILE", read_file: { offset: 0 } });
    expect(missing).toMatchObject({ ok: false });
    expect((missing as { error: string }).error).toContain("read_file.path");
    const wrong = parse({ type: "SET_LOGGING_LEVEL", set_logging_level: { level: "loud", duration: { nanoseconds: 1 } } });
    expect((wrong as { error: string }).error).toContain("set_logging_level.level");
    expect(parse({ type: 42 }).ok).toBe(false);
    expect(parse([]).ok).toBe(false);
  });

  it("is lenient like stout: numbers in strings, unknown keys ignored", () => {
    const r = parse({ type: "READ_FILE", read_file: { path: "/master/log", offset: "10", length: "5" }, extra: true });
    expect(r).toEqual({ ok: true, value: { type: "READ_FILE", read_file: { path: "/master/log", offset: 10, length: 5 } } });
  });
});

describe("validateOperatorCall", () => {
  it("requires the body of calls that take one", () => {
    const call = (json: unknown) => (parse(json) as { value: Parameters<typeof validateOperatorCall>[0] }).value;
    expect(validateOperatorCall(call({ type: "GET_METRICS" }))).toBe("Expecting 'get_metrics' to be present");
    expect(validateOperatorCall(call({ type: "TEARDOWN" }))).toBe("Expecting 'teardown' to be present");
    expect(validateOperatorCall(call({ type: "KILL_TASK" }))).toBe("Expecting 'kill_task' to be present");
    expect(validateOperatorCall(call({ type: "GET_STATE" }))).toBeNull();
    expect(validateOperatorCall(call({ type: "GET_METRICS", get_metrics: {} }))).toBeNull();
  });
});
