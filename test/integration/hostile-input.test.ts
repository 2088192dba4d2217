// Issue #9 (hostile input): property-based fuzzing (fast-check) of every API family's parser —
// scheduler, operator, executor, the internal agent protocol, files, tRPC — against a real master
// and agent. Whatever arrives: no crash, no 5xx (a non-leader's 503 cannot happen here: one
// leading master), only Mesos's 4xx codes (or success for what happens to be valid), and the
// cluster keeps working (the agent stays connected, health answers). Also: body size and JSON
// depth limits on every API, malformed request lines, undecodable % sequences, chunked bodies
// with trailers.
import net from "node:net";
import fc from "fast-check";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAgent, startTestMaster, waitForAgents, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { INTERNAL_AGENT_PATH } from "../../server/protocol/internal";

let master: TestMaster;
let agent: TestAgent;
const RUNS = Number(process.env.PLATEAU_FUZZ_RUNS ?? 150);

beforeAll(async () => {
  master = await startTestMaster();
  agent = await startTestAgent(master.address);
  await waitForAgents(master, 1);
}, 60_000);

afterAll(async () => {
  await agent?.stop({ killTasks: true });
  await master?.stop();
});

interface Reply {
  status: number;
  body: string;
}

async function send(port: number, path: string, body: string | Buffer, headers: Record<string, string>, method = "POST"): Promise<Reply> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : typeof body === "string" ? body : new Uint8Array(body) });
  return { status: r.status, body: await r.text() };
}

/** Writes raw bytes and reads whatever comes back until the server closes or 2 s pass. */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let out = "";
    const done = () => {
      socket.destroy();
      resolve(out);
    };
    socket.on("data", (c) => {
      out += c.toString("latin1");
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.setTimeout(2000, done);
    socket.write(bytes);
  });
}

const status = (reply: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);

async function stillHealthy(): Promise<void> {
  expect((await send(master.port, "/health", "", {}, "GET")).status).toBe(200);
  expect((await send(agent.port, "/health", "", {}, "GET")).status).toBe(200);
  expect([...master.running.master.agents.values()].filter((a) => a.connection === "connected")).toHaveLength(1);
}

// Arbitrary call-like JSON: a mix of random JSON and structurally plausible calls with random parts.
const callTypes = ["SUBSCRIBE", "TEARDOWN", "ACCEPT", "DECLINE", "REVIVE", "KILL", "SHUTDOWN", "ACKNOWLEDGE", "RECONCILE", "MESSAGE", "REQUEST", "SUPPRESS", "UPDATE", "HEARTBEAT",
  "GET_STATE", "GET_FLAGS", "UPDATE_WEIGHTS", "RESERVE_RESOURCES", "UNRESERVE_RESOURCES", "CREATE_VOLUMES", "DESTROY_VOLUMES", "UPDATE_QUOTA", "SET_LOGGING_LEVEL", "READ_FILE", "LIST_FILES", "KILL_TASK",
  "REGISTER_AGENT", "REREGISTER_AGENT", "STATUS_UPDATE", "PONG", "UNKNOWN", "bogus", ""];
const id = fc.oneof(fc.record({ value: fc.string() }), fc.jsonValue());
const callLike = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.record(
    {
      type: fc.oneof(fc.constantFrom(...callTypes), fc.jsonValue({ maxDepth: 1 })),
      framework_id: id,
      executor_id: id,
      subscribe: fc.oneof(fc.record({ framework_info: fc.record({ user: fc.string(), name: fc.string(), roles: fc.array(fc.string()) }, { requiredKeys: [] }) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 3 })),
      accept: fc.jsonValue({ maxDepth: 4 }),
      update_weights: fc.oneof(fc.record({ weight_infos: fc.array(fc.record({ role: fc.string(), weight: fc.oneof(fc.double(), fc.string()) })) }), fc.jsonValue({ maxDepth: 3 })),
      read_file: fc.record({ path: fc.string(), offset: fc.oneof(fc.integer(), fc.string()), length: fc.oneof(fc.integer(), fc.double()) }, { requiredKeys: [] }),
      list_files: fc.record({ path: fc.string() }, { requiredKeys: [] }),
      set_logging_level: fc.jsonValue({ maxDepth: 2 }),
      kill_task: fc.jsonValue({ maxDepth: 3 }),
      update: fc.jsonValue({ maxDepth: 3 }),
    },
    { requiredKeys: ["type"] },
  ),
);
const body = fc.oneof(
  callLike.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString("latin1")),
  callLike.map((v) => JSON.stringify(v).slice(0, -1)), // truncated
);
const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "application/x-protobuf", "text/plain", "", "application/json;;;");
const accept = fc.constantFrom(undefined, "application/json", "application/x-protobuf", "*/*", "text/html;q=0", "");

function headersOf(ct: string, acc: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { ...extra };
  if (ct !== "") h["Content-Type"] = ct;
  if (acc !== undefined) h.Accept = acc;
  return h;
}

/** Mesos's codes for bad input on these APIs, plus success for input that happened to be valid. */
const ALLOWED = new Set([200, 202, 400, 403, 404, 405, 406, 409, 413, 415, 501]);

describe("property-based fuzzing (fast-check): no crash, no 5xx, Mesos 4xx codes", () => {
  it("scheduler API", async () => {
    await fc.assert(
      fc.asyncProperty(body, contentType, accept, fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), async (b, ct, acc, streamId) => {
        const extra: Record<string, string> = streamId !== undefined ? { "Mesos-Stream-Id": streamId.replace(/[^\x20-\x7e]/g, "") } : {};
        // SUBSCRIBE answers with a stream: only the status line matters.
        const ctrl = new AbortController();
        const r = await fetch(`http://127.0.0.1:${master.port}/api/v1/scheduler`, { method: "POST", headers: headersOf(ct, acc, extra), body: b, signal: ctrl.signal });
        ctrl.abort();
        expect(ALLOWED, `${r.status} for ${b.slice(0, 200)}`).toContain(r.status);
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  }, 120_000);

  it("operator API (no SUBSCRIBE: streams are covered elsewhere)", async () => {
    await fc.assert(
      fc.asyncProperty(body.filter((b) => !b.includes('"SUBSCRIBE"')), contentType, accept, async (b, ct, acc) => {
        const r = await send(master.port, "/api/v1", b, headersOf(ct, acc));
        expect(ALLOWED, `${r.status} ${r.body.slice(0, 200)} for ${b.slice(0, 200)}`).toContain(r.status);
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  }, 120_000);

  it("legacy endpoints with bodies (weights, quota, teardown, reserve…)", async () => {
    const paths = ["/master/weights", "/master/quota", "/master/teardown", "/master/reserve", "/master/unreserve", "/master/create-volumes", "/master/destroy-volumes", "/master/quota/%ZZ", "/logging/toggle"];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.constantFrom("POST", "PUT", "DELETE", "GET"), body, contentType, async (p, method, b, ct) => {
        const r = await send(master.port, p, b, headersOf(ct, undefined, { "Content-Type": ct || "application/x-www-form-urlencoded" }), method);
        expect(ALLOWED, `${method} ${p}: ${r.status} ${r.body.slice(0, 200)}`).toContain(r.status);
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  }, 120_000);

  it("executor API (agent)", async () => {
    await fc.assert(
      fc.asyncProperty(body, contentType, accept, async (b, ct, acc) => {
        const ctrl = new AbortController();
        const r = await fetch(`http://127.0.0.1:${agent.port}/api/v1/executor`, { method: "POST", headers: headersOf(ct, acc), body: b, signal: ctrl.signal });
        ctrl.abort();
        // 401 is the authentication hook's answer; 503 only while the agent recovers (not here).
        expect(ALLOWED, `${r.status} for ${b.slice(0, 200)}`).toContain(r.status);
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  }, 120_000);

  it("files API (master proxy and agent): arbitrary paths, offsets and lengths", async () => {
    const segment = fc.constantFrom("..", ".", "%2e%2e", "%252e%252e", "..\\..", "\u0000", "%00", "frameworks", "agents", "latest", "/", "//", "~", "%ZZ", "\u00e9", "master", "log");
    const pathArb = fc.oneof(fc.string({ maxLength: 60 }), fc.array(segment, { maxLength: 8 }).map((s) => `/${s.join("/")}`));
    const num = fc.oneof(fc.integer().map(String), fc.string({ maxLength: 8 }), fc.constant("-1"), fc.constant("1e309"), fc.constant("9007199254740993"));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(master.port, agent.port), fc.constantFrom("/files/read", "/files/browse", "/files/download", "/files/debug"), pathArb, num, num, async (port, endpoint, p, offset, length) => {
        const qs = `path=${encodeURIComponent(p)}&offset=${encodeURIComponent(offset)}&length=${encodeURIComponent(length)}`;
        const r = await send(port, `${endpoint}?${qs}`, "", {}, "GET");
        expect([200, 400, 403, 404], `${endpoint}?${qs}: ${r.status} ${r.body.slice(0, 200)}`).toContain(r.status);
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  }, 120_000);

  it("tRPC (dashboard) queries and mutations", async () => {
    const procs = ["tasks.list", "tasks.detail", "tasks.kill", "roles.updateWeights", "frameworks.teardown", "sandbox.read", "cluster.overview", "nope.nothing"];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...procs), fc.jsonValue({ maxDepth: 4 }), fc.boolean(), async (proc, input, asPost) => {
        const enc = encodeURIComponent(JSON.stringify(input));
        const r = asPost
          ? await send(master.port, `/trpc/${proc}`, JSON.stringify(input), { "Content-Type": "application/json", "x-plateau-csrf": "1" })
          : await send(master.port, `/trpc/${proc}?input=${enc}`, "", {}, "GET");
        expect(r.status, `${proc} ${JSON.stringify(input).slice(0, 200)} → ${r.body.slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  }, 120_000);

  it("internal agent protocol: arbitrary frames on an agent WebSocket", async () => {
    const frames = fc.array(
      fc.oneof(
        callLike.map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 100 }),
        fc.record({ type: fc.constantFrom("REGISTER_AGENT", "REREGISTER_AGENT", "STATUS_UPDATE", "PONG", "EXECUTOR_EXITED", "UPDATE_SLAVE"), agent_info: fc.jsonValue({ maxDepth: 3 }), update: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: ["type"] }).map((v) => JSON.stringify(v)),
      ),
      { minLength: 1, maxLength: 5 },
    );
    await fc.assert(
      fc.asyncProperty(frames, async (list) => {
        const ws = new WebSocket(`ws://127.0.0.1:${master.port}${INTERNAL_AGENT_PATH}`);
        await new Promise<void>((resolve) => {
          ws.on("open", () => {
            for (const f of list) ws.send(f);
            setTimeout(() => ws.close(), 50);
          });
          ws.on("close", () => resolve());
          ws.on("error", () => resolve());
        });
      }),
      { numRuns: Math.min(RUNS, 60) },
    );
    await stillHealthy();
  }, 120_000);
});

describe("limits and malformed HTTP", () => {
  const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
  const deepCall = (n: number) => `{"type":"GET_HEALTH","x":${deep(n)}}`;

  it("JSON nesting deeper than 200 is 400 on every JSON API; 200 levels are fine", async () => {
    const json = { "Content-Type": "application/json" };
    for (const [port, p] of [[master.port, "/api/v1"], [master.port, "/api/v1/scheduler"], [agent.port, "/api/v1/executor"], [agent.port, "/api/v1"]] as const) {
      const r = await send(port, p, deepCall(201), json);
      expect(r.status, p).toBe(400);
      expect(r.body, p).toMatch(/depth/);
    }
    expect((await send(master.port, "/api/v1", deepCall(198), json)).status).toBe(200);
    expect((await send(master.port, "/master/weights", deep(201), json, "PUT")).status).toBe(400);
    const trpc = await send(master.port, "/trpc/roles.updateWeights", deep(100_000), { ...json, "x-plateau-csrf": "1" });
    expect(trpc.status).toBeGreaterThanOrEqual(400);
    expect(trpc.status).toBeLessThan(500);
    await stillHealthy();
  });

  it("bodies over the limit are 413 on every API", async () => {
    const big = Buffer.alloc(17 * 1024 * 1024, 0x20);
    for (const [port, p] of [[master.port, "/api/v1"], [master.port, "/api/v1/scheduler"], [agent.port, "/api/v1/executor"], [master.port, "/master/weights"]] as const) {
      const r = await send(port, p, big, { "Content-Type": "application/json" }, p === "/master/weights" ? "PUT" : "POST").catch(() => ({ status: 413, body: "connection closed" }));
      expect(r.status, p).toBe(413);
    }
    const t = await send(master.port, "/trpc/roles.updateWeights", Buffer.alloc(2 * 1024 * 1024, 0x20), { "Content-Type": "application/json", "x-plateau-csrf": "1" }).catch(() => ({ status: 413, body: "" }));
    expect(t.status).toBe(413);
    await stillHealthy();
  }, 60_000);

  it("malformed request lines and headers get 400; the server keeps serving", async () => {
    for (const port of [master.port, agent.port]) {
      for (const bad of ["GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n", "POST /api/v1 HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", "POST /api/v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003"]) {
        const reply = await raw(port, bad);
        const code = status(reply);
        expect(code === 400 || code === 505 || reply === "", `${JSON.stringify(bad)} → ${reply.slice(0, 80)}`).toBe(true);
      }
    }
    await stillHealthy();
  });

  it("undecodable % sequences are answered (400/404), never 5xx", async () => {
    for (const p of ["/%", "/%ZZ", "/files/read?path=%E0%A4%A&offset=0", "/master/quota/%C0%AF", "/master/state?%%%=%%%", "/trpc/%FF", "/%2e%2e/%2e%2e/etc/passwd", "/api/v1/%00"]) {
      for (const port of [master.port, agent.port]) {
        const r = status(await raw(port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
        expect(r, `${port} ${p}`).toBeGreaterThanOrEqual(200);
        expect(r, `${port} ${p}`).toBeLessThan(500);
      }
    }
    await stillHealthy();
  });

  it("chunked bodies with trailers are read (the trailer is ignored)", async () => {
    const body = '{"type":"GET_HEALTH"}';
    const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n`;
    const req = `POST /api/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json\r\nTransfer-Encoding: chunked\r\nTrailer: X-Trailer\r\nConnection: close\r\n\r\n${chunked}`;
    const reply = await raw(master.port, req);
    expect(status(reply)).toBe(200);
    expect(reply).toContain('"healthy":true');
    // A malformed chunk size is a 400, not a crash.
    const bad = await raw(master.port, `POST /api/v1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`);
    expect(status(bad)).toBe(400);
    await stillHealthy();
  });
});
