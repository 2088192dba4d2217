// Cost of the security front door (issue #9): requests per second and latency of small Mesos API
// calls on one master, with authentication off, with HTTP Basic (sha256 + constant-time compare per
// request), with a bearer token (HMAC-SHA256 verification per request) and with ACLs on
// (GET_FLAGS through the local authorizer); plus the raw cost of one token verification and one
// ACL decision. The master runs in this process on loopback (in-memory registry, no agents).
//
// Usage: npm run bench:security [-- --seconds=5] [--concurrency=32]
// Output: one JSON object per figure on stdout; a table on stderr.
import http from "node:http";
import crypto from "node:crypto";
import { startTestMaster } from "../server/testing/cluster";
import { Security } from "../server/security/security";
import { parseAcls, aclAllows } from "../server/security/acls";
import { basicAuthorization } from "../server/security/credentials";
import { signToken, verifyToken } from "../server/security/token";

const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt);
const SECONDS = arg("seconds", 5);
const CONCURRENCY = arg("concurrency", 32);

const OPS = { principal: "ops", secret: "a-long-enough-secret" };
const key = crypto.randomBytes(32);
const acls = parseAcls({
  permissive: false,
  view_flags: [{ principals: { values: ["viewer"] }, flags: { type: "NONE" } }, { principals: { values: ["ops"] }, flags: { type: "ANY" } }],
  update_weights: Array.from({ length: 50 }, (_, i) => ({ principals: { values: [`p${i}`] }, roles: { values: [`r${i}`] } })),
});

async function load(port: number, path: string, method: string, body: string | undefined, headers: Record<string, string>): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + SECONDS * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = http.request({ host: "127.0.0.1", port, path, method, agent, headers: { ...headers, ...(body ? { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) } : {}) } }, (res) => {
        res.resume();
        res.on("end", () => {
          if ((res.statusCode ?? 0) >= 300) errors++;
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) await one();
  }));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / SECONDS, p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0, errors };
}

async function main(): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  const emit = (scenario: string, metric: string, value: number, unit: string) => {
    const row = { bench: "security", scenario, params: { seconds: SECONDS, concurrency: CONCURRENCY }, metric, value: Number(value.toFixed(3)), unit };
    rows.push(row);
    console.log(JSON.stringify(row));
  };

  // Micro: one token verification, one ACL decision (50 non-matching rules before the match).
  const token = signToken(key, { sub: "ops", kind: "bearer", exp: Math.floor(Date.now() / 1000) + 3600 });
  let n = 0;
  let t0 = process.hrtime.bigint();
  while (n < 200_000) { verifyToken(key, token, Date.now(), "bearer"); n++; }
  emit("micro", "verify_token_us", Number(process.hrtime.bigint() - t0) / 1e3 / n, "µs");
  n = 0;
  t0 = process.hrtime.bigint();
  while (n < 1_000_000) { aclAllows(acls, "p49", "update_weights", "r49"); n++; }
  emit("micro", "acl_decision_50_rules_us", Number(process.hrtime.bigint() - t0) / 1e3 / n, "µs");

  const scenarios: { name: string; security?: Security; headers: Record<string, string>; path: string; method: string; body?: string }[] = [
    { name: "health_no_auth", headers: {}, path: "/master/health", method: "GET" },
    { name: "health_basic", security: new Security({ credentials: [OPS], tokenKey: key }), headers: { Authorization: basicAuthorization(OPS) }, path: "/master/health", method: "GET" },
    { name: "health_bearer", security: new Security({ credentials: [OPS], tokenKey: key }), headers: { Authorization: `Bearer ${token}` }, path: "/master/health", method: "GET" },
    { name: "get_flags_no_auth", headers: {}, path: "/api/v1", method: "POST", body: '{"type":"GET_FLAGS"}' },
    { name: "get_flags_basic_acls", security: new Security({ credentials: [OPS], tokenKey: key, acls }), headers: { Authorization: basicAuthorization(OPS) }, path: "/api/v1", method: "POST", body: '{"type":"GET_FLAGS"}' },
  ];
  for (const s of scenarios) {
    const master = await startTestMaster({ security: s.security });
    try {
      await load(master.port, s.path, s.method, s.body, s.headers); // warm-up run
      const r = await load(master.port, s.path, s.method, s.body, s.headers);
      emit(s.name, "requests_per_s", r.rps, "req/s");
      emit(s.name, "latency_p50_ms", r.p50, "ms");
      emit(s.name, "latency_p99_ms", r.p99, "ms");
      emit(s.name, "non_2xx", r.errors, "count");
    } finally {
      await master.stop();
    }
  }
  console.error(rows.map((r) => `${String(r.scenario).padEnd(22)} ${String(r.metric).padEnd(26)} ${r.value} ${r.unit}`).join("\n"));
}

void main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
