// Issue #9 from the command line: the default posture (a master or agent refuses a non-loopback
// --ip without credentials unless --insecure, which it then announces), bad credential/ACL files
// stop the process with a clear message, and a secured cluster works end to end — the agent
// presents --credential, `plateau execute --principal --secret` runs a task — while the same
// commands without credentials are refused.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, tempDir, waitUntil } from "../../server/testing/cluster";
import { projectRoot } from "../../server/master/registry/migrate";

const BIN = path.join(projectRoot(), "bin", "plateau.mjs");
const children = new Set<ChildProcess>();

function run(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: projectRoot() });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function start(args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: projectRoot(), stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (out += c));
  child.once("exit", () => children.delete(child));
  return { child, out: () => out };
}

let dir: string;
beforeAll(() => {
  dir = tempDir("sec-cli");
  fs.writeFileSync(path.join(dir, "credentials.json"), JSON.stringify({ credentials: [{ principal: "ops", secret: "ops-pw" }, { principal: "agent", secret: "agent-pw" }, { principal: "fw", secret: "fw-pw" }] }));
  fs.writeFileSync(path.join(dir, "agent.cred"), "agent agent-pw\n");
  fs.writeFileSync(path.join(dir, "fw.secret"), "fw-pw\n");
  fs.writeFileSync(path.join(dir, "jwt.key"), "k".repeat(40) + "\n", { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "acls.json"), JSON.stringify({ run_tasks: [{ principals: { values: ["fw"] }, users: { type: "ANY" } }, { principals: { type: "ANY" }, users: { type: "NONE" } }] }));
});

afterAll(async () => {
  for (const c of children) {
    c.stdin?.end();
    c.kill("SIGTERM");
  }
  await new Promise((r) => setTimeout(r, 500));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("default posture", () => {
  it("a master refuses a non-loopback --ip without --credentials; --insecure starts it with a loud warning", async () => {
    const refused = await run(["master", "--ip=0.0.0.0", `--port=${await freePort()}`, `--work_dir=${path.join(dir, "m0")}`, "--registry=in_memory", "--no-dashboard"]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/Refusing to listen on non-loopback address 0\.0\.0\.0 without --credentials/);
    const m = start(["master", "--ip=0.0.0.0", `--port=${await freePort()}`, `--work_dir=${path.join(dir, "m1")}`, "--registry=in_memory", "--no-dashboard", "--insecure"]);
    // (The warning itself says "listening on" too: wait for the master's own line.)
    await waitUntil(() => m.out().includes("listening on http://"), 30_000, "the insecure master");
    expect(m.out()).toMatch(/WARNING: INSECURE/);
    expect(m.out()).toMatch(/INSECURE: no authentication/);
    m.child.kill("SIGTERM");
  }, 60_000);

  it("an agent refuses a non-loopback --ip unless --insecure", async () => {
    const refused = await run(["agent", "--master=127.0.0.1:1", "--ip=0.0.0.0", `--work_dir=${path.join(dir, "a0")}`]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/Refusing to listen on non-loopback address 0\.0\.0\.0/);
  });

  it("unreadable or invalid credentials and ACLs stop the master with a clear message (no default passwords)", async () => {
    fs.writeFileSync(path.join(dir, "empty-secret.json"), JSON.stringify({ credentials: [{ principal: "ops", secret: "" }] }));
    fs.writeFileSync(path.join(dir, "typo-acls.json"), JSON.stringify({ register_framework: [] }));
    const cases: [string, RegExp][] = [
      [`--credentials=${path.join(dir, "missing.json")}`, /Failed to load flag 'credentials'/],
      [`--credentials=${path.join(dir, "empty-secret.json")}`, /no default or empty passwords/],
      [`--acls=${path.join(dir, "typo-acls.json")}`, /Unknown ACL 'register_framework'/],
    ];
    for (const [flag, message] of cases) {
      const r = await run(["master", `--port=${await freePort()}`, `--work_dir=${path.join(dir, "m2")}`, "--registry=in_memory", "--no-dashboard", flag]);
      expect(r.code, flag).toBe(1);
      expect(r.out, flag).toMatch(message);
    }
  }, 60_000);
});

describe("a secured cluster from the command line", () => {
  it("agent --credential registers, execute --principal --secret runs a task; without credentials both are refused", async () => {
    const port = await freePort();
    const master = start(["master", `--port=${port}`, `--work_dir=${path.join(dir, "m3")}`, "--registry=in_memory", "--no-dashboard", `--credentials=${path.join(dir, "credentials.json")}`, `--acls=${path.join(dir, "acls.json")}`, `--jwt_secret_key=${path.join(dir, "jwt.key")}`]);
    await waitUntil(() => master.out().includes("listening on"), 30_000, "the master");
    expect(master.out()).toContain("authentication on, ACLs on");
    const common = [`--master=127.0.0.1:${port}`, "--ip=127.0.0.1", "--resources=cpus:1;mem:512;disk:512;ports:[31000-31010]", "--exit_on_stdin_eof", "--registration_backoff_factor=100ms"];
    const anonymousAgent = start(["agent", ...common, `--port=${await freePort()}`, `--work_dir=${path.join(dir, "a1")}`]);
    const agent = start(["agent", ...common, `--port=${await freePort()}`, `--work_dir=${path.join(dir, "a2")}`, `--credential=${path.join(dir, "agent.cred")}`]);
    const auth = { Authorization: `Basic ${Buffer.from("ops:ops-pw").toString("base64")}` };
    const agents = async () => ((await (await fetch(`http://127.0.0.1:${port}/master/slaves`, { headers: auth })).json()) as { slaves: { active: boolean }[] }).slaves;
    await waitUntil(async () => (await agents()).length === 1, 30_000, "the credentialed agent");
    await waitUntil(() => /401|Unexpected server response/.test(anonymousAgent.out()), 30_000, "the anonymous agent refused");
    expect(await agents()).toHaveLength(1);
    expect((await fetch(`http://127.0.0.1:${port}/master/slaves`)).status).toBe(401);

    const denied = await run(["execute", `--master=127.0.0.1:${port}`, "--name=anon", "--command=true", "--timeout=20secs"], 30_000);
    expect(denied.code).not.toBe(0);
    expect(denied.out).toMatch(/401/);
    const ok = await run(["execute", `--master=127.0.0.1:${port}`, "--name=secured", "--command=echo hi", "--principal=fw", `--secret=${path.join(dir, "fw.secret")}`, "--timeout=30secs"], 45_000);
    expect(ok.out).toMatch(/TASK_FINISHED/);
    expect(ok.code).toBe(0);
    // `plateau token` signs bearer tokens with the same key.
    const token = await run(["token", `--jwt_secret_key=${path.join(dir, "jwt.key")}`, "--principal=ops", "--ttl=5mins"]);
    expect(token.code).toBe(0);
    const bearer = { Authorization: `Bearer ${token.out.trim()}` };
    expect((await fetch(`http://127.0.0.1:${port}/master/state`, { headers: bearer })).status).toBe(200);
    fs.writeFileSync(path.join(dir, "other.key"), "o".repeat(40));
    const foreign = await run(["token", `--jwt_secret_key=${path.join(dir, "other.key")}`, "--principal=ops"]);
    expect((await fetch(`http://127.0.0.1:${port}/master/state`, { headers: { Authorization: `Bearer ${foreign.out.trim()}` } })).status).toBe(401);
    anonymousAgent.child.stdin!.end();
    agent.child.stdin!.end();
    master.child.kill("SIGTERM");
  }, 120_000);
});
