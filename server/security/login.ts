// Dashboard login and logout (served by the master's own HTTP server, not Next.js): a plain HTML
// form, no scripts at all. A successful login sets the session cookie (a signed token with an
// expiry: HttpOnly, SameSite=Strict, Path=/); logout clears it. Both are POSTs; the front door
// (./gate.ts) has already refused foreign origins.
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, HttpError } from "../http/util";
import { SESSION_COOKIE, requestIdentity, type Security } from "./security";

const LOGIN_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Only local paths: never an open redirect (`//evil`, `/\evil`, `https://…`). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || /[\u0000-\u001f]/.test(next)) return "/";
  return next;
}

function loginPage(next: string, error: string | null, principal: string | undefined): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · Plateau</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;background:#0f1419;color:#e6e6e6;display:grid;place-items:center;min-height:100vh;margin:0}
form{background:#1a2029;padding:2rem;border-radius:8px;display:grid;gap:.75rem;min-width:18rem}
input,button{font:inherit;padding:.5rem;border-radius:4px;border:1px solid #444;background:#0f1419;color:inherit}
button{background:#2f6feb;border:0;color:#fff;cursor:pointer}.error{color:#ff7b72}</style></head>
<body><form method="post" action="/login">
<h1>Plateau</h1>
${principal ? `<p>Signed in as <b>${escapeHtml(principal)}</b>.</p>` : ""}
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<label>Principal <input name="principal" autocomplete="username" required autofocus></label>
<label>Secret <input name="secret" type="password" autocomplete="current-password" required></label>
<input type="hidden" name="next" value="${escapeHtml(next)}">
<button type="submit">Sign in</button>
</form></body></html>`;
}

function html(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const buf = Buffer.from(body, "utf8");
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Content-Length": String(buf.length), "Content-Security-Policy": LOGIN_CSP, "Cache-Control": "no-store", ...headers });
  res.end(buf);
}

function redirect(res: ServerResponse, to: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { Location: to, "Content-Length": "0", "Cache-Control": "no-store", ...headers });
  res.end();
}

export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

/** Failed sign-ins allowed per client address within the window before it must wait. */
export const MAX_FAILED_LOGINS = 5;
export const LOGIN_WINDOW_MS = 5 * 60_000;

/** Per-address failed sign-in counts (bounded; oldest addresses dropped first). */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly now: () => number = Date.now, private readonly maxAddresses = 10_000) {}

  /** Milliseconds the address must still wait, or 0. */
  blockedFor(address: string): number {
    const f = this.failures.get(address);
    if (!f) return 0;
    const left = f.since + LOGIN_WINDOW_MS - this.now();
    if (left <= 0) {
      this.failures.delete(address);
      return 0;
    }
    return f.count >= MAX_FAILED_LOGINS ? left : 0;
  }

  failed(address: string): void {
    const f = this.failures.get(address);
    if (f && f.since + LOGIN_WINDOW_MS > this.now()) f.count++;
    else {
      this.failures.delete(address);
      this.failures.set(address, { count: 1, since: this.now() });
      if (this.failures.size > this.maxAddresses) this.failures.delete(this.failures.keys().next().value!);
    }
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }
}

const throttles = new WeakMap<Security, LoginThrottle>();
function throttleOf(security: Security): LoginThrottle {
  let t = throttles.get(security);
  if (!t) throttles.set(security, (t = new LoginThrottle()));
  return t;
}

export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

/** Handles /login and /logout; returns false for other paths. */
export function handleLoginRoutes(security: Security, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, log: (line: string) => void): boolean {
  if (path !== "/login" && path !== "/logout") return false;
  const method = req.method ?? "GET";
  if (path === "/logout") {
    if (method !== "POST") {
      res.writeHead(405, { Allow: "POST", "Content-Length": "0" }).end();
      return true;
    }
    req.resume();
    const who = requestIdentity(req).principal;
    if (who) log(`security] ${who} logged out of the dashboard`);
    redirect(res, security.authEnabled ? "/login" : "/", { "Set-Cookie": CLEARED_SESSION_COOKIE });
    return true;
  }
  if (!security.authEnabled) {
    req.resume();
    redirect(res, "/");
    return true;
  }
  if (method === "GET" || method === "HEAD") {
    html(res, 200, loginPage(safeNext(query.get("next")), null, requestIdentity(req).principal));
    return true;
  }
  if (method !== "POST") {
    res.writeHead(405, { Allow: "GET, POST", "Content-Length": "0" }).end();
    return true;
  }
  void readBody(req, 16 * 1024)
    .then((body) => {
      const form = new URLSearchParams(body.toString("utf8"));
      const principal = form.get("principal") ?? "";
      const next = safeNext(form.get("next"));
      const address = req.socket.remoteAddress ?? "unknown";
      const throttle = throttleOf(security);
      const wait = throttle.blockedFor(address);
      if (wait > 0) {
        html(res, 429, loginPage(next, `Too many failed sign-in attempts: try again in ${Math.ceil(wait / 1000)} s`, undefined), { "Retry-After": String(Math.ceil(wait / 1000)) });
        return;
      }
      if (!security.verifySecret(principal, form.get("secret") ?? "")) {
        throttle.failed(address);
        log(`security] failed dashboard login for principal '${principal.slice(0, 100)}' from ${address}`);
        html(res, 401, loginPage(next, "Invalid principal or secret", undefined));
        return;
      }
      throttle.succeeded(address);
      log(`security] ${principal} logged in to the dashboard from ${req.socket.remoteAddress}`);
      redirect(res, next, { "Set-Cookie": sessionCookie(security.issueSession(principal), Math.floor(security.sessionTtlMs / 1000)) });
    })
    .catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 400;
      if (!res.headersSent) html(res, status, loginPage("/", `Bad request: ${(err as Error).message}`, undefined));
    });
  return true;
}
