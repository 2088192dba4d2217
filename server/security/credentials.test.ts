import { describe, expect, it } from "vitest";
import { CredentialStore, CredentialsError, parseCredential, parseCredentials } from "./credentials";
import { checkPosture, isLoopback } from "./flags";

describe("credentials files", () => {
  it("reads Mesos's JSON format and the text format", () => {
    expect(parseCredentials('{"credentials":[{"principal":"ops","secret":"s3cret"},{"principal":"fw","secret":"x"}]}')).toEqual([
      { principal: "ops", secret: "s3cret" },
      { principal: "fw", secret: "x" },
    ]);
    expect(parseCredentials("# comment\nops s3cret\nfw  x\n")).toHaveLength(2);
    expect(parseCredential('{"principal":"agent","secret":"a"}')).toEqual({ principal: "agent", secret: "a" });
    expect(parseCredential("agent a")).toEqual({ principal: "agent", secret: "a" });
  });

  it("refuses empty secrets, empty lists, duplicates and malformed input (no default passwords)", () => {
    expect(() => parseCredentials('{"credentials":[{"principal":"ops","secret":""}]}')).toThrow(CredentialsError);
    expect(() => parseCredentials('{"credentials":[]}')).toThrow(/No credentials/);
    expect(() => parseCredentials("ops a\nops b")).toThrow(/twice/);
    expect(() => parseCredentials("{nope")).toThrow(/Invalid JSON/);
    expect(() => parseCredentials("onlyprincipal")).toThrow(CredentialsError);
    expect(() => parseCredentials('{"credentials":[{"principal":"a:b","secret":"x"}]}')).toThrow(/':'/);
  });

  it("verifies secrets", () => {
    const store = new CredentialStore([{ principal: "ops", secret: "s3cret" }]);
    expect(store.verify("ops", "s3cret")).toBe(true);
    expect(store.verify("ops", "s3cret ")).toBe(false);
    expect(store.verify("nobody", "s3cret")).toBe(false);
  });
});

describe("default posture", () => {
  it("knows loopback addresses", () => {
    for (const ip of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) expect(isLoopback(ip)).toBe(true);
    for (const ip of ["0.0.0.0", "10.0.0.1", "::", "192.168.1.1"]) expect(isLoopback(ip)).toBe(false);
  });

  it("refuses a non-loopback address without credentials unless --insecure, and then warns loudly", () => {
    const lines: string[] = [];
    expect(() => checkPosture("0.0.0.0", false, false, "--credentials", (l) => lines.push(l))).toThrow(/Refusing to listen on non-loopback address 0\.0\.0\.0/);
    expect(() => checkPosture("0.0.0.0", true, false, "--credentials", (l) => lines.push(l))).not.toThrow();
    expect(lines).toEqual([]);
    checkPosture("0.0.0.0", false, true, "--credentials", (l) => lines.push(l));
    expect(lines.some((l) => l.includes("INSECURE"))).toBe(true);
  });
});
