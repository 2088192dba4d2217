// The front door of a Plateau HTTP server (master or agent), run before any route: security
// headers on every response, authentication (401 with Mesos's realm when credentials are
// configured and none, or wrong ones, were given), no JSONP once authentication is on, and a strict
// Origin check on state-changing requests coming from browsers (CSRF defence for every path that
// is not tRPC — tRPC checks its own, see server/trpc/origin.ts).
import crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { originHost } from "../trpc/origin";
import { setRequestIdentity, type Security } from "./security";

/** Paths anyone may reach even when authentication is on (none of them changes anything). */
export const PUBLIC_PATHS = new Set(["/health", "/master/health", "/login", "/logout", "/favicon.ico", "/icon.svg"]);
const PUBLIC_PREFIXES = ["/_next/static/"];

export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.has(path) || PUBLIC_PREFIXES.some((p) => path.startsWith(p));
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Headers every response carries. */
export function setBaseSecurityHeaders(res: ServerResponse): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "same-origin");
}

/** API responses are data, never documents: nothing may run or load from them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The dashboard's policy: scripts only from this origin or carrying this response's nonce (no
 * 'unsafe-inline', no eval), no framing, no plugins, forms and connections to this origin and the
 * cluster's other masters (the page follows the leader after a failover).
 */
export function dashboardCsp(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self' http: https:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Prepares a dashboard (Next.js) request: a fresh nonce that Next.js puts on its inline scripts. */
export function applyDashboardCsp(req: IncomingMessage, res: ServerResponse): string {
  const nonce = crypto.randomBytes(16).toString("base64");
  const csp = dashboardCsp(nonce);
  req.headers["content-security-policy"] = csp; // Next.js reads the nonce from the request
  res.setHeader("Content-Security-Policy", csp);
  return nonce;
}

export interface GateOptions {
  security: Security;
  /** Realm of the 401 challenge ("mesos-master-readwrite", "mesos-agent-readwrite"). */
  realm: string;
  /** Whether host:port is another master of this cluster (allowed as an Origin). */
  isPeer?: (hostPort: string) => boolean;
  /** Paths handled by the dashboard: anonymous requests are sent to /login instead of a 401. */
  isDashboardPath?: (path: string) => boolean;
}

function challenge(res: ServerResponse, realm: string, message: string): void {
  const body = Buffer.from(message, "utf8");
  res.writeHead(401, { "WWW-Authenticate": `Basic realm="${realm}"`, "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(body.length) });
  res.end(body);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  const body = Buffer.from(message, "utf8");
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(body.length) });
  res.end(body);
}

/** True when the Origin header (if any) names this host or a peer master. */
export function originAllowed(req: IncomingMessage, isPeer?: (hostPort: string) => boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser, or a same-origin navigation without one
  const from = originHost(origin);
  if (from === null) return false; // "null" (sandboxed frames, file:), other schemes
  const host = req.headers.host?.toLowerCase();
  if (host !== undefined && from.toLowerCase() === host) return true;
  return isPeer?.(from) ?? false;
}

/**
 * Runs the checks; answers and returns true when the request must not go further. Records the
 * request's identity for principalName()/requestIdentity().
 */
export function gateRequest(opts: GateOptions, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): boolean {
  const { security } = opts;
  setBaseSecurityHeaders(res);
  const method = req.method ?? "GET";

  // CSRF for everything but tRPC (which has its own header + origin check): a browser's
  // state-changing request must come from this cluster's own pages.
  if (!SAFE_METHODS.has(method) && !path.startsWith("/trpc/") && !originAllowed(req, opts.isPeer)) {
    refuse(res, 403, `Requests from origin '${String(req.headers.origin)}' are not accepted`);
    return true;
  }

  const auth = security.authenticate(req);
  if (auth.kind === "invalid") {
    challenge(res, opts.realm, `Authentication failed: ${auth.reason}`);
    return true;
  }
  const principal = auth.kind === "principal" ? auth.principal : undefined;
  setRequestIdentity(req, { principal, security });
  if (!security.authEnabled) return false;

  if (query.has("jsonp") || query.has("callback")) {
    refuse(res, 400, "JSONP is not served when authentication is enabled");
    return true;
  }
  if (principal !== undefined || isPublicPath(path)) return false;
  if (opts.isDashboardPath?.(path) && SAFE_METHODS.has(method) && !path.startsWith("/trpc/")) {
    const next = encodeURIComponent(req.url ?? "/");
    res.writeHead(303, { Location: `/login?next=${next}`, "Content-Length": "0", "Cache-Control": "no-store" });
    res.end();
    return true;
  }
  challenge(res, opts.realm, "Authentication required");
  return true;
}

/** Checks an agent's WebSocket upgrade (the internal protocol): Basic credentials required when authentication is on. */
export function gateUpgrade(security: Security, req: IncomingMessage): { ok: true; principal?: string } | { ok: false; message: string } {
  const auth = security.authenticate(req);
  if (auth.kind === "invalid") return { ok: false, message: `Authentication failed: ${auth.reason}` };
  if (!security.authEnabled) return { ok: true };
  if (auth.kind !== "principal" || auth.via === "session") return { ok: false, message: "Agents must authenticate (--credential)" };
  setRequestIdentity(req, { principal: auth.principal, security });
  return { ok: true, principal: auth.principal };
}
