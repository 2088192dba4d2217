// Issue #9: a master with credentials and ACLs. Proves the route census (every route × method is
// refused without credentials, except a short list of public paths that change nothing), HTTP
// Basic and bearer tokens, dashboard sessions, the scheduler's principal checks and ACLs, operator
// ACLs with audited denials, CSRF/origin checks, security headers and no JSONP; agents must
// authenticate to the master.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAgent, startTestMaster, tempDir, waitForAgents, waitUntil, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { Security } from "../../server/security/security";
import { parseAcls } from "../../server/security/acls";
import { basicAuthorization } from "../../server/security/credentials";
import { isPublicPath } from "../../server/security/gate";
import { appRouter } from "../../server/trpc/router";
import { currentWeights } from "../../server/master/roles";
import { quotaStatus } from "../../server/master/operator/calls/roles";

const OPS = { principal: "ops", secret: "ops-secret-1" };
const VIEWER = { principal: "viewer", secret: "viewer-secret-2" };
const FW = { principal: "fw", secret: "fw-secret-3" };
const AGENT = { principal: "agent", secret: "agent-secret-4" };
const tokenKey = crypto.randomBytes(32);
let clockMs = Date.now();

const acls = parseAcls({
  permissive: false,
  register_frameworks: [{ principals: { values: ["fw"] }, roles: { values: ["eng", "*"] } }],
  run_tasks: [{ principals: { values: ["fw"] }, users: { values: ["nobody", "root"] } }],
  update_weights: [{ principals: { values: ["ops"] }, roles: { type: "ANY" } }],
  update_quotas: [{ principals: { values: ["ops"] }, roles: { type: "ANY" } }],
  teardown_frameworks: [{ principals: { values: ["ops"] }, framework_principals: { type: "ANY" } }],
  kill_tasks: [{ principals: { values: ["ops"] }, users: { type: "ANY" } }],
  view_flags: [{ principals: { values: ["ops"] }, flags: { type: "ANY" } }],
  set_log_level: [{ principals: { values: ["ops"] }, level: { type: "ANY" } }],
  access_mesos_logs: [{ principals: { values: ["ops"] }, logs: { type: "ANY" } }],
  access_sandboxes: [{ principals: { values: ["ops"] }, users: { type: "ANY" } }],
  view_frameworks: [{ principals: { values: ["ops"] }, users: { type: "ANY" } }, { principals: { values: ["viewer"] }, users: { values: ["root"] } }],
  view_tasks: [{ principals: { values: ["ops"] }, users: { type: "ANY" } }],
  view_roles: [{ principals: { values: ["ops"] }, roles: { type: "ANY" } }],
  get_quotas: [{ principals: { values: ["ops"] }, roles: { type: "ANY" } }],
});

const MASTER_AT_AGENT = { principal: "master", secret: "master-at-agent-5" };
const security = new Security({ credentials: [OPS, VIEWER, FW, AGENT], acls, tokenKey, now: () => clockMs, sessionTtlMs: 60_000, agentCredential: MASTER_AT_AGENT });
let master: TestMaster;
let agent: TestAgent;
let badAgent: TestAgent | undefined;
let workDir: string;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(p: string, opts: { method?: string; headers?: Record<string, string>; body?: string; keepOpen?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = opts.body ?? "";
    const req = http.request({ host: "127.0.0.1", port: master.port, path: p, method: opts.method ?? "GET", headers: { ...(body ? { "Content-Length": String(Buffer.byteLength(body)) } : {}), ...opts.headers } });
    req.on("error", reject);
    req.on("response", (res) => {
      if (opts.keepOpen) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "" });
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.end(body);
  });
}

const basic = (c: { principal: string; secret: string }) => ({ Authorization: basicAuthorization(c) });
const JSON_H = { "Content-Type": "application/json", Accept: "application/json" };
const operator = (call: unknown, who: Record<string, string> = basic(OPS)) => request("/api/v1", { method: "POST", headers: { ...JSON_H, ...who }, body: JSON.stringify(call) });

/** What a successful unauthenticated mutation would change. */
function fingerprint() {
  const m = master.running.master;
  return JSON.stringify({
    frameworks: [...m.frameworks.keys()].sort(),
    agents: [...m.agents.values()].map((a) => [a.id, a.connection]).sort(),
    operatorEntries: m.timeline.list({ kind: "operator" }).length,
    weights: currentWeights(m),
    quota: quotaStatus(m),
    logging: master.running.operator?.context.logging.level,
  });
}

beforeAll(async () => {
  master = await startTestMaster({ security });
  workDir = tempDir("sec");
  const credFile = path.join(workDir, "agent-credential.json");
  fs.writeFileSync(credFile, JSON.stringify(AGENT));
  const httpCreds = path.join(workDir, "agent-http-credentials.json");
  fs.writeFileSync(httpCreds, JSON.stringify({ credentials: [MASTER_AT_AGENT, OPS] }));
  agent = await startTestAgent(master.address, { extra: [`--credential=${credFile}`, `--http_credentials=${httpCreds}`] });
  await waitForAgents(master, 1);
}, 60_000);

afterAll(async () => {
  await badAgent?.stop({ killTasks: true });
  await agent?.stop({ killTasks: true });
  await master?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe("route census", () => {
  const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"];

  function allRoutes(): string[] {
    const routes = [...master.running.routes.keys()];
    routes.push("/master/quota/eng"); // prefix route
    const procedures = (appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures;
    for (const name of Object.keys(procedures)) routes.push(`/trpc/${name}`);
    routes.push("/login", "/logout", "/", "/tasks", "/no/such/page", "/files/read?path=/master/log&offset=0");
    return routes;
  }

  it("lists every route and proves none is reachable without credentials (public ones change nothing)", async () => {
    const routes = allRoutes();
    expect(routes.length).toBeGreaterThan(40);
    expect(routes).toContain("/api/v1");
    expect(routes).toContain("/api/v1/scheduler");
    expect(routes).toContain("/trpc/tasks.kill");
    const before = fingerprint();
    const census: { route: string; method: string; status: number }[] = [];
    for (const route of routes) {
      for (const method of METHODS) {
        const body = method === "GET" ? undefined : route.startsWith("/trpc/") ? JSON.stringify({ reason: "census run", id: "x", weights: [{ role: "eng", weight: 3 }] }) : JSON.stringify({ type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "eng", weight: 3 }] } });
        const r = await request(route, { method, body, headers: { "Content-Type": "application/json", "x-plateau-csrf": "1" } });
        census.push({ route, method, status: r.status });
        const p = route.split("?")[0]!;
        if (isPublicPath(p)) {
          // Public: health checks and the login form. Nothing they do changes the cluster.
          expect([200, 303, 401, 405], `${method} ${route}`).toContain(r.status);
        } else {
          expect(r.status, `${method} ${route} answered ${r.status} without credentials`).toBe(401);
          expect(r.headers["www-authenticate"]).toBe('Basic realm="mesos-master-readwrite"');
        }
      }
    }
    expect(fingerprint()).toBe(before);
    // The public list is exactly what the gate declares, and contains no API.
    const publicOnes = [...new Set(census.filter((c) => isPublicPath(c.route.split("?")[0]!)).map((c) => c.route))].sort();
    expect(publicOnes).toEqual(["/health", "/login", "/logout", "/master/health"]);
  }, 120_000);

  it("wrong credentials and unsupported schemes are 401 everywhere, even on public paths", async () => {
    for (const p of ["/master/state", "/health", "/api/v1"]) {
      expect((await request(p, { headers: basic({ principal: "ops", secret: "wrong" }) })).status).toBe(401);
      expect((await request(p, { headers: basic({ principal: "nobody", secret: "ops-secret-1" }) })).status).toBe(401);
      expect((await request(p, { headers: { Authorization: "Digest abc" } })).status).toBe(401);
      expect((await request(p, { headers: { Authorization: "Basic %%%" } })).status).toBe(401);
    }
  });
});

describe("agent route census (--http_credentials)", () => {
  const AGENT_ROUTES = ["/state", "/slave(1)/state", "/flags", "/monitor/statistics", "/containers", "/files/browse?path=/", "/files/read?path=/&offset=0", "/files/download?path=/", "/files/debug", "/api/v1", "/no/such/path"];
  const agentRequest = (p: string, method: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${agent.port}${p}`, { method, headers: { "Content-Type": "application/json", ...headers }, body: method === "GET" ? undefined : '{"type":"GET_HEALTH"}' });

  it("every agent endpoint but /health and the executor API needs credentials", async () => {
    for (const p of AGENT_ROUTES) {
      for (const method of ["GET", "POST", "PUT", "DELETE"]) {
        const r = await agentRequest(p, method);
        expect(r.status, `${method} ${p}`).toBe(401);
        expect(r.headers.get("www-authenticate")).toBe('Basic realm="mesos-agent-readwrite"');
      }
    }
    expect((await agentRequest("/health", "GET")).status).toBe(200);
    expect((await agentRequest("/api/v1/executor", "POST")).status).toBe(400); // executors: their own tokens (see executor-auth.test.ts)
    expect((await agentRequest("/state", "GET", basic(OPS))).status).toBe(200);
    expect((await agentRequest("/api/v1", "POST", { ...basic(OPS), Accept: "application/json" })).status).toBe(200);
    expect((await agentRequest("/state", "GET", basic({ principal: "ops", secret: "nope" }))).status).toBe(401);
  });

  it("the master's files proxy presents its --agent_http_credential", async () => {
    const agentId = [...master.running.master.agents.keys()][0]!;
    const r = await request(`/files/browse?path=${encodeURIComponent(`/agents/${agentId}/frameworks/none/executors/none/runs/latest`)}`, { headers: basic(OPS) });
    expect(r.status, r.body).toBe(404);
  });
});

describe("authentication", () => {
  it("HTTP Basic opens the Mesos APIs", async () => {
    const r = await request("/master/state", { headers: basic(VIEWER) });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).slaves).toHaveLength(1);
    expect((await operator({ type: "GET_HEALTH" }, basic(VIEWER))).status).toBe(200);
  });

  it("bearer tokens: valid → in; tampered, alg:none, expired, session-kind → 401", async () => {
    const token = security.issueBearer("viewer", 60_000);
    expect((await request("/master/state", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    const [h, p, s] = token.split(".") as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url").toString()), sub: "ops" })).toString("base64url");
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    for (const bad of [`${h}.${forged}.${s}`, `${none}.${p}.`, `${h}.${p}.${s.replace(/^./, (c) => (c === "A" ? "B" : "A"))}`, security.issueSession("viewer")]) {
      expect((await request("/master/state", { headers: { Authorization: `Bearer ${bad}` } })).status).toBe(401);
    }
    clockMs += 120_000;
    try {
      expect((await request("/master/state", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    } finally {
      clockMs -= 120_000;
    }
  });

  it("agents must authenticate to the master", async () => {
    expect([...master.running.master.agents.values()].filter((a) => a.connection === "connected")).toHaveLength(1);
    badAgent = await startTestAgent(master.address);
    await waitUntil(() => badAgent!.output.some((l) => /401|Unexpected server response/.test(l)), 20_000, "the agent without credential to be refused");
    expect([...master.running.master.agents.values()].filter((a) => a.connection === "connected")).toHaveLength(1);
    await badAgent.stop({ killTasks: true });
    badAgent = undefined;
  }, 40_000);
});

describe("dashboard session", () => {
  const self = () => `http://127.0.0.1:${master.port}`;
  const login = (principal: string, secret: string, origin = self()) =>
    request("/login", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin }, body: new URLSearchParams({ principal, secret, next: "/tasks" }).toString() });

  it("logs in with a HttpOnly, SameSite=Strict cookie that expires; logs out", async () => {
    const form = await request("/login");
    expect(form.status).toBe(200);
    expect(form.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(form.body).not.toMatch(/<script/i);

    expect((await login("ops", "nope")).status).toBe(401);
    expect((await login("ops", OPS.secret, "http://evil.example")).status).toBe(403);
    const ok = await login("ops", OPS.secret);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe("/tasks");
    const cookie = String(ok.headers["set-cookie"]);
    expect(cookie).toMatch(/plateau_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=60/);
    const value = cookie.split(";")[0]!;
    const me = await request("/trpc/auth.me", { headers: { Cookie: value } });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body).result.data).toMatchObject({ principal: "ops", authEnabled: true, can: { UPDATE_WEIGHTS: true, DRAIN_AGENT: false } });

    const out = await request("/logout", { method: "POST", headers: { Cookie: value, Origin: self() } });
    expect(out.status).toBe(303);
    expect(String(out.headers["set-cookie"])).toMatch(/plateau_session=; .*Max-Age=0/);

    clockMs += 61_000; // session expiry
    try {
      expect((await request("/trpc/auth.me", { headers: { Cookie: value } })).status).toBe(401);
    } finally {
      clockMs -= 61_000;
    }
    // A forged cookie is no session.
    expect((await request("/trpc/auth.me", { headers: { Cookie: `plateau_session=${security.issueBearer("ops", 60_000)}` } })).status).toBe(401);
  });

  it("never redirects off-site after login", async () => {
    for (const next of ["//evil.example/", "https://evil.example/", "/\\evil.example"]) {
      const r = await request("/login", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: `http://127.0.0.1:${master.port}` }, body: new URLSearchParams({ principal: "ops", secret: OPS.secret, next }).toString() });
      expect(r.headers.location).toBe("/");
    }
  });

  it("dashboard mutations need the CSRF header and an allowed origin; ACLs apply; denials are audited", async () => {
    const cookie = String((await login("viewer", VIEWER.secret)).headers["set-cookie"]).split(";")[0]!;
    const mutate = (headers: Record<string, string>) =>
      request("/trpc/roles.updateWeights", { method: "POST", headers: { "Content-Type": "application/json", Cookie: cookie, ...headers }, body: JSON.stringify({ reason: "testing acl", weights: [{ role: "eng", weight: 2 }] }) });
    expect((await mutate({})).status).toBe(403); // no CSRF header
    expect((await mutate({ "x-plateau-csrf": "1", Origin: "http://evil.example" })).status).toBe(403);
    const denied = await mutate({ "x-plateau-csrf": "1", Origin: `http://127.0.0.1:${master.port}` });
    expect(denied.status).toBe(403);
    expect(denied.body).toContain("not authorized to update_weights");
    const entry = master.running.master.timeline.list().filter((e) => e.kind === "operator").at(-1)!;
    expect(entry).toMatchObject({ action: "UPDATE_WEIGHTS", principal: "viewer", result: "error" });
  });
});

describe("operator API authorization and audit", () => {
  it("GET_FLAGS and /master/flags need view_flags", async () => {
    expect((await operator({ type: "GET_FLAGS" }, basic(VIEWER))).status).toBe(403);
    expect((await operator({ type: "GET_FLAGS" })).status).toBe(200);
    expect((await request("/master/flags", { headers: basic(VIEWER) })).status).toBe(403);
  });

  it("UPDATE_WEIGHTS: allowed for ops (audited with principal), refused for viewer (audited as denied)", async () => {
    const denied = await operator({ type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "eng", weight: 2 }] } }, basic(VIEWER));
    expect(denied.status).toBe(403);
    let last = master.running.master.timeline.list().at(-1)!;
    expect(last).toMatchObject({ kind: "operator", action: "UPDATE_WEIGHTS", principal: "viewer", result: "error" });
    const ok = await operator({ type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "eng", weight: 2 }] } });
    expect(ok.status).toBe(200);
    last = master.running.master.timeline.list().filter((e) => e.kind === "operator").at(-1)!;
    expect(last).toMatchObject({ action: "UPDATE_WEIGHTS", principal: "ops", result: "ok" });
    // view_roles filters the reads: the viewer does not see the role's weight.
    const weightsOf = async (who: Record<string, string>) => JSON.parse((await request("/master/weights", { headers: who })).body) as { role: string }[];
    expect((await weightsOf(basic(OPS))).map((w) => w.role)).toContain("eng");
    expect(await weightsOf(basic(VIEWER))).toEqual([]);
    expect((await operator({ type: "GET_WEIGHTS" }, basic(VIEWER))).body).not.toContain("eng");
    // Quota: set by ops, visible to ops only (get_quotas).
    expect((await operator({ type: "UPDATE_QUOTA", update_quota: { quota_configs: [{ role: "eng", guarantees: { cpus: { value: 0.5 } } }] } })).status).toBe(200);
    expect((await operator({ type: "GET_QUOTA" })).body).toContain("eng");
    expect((await operator({ type: "GET_QUOTA" }, basic(VIEWER))).body).not.toContain("eng");
    expect((await request("/master/quota", { headers: basic(VIEWER) })).body).not.toContain("eng");
    // The legacy endpoint is held to the same ACL.
    const legacy = await request("/master/weights", { method: "PUT", headers: { ...basic(VIEWER), "Content-Type": "application/json" }, body: '[{"role":"eng","weight":5}]' });
    expect(legacy.status).toBe(403);
  });

  it("the audit trail is exportable: who, what, target, result and time of every operator action", async () => {
    const r = await request(`/trpc/events.export?input=${encodeURIComponent(JSON.stringify({ kinds: ["operator"] }))}`, { headers: basic(OPS) });
    expect(r.status).toBe(200);
    const entries = JSON.parse(r.body).result.data.entries as { action: string; principal: string; result: string; time: number; summary: string }[];
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(typeof e.time).toBe("number");
      expect(e.principal).toBeTruthy();
      expect(["ok", "error"]).toContain(e.result);
    }
    expect(entries.some((e) => e.action === "UPDATE_WEIGHTS" && e.principal === "ops" && e.result === "ok" && e.summary.includes("eng"))).toBe(true);
    expect(entries.some((e) => e.action === "UPDATE_WEIGHTS" && e.principal === "viewer" && e.result === "error")).toBe(true);
    // Not without credentials.
    expect((await request("/trpc/events.export")).status).toBe(401);
  });

  it("no JSONP once authentication is on; browsers from other origins cannot POST", async () => {
    expect((await request("/master/state?jsonp=cb", { headers: basic(OPS) })).status).toBe(400);
    const r = await request("/api/v1", { method: "POST", headers: { ...JSON_H, ...basic(OPS), Origin: "http://evil.example" }, body: '{"type":"GET_HEALTH"}' });
    expect(r.status).toBe(403);
  });

  it("every response carries nosniff, frame denial and a restrictive CSP", async () => {
    for (const p of ["/master/state", "/api/v1", "/health", "/nope"]) {
      const r = await request(p, { headers: basic(OPS) });
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.headers["x-frame-options"]).toBe("DENY");
    }
    expect((await request("/master/state", { headers: basic(OPS) })).headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  });
});

describe("scheduler API", () => {
  const subscribe = (info: Record<string, unknown>, who?: Record<string, string>) =>
    request("/api/v1/scheduler", { method: "POST", keepOpen: true, headers: { ...JSON_H, ...who }, body: JSON.stringify({ type: "SUBSCRIBE", subscribe: { framework_info: { user: "nobody", name: "sec-fw", ...info } } }) });

  it("needs credentials; the FrameworkInfo principal must be the authenticated one; register_frameworks ACL", async () => {
    expect((await subscribe({ principal: "fw" })).status).toBe(401);
    expect((await subscribe({ principal: "ops" }, basic(FW))).status).toBe(403);
    expect((await subscribe({ principal: "fw", roles: ["prod"], capabilities: [{ type: "MULTI_ROLE" }] }, basic(FW))).status).toBe(403);
    expect((await subscribe({ principal: "ops", roles: ["eng"], capabilities: [{ type: "MULTI_ROLE" }] }, basic(OPS))).status).toBe(403);
    const ok = await subscribe({ principal: "fw", roles: ["eng"], capabilities: [{ type: "MULTI_ROLE" }] }, basic(FW));
    expect(ok.status).toBe(200);
    expect(ok.headers["mesos-stream-id"]).toBeTruthy();
  });

  it("state documents and the event stream show a principal only what view_frameworks allows", async () => {
    // A framework of user 'nobody' stays subscribed while we look.
    const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const body = JSON.stringify({ type: "SUBSCRIBE", subscribe: { framework_info: { user: "nobody", name: "hidden-fw", principal: "fw", failover_timeout: 60 } } });
      const req = http.request({ host: "127.0.0.1", port: master.port, path: "/api/v1/scheduler", method: "POST", headers: { ...JSON_H, ...basic(FW), "Content-Length": String(body.length) } });
      req.on("response", resolve);
      req.on("error", reject);
      req.end(body);
    });
    try {
      await waitUntil(() => [...master.running.master.frameworks.values()].some((f) => f.info.name === "hidden-fw"), 10_000, "the framework");
      const names = (body: string) => (JSON.parse(body).frameworks as { name: string }[]).map((f) => f.name);
      expect(names((await request("/master/state", { headers: basic(OPS) })).body)).toContain("hidden-fw");
      const asViewer = JSON.parse((await request("/master/state", { headers: basic(VIEWER) })).body);
      expect(asViewer.frameworks.map((f: { name: string }) => f.name)).not.toContain("hidden-fw");
      expect(asViewer.flags).toBeUndefined(); // view_flags
      expect(names((await request("/master/frameworks", { headers: basic(VIEWER) })).body)).not.toContain("hidden-fw");
      expect((await request("/master/state-summary", { headers: basic(VIEWER) })).body).not.toContain("hidden-fw");
      expect((await request("/master/state-summary", { headers: basic(OPS) })).body).toContain("hidden-fw");
      const v1 = await operator({ type: "GET_FRAMEWORKS" }, basic(VIEWER));
      expect(v1.status).toBe(200);
      expect(v1.body).not.toContain("hidden-fw");
      expect((await operator({ type: "GET_FRAMEWORKS" })).body).toContain("hidden-fw");
      // The dashboard's reads (tRPC) filter the same way.
      const trpcNames = async (who: Record<string, string>) => ((JSON.parse((await request("/trpc/frameworks.list", { headers: who })).body).result.data) as { name: string }[]).map((f) => f.name);
      expect(await trpcNames(basic(OPS))).toContain("hidden-fw");
      expect(await trpcNames(basic(VIEWER))).not.toContain("hidden-fw");
      const hiddenId = [...master.running.master.frameworks.values()].find((f) => f.info.name === "hidden-fw")!.id;
      const detail = await request(`/trpc/frameworks.detail?input=${encodeURIComponent(JSON.stringify({ id: hiddenId }))}`, { headers: basic(VIEWER) });
      expect(JSON.parse(detail.body).result.data).toBeNull();
      // SUBSCRIBE snapshot for the viewer hides it too.
      const snap = await new Promise<string>((resolve, reject) => {
        const body = '{"type":"SUBSCRIBE"}';
        const req = http.request({ host: "127.0.0.1", port: master.port, path: "/api/v1", method: "POST", headers: { ...JSON_H, ...basic(VIEWER), "Content-Length": String(body.length) } });
        req.on("response", (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString("latin1");
            if (text.includes("HEARTBEAT") && text.includes("SUBSCRIBED")) {
              res.destroy();
              resolve(text);
            }
          });
        });
        req.on("error", reject);
        req.end(body);
      });
      expect(snap).toContain("SUBSCRIBED");
      expect(snap).not.toContain("hidden-fw");
    } finally {
      stream.destroy();
    }
  });
});

// Last: it starts a second master in this process, which takes over the process-wide tRPC handle.
describe("sign-in throttling", () => {
  it("repeated failed sign-ins from one address are throttled (429), even with the right secret afterwards", async () => {
    const own = await startTestMaster({ security: new Security({ credentials: [OPS] }) });
    try {
      const attempt = (secret: string) =>
        fetch(`http://127.0.0.1:${own.port}/login`, { method: "POST", redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: `http://127.0.0.1:${own.port}` }, body: new URLSearchParams({ principal: "ops", secret }).toString() });
      for (let i = 0; i < 5; i++) expect((await attempt("wrong")).status).toBe(401);
      const blocked = await attempt(OPS.secret);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await own.stop();
    }
  });
});
