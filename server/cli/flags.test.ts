import { describe, expect, it } from "vitest";
import { FlagError, flagsForDisplay, parseDuration, parseFlags, renderHelp, type FlagSpecs } from "./flags";
import { MASTER_FLAGS } from "./master-flags";

const SPECS: FlagSpecs = {
  port: { type: "int", default: 5050, help: "port" },
  work_dir: { type: "string", help: "dir" },
  strict: { type: "bool", default: true, help: "strict" },
  timeout: { type: "duration", default: "15secs", help: "t", aliases: ["old_timeout"] },
};

describe("flags", () => {
  it("parses --name=value, --name value, --name and --no-name", () => {
    const p = parseFlags(["--port=6000", "--work_dir", "/tmp/x", "--no-strict", "--timeout=500ms"], SPECS, {});
    expect(p.values).toEqual({ port: 6000, work_dir: "/tmp/x", strict: false, timeout: 500 });
    expect(parseFlags(["--strict"], SPECS, {}).values.strict).toBe(true);
  });

  it("accepts dashes for underscores, aliases and PLATEAU_ environment variables", () => {
    expect(parseFlags(["--work-dir=/a"], SPECS, {}).values.work_dir).toBe("/a");
    expect(parseFlags(["--old_timeout=2mins"], SPECS, {}).values.timeout).toBe(120_000);
    expect(parseFlags([], SPECS, { PLATEAU_PORT: "7000" }).values.port).toBe(7000);
  });

  it("rejects unknown flags and bad values with the flag named", () => {
    expect(() => parseFlags(["--nope=1"], SPECS, {})).toThrow("unknown flag 'nope'");
    expect(() => parseFlags(["--port=abc"], SPECS, {})).toThrow(FlagError);
    expect(() => parseFlags(["--port=abc"], SPECS, {})).toThrow("'port'");
    expect(() => parseFlags(["--timeout=15parsecs"], SPECS, {})).toThrow("timeout");
    expect(() => parseFlags(["--work_dir"], SPECS, {})).toThrow("missing value");
  });

  it("parses and prints Mesos durations", () => {
    expect(parseDuration("1mins")).toBe(60_000);
    expect(parseDuration("2.5secs")).toBe(2500);
    expect(flagsForDisplay(SPECS, { timeout: 15_000, port: 5050 })).toEqual({ timeout: "15secs", port: "5050" });
  });

  it("documents every master flag in --help", () => {
    const help = renderHelp("usage", MASTER_FLAGS);
    for (const name of Object.keys(MASTER_FLAGS)) expect(help).toContain(`--${name}`);
  });
});
