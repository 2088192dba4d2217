import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { safeEqual, signToken, verifyToken } from "./token";

const key = crypto.randomBytes(32);
const now = 1_700_000_000_000;
const claims = { sub: "exec-principal", kind: "executor", exp: now / 1000 + 60, framework_id: "f1", executor_id: "e1", container_id: "c1" };
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

describe("HS256 tokens", () => {
  it("accepts a token signed with the key, bound claims matching", () => {
    const t = signToken(key, claims);
    const r = verifyToken(key, t, now, "executor", { framework_id: "f1", executor_id: "e1", container_id: "c1" });
    expect(r).toMatchObject({ ok: true, claims: { sub: "exec-principal" } });
  });

  it("refuses alg:none, other algorithms, tampering, expiry, wrong key, wrong kind and wrong bindings", () => {
    const t = signToken(key, claims);
    const [h, p, s] = t.split(".") as [string, string, string];
    expect(verifyToken(key, `${b64({ alg: "none", typ: "JWT" })}.${p}.`, now, "executor").ok).toBe(false);
    expect(verifyToken(key, `${b64({ alg: "none" })}.${p}.${s}`, now, "executor").ok).toBe(false);
    const hs512 = `${b64({ alg: "HS512", typ: "JWT" })}.${p}`;
    expect(verifyToken(key, `${hs512}.${crypto.createHmac("sha512", key).update(hs512).digest("base64url")}`, now, "executor")).toMatchObject({ ok: false, reason: expect.stringMatching(/algorithm/) });
    expect(verifyToken(key, `${h}.${b64({ ...claims, sub: "root" })}.${s}`, now, "executor")).toMatchObject({ ok: false, reason: "Invalid token signature" });
    expect(verifyToken(key, `${h}.${p}.${s.slice(0, -2)}AA`, now, "executor").ok).toBe(false);
    expect(verifyToken(key, t, now + 61_000, "executor")).toMatchObject({ ok: false, reason: "Token expired" });
    expect(verifyToken(crypto.randomBytes(32), t, now, "executor").ok).toBe(false);
    expect(verifyToken(key, t, now, "session")).toMatchObject({ ok: false });
    expect(verifyToken(key, t, now, "executor", { container_id: "other" })).toMatchObject({ ok: false, reason: expect.stringMatching(/container_id/) });
    expect(verifyToken(key, signToken(key, { ...claims, exp: undefined as unknown as number }), now, "executor")).toMatchObject({ ok: false, reason: "Token has no expiry" });
  });

  it("never throws on garbage", () => {
    for (const g of ["", ".", "..", "a.b.c", "%%%.%%%.%%%", "e30.e30.", `${b64("x")}.${b64(null)}.AA`, "x".repeat(10_000)]) {
      expect(verifyToken(key, g, now, "executor").ok).toBe(false);
    }
  });

  it("safeEqual compares contents", () => {
    expect(safeEqual("secret", "secret")).toBe(true);
    expect(safeEqual("secret", "secreT")).toBe(false);
    expect(safeEqual("secret", "secret2")).toBe(false);
  });
});
