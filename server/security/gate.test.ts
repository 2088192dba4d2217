import { describe, expect, it } from "vitest";
import { dashboardCsp, isPublicPath, originAllowed } from "./gate";
import { safeNext, escapeHtml } from "./login";
import type { IncomingMessage } from "node:http";

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("front door helpers", () => {
  it("public paths are the health checks, the login page and static assets only", () => {
    for (const p of ["/health", "/master/health", "/login", "/logout", "/_next/static/chunks/a.js"]) expect(isPublicPath(p)).toBe(true);
    for (const p of ["/", "/api/v1", "/api/v1/scheduler", "/trpc/tasks.kill", "/master/state", "/files/read", "/_next/image", "/healthz", "/login/x"]) expect(isPublicPath(p)).toBe(false);
  });

  it("origin check: same host or peer only; no Origin is not a browser", () => {
    expect(originAllowed(req({ host: "127.0.0.1:5050" }))).toBe(true);
    expect(originAllowed(req({ host: "127.0.0.1:5050", origin: "http://127.0.0.1:5050" }))).toBe(true);
    expect(originAllowed(req({ host: "127.0.0.1:5050", origin: "http://evil.example" }))).toBe(false);
    expect(originAllowed(req({ host: "127.0.0.1:5050", origin: "null" }))).toBe(false);
    expect(originAllowed(req({ host: "127.0.0.1:5050", origin: "http://127.0.0.1:5051" }), (h) => h === "127.0.0.1:5051")).toBe(true);
  });

  it("the dashboard CSP allows no inline script without the nonce and no framing", () => {
    const csp = dashboardCsp("abc");
    expect(csp).toContain("script-src 'self' 'nonce-abc'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });

  it("login never redirects off-site and escapes what it echoes", () => {
    expect(safeNext("/tasks?x=1")).toBe("/tasks?x=1");
    for (const bad of ["//evil", "/\\evil", "https://evil", "javascript:alert(1)", "", null, "/\u0000x"]) expect(safeNext(bad)).toBe("/");
    expect(escapeHtml(`<a href="x">'&`)).toBe("&#60;a href=&#34;x&#34;&#62;&#39;&#38;");
  });
});

describe("login throttle", () => {
  it("blocks an address after repeated failures for the rest of the window; success resets", async () => {
    const { LoginThrottle, MAX_FAILED_LOGINS, LOGIN_WINDOW_MS } = await import("./login");
    let now = 1_000_000;
    const t = new LoginThrottle(() => now);
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) t.failed("a");
    expect(t.blockedFor("a")).toBe(0);
    t.failed("a");
    expect(t.blockedFor("a")).toBe(LOGIN_WINDOW_MS);
    expect(t.blockedFor("b")).toBe(0);
    now += LOGIN_WINDOW_MS;
    expect(t.blockedFor("a")).toBe(0);
    t.failed("c");
    t.succeeded("c");
    expect(t.blockedFor("c")).toBe(0);
  });
});
