// Signed tokens (JWT, HS256 only): bearer tokens on the Mesos APIs, the dashboard's session cookie
// and the per-executor tokens an agent hands its executors. Verification is strict: the header must
// say exactly {"alg":"HS256"} (so `alg:none` and every other algorithm are refused), the signature
// is compared in constant time, `exp` is required and checked against the caller's clock, and the
// claims a caller binds (kind, framework/executor/container ids) must match exactly.
import crypto from "node:crypto";

export interface TokenClaims {
  /** The principal the token speaks for. */
  sub: string;
  /** What the token is for ("bearer", "session", "executor"); a token of one kind never passes as another. */
  kind: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  iat?: number;
  [claim: string]: unknown;
}

export type TokenResult = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

const b64url = (buf: Buffer): string => buf.toString("base64url");
const HEADER = b64url(Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })));

function hmac(key: Buffer, data: string): Buffer {
  return crypto.createHmac("sha256", key).update(data).digest();
}

export function signToken(key: Buffer, claims: TokenClaims): string {
  const payload = b64url(Buffer.from(JSON.stringify(claims)));
  const signed = `${HEADER}.${payload}`;
  return `${signed}.${b64url(hmac(key, signed))}`;
}

function decodePart(part: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new Error("not base64url");
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

/**
 * Verifies a token: HS256 signature (constant-time), expiry (`nowMs`), the kind, and every claim in
 * `bound` (exact equality). Never throws.
 */
export function verifyToken(key: Buffer, token: string, nowMs: number, kind: string, bound: Record<string, string> = {}): TokenResult {
  if (token.length > 8192) return { ok: false, reason: "Token too long" };
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "Malformed token" };
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = decodePart(h);
    claims = decodePart(p);
  } catch {
    return { ok: false, reason: "Malformed token" };
  }
  if (typeof header !== "object" || header === null || (header as { alg?: unknown }).alg !== "HS256") {
    return { ok: false, reason: "Unsupported token algorithm (only HS256 is accepted)" };
  }
  if (!/^[A-Za-z0-9_-]+$/.test(s)) return { ok: false, reason: "Malformed token signature" };
  const given = Buffer.from(s, "base64url");
  const expected = hmac(key, `${h}.${p}`);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, reason: "Invalid token signature" };
  if (typeof claims !== "object" || claims === null) return { ok: false, reason: "Malformed token claims" };
  const c = claims as Partial<TokenClaims>;
  if (typeof c.sub !== "string" || c.sub === "") return { ok: false, reason: "Token has no subject" };
  if (c.kind !== kind) return { ok: false, reason: `Token is not a ${kind} token` };
  if (typeof c.exp !== "number" || !Number.isFinite(c.exp)) return { ok: false, reason: "Token has no expiry" };
  if (c.exp * 1000 <= nowMs) return { ok: false, reason: "Token expired" };
  for (const [name, value] of Object.entries(bound)) {
    if (c[name] !== value) return { ok: false, reason: `Token is not valid for this ${name}` };
  }
  return { ok: true, claims: c as TokenClaims };
}

/** Constant-time string comparison (for secrets). Lengths leak; contents do not. */
export function safeEqual(a: string, b: string): boolean {
  const x = crypto.createHash("sha256").update(a).digest();
  const y = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(x, y) && a.length === b.length;
}
