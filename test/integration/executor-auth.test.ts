// Issue #9: executors authenticate to their agent with a per-executor HS256 token bound to
// framework, executor and container (--authenticate_http_executors). A real executor gets the
// token in MESOS_EXECUTOR_AUTHENTICATION_TOKEN and runs its task; calls without it, with alg:none,
// tampered, expired or another executor's token are 401.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Resources } from "../../server/resources";
import { startTestAgent, startTestMaster, waitForAgents, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { issueExecutorToken } from "../../server/security/executor-tokens";
import { signToken } from "../../server/security/token";
import type { SchedulerClient } from "../../server/cli/scheduler-client";
import { autoAcknowledge, isUpdateFor, launch, newScheduler, nextOffer } from "./helpers";

const EXECUTOR = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "test-executor.mjs");
let master: TestMaster;
let agent: TestAgent;
let client: SchedulerClient;
let containerId: string;

beforeAll(async () => {
  master = await startTestMaster();
  agent = await startTestAgent(master.address, { extra: ["--authenticate_http_executors"] });
  await waitForAgents(master, 1);
  client = newScheduler(master.address, { name: "executor-auth-fw" });
  autoAcknowledge(client);
  await client.subscribe();
  const offer = await nextOffer(client);
  const executor = { executor_id: { value: "ex-auth" }, name: "auth executor", command: { value: `exec ${process.execPath} ${EXECUTOR}` }, resources: Resources.parse("cpus:0.1;mem:128").allocate(offer.allocation_info.role).toArray() };
  const task = { name: "t", task_id: { value: "t-auth" }, agent_id: offer.agent_id, resources: Resources.parse("cpus:0.1;mem:32").allocate(offer.allocation_info.role).toArray(), executor };
  await launch(client, offer, [task]);
  await client.waitFor(isUpdateFor("t-auth", "TASK_RUNNING"), 20_000, true);
  const state = (await (await fetch(`http://127.0.0.1:${agent.port}/state`)).json()) as { frameworks: { executors: { id: string; container: string }[] }[] };
  containerId = state.frameworks.flatMap((f) => f.executors).find((e) => e.id === "ex-auth")!.container;
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await agent?.stop({ killTasks: true });
  await master?.stop();
});

const call = (token: string | undefined, executorId = "ex-auth") =>
  fetch(`http://127.0.0.1:${agent.port}/api/v1/executor`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ type: "MESSAGE", framework_id: { value: client.frameworkId }, executor_id: { value: executorId }, message: { data: Buffer.from("hi").toString("base64") } }),
  });

describe("executor tokens", () => {
  it("the real executor authenticated with the token it was given (its task runs)", async () => {
    const key = fs.readFileSync(path.join(agent.workDir, "executor-token.key"));
    expect(key.length).toBe(32);
    expect(fs.statSync(path.join(agent.workDir, "executor-token.key")).mode & 0o077).toBe(0);
    const good = issueExecutorToken(key, { frameworkId: client.frameworkId!, executorId: "ex-auth", containerId });
    expect((await call(good)).status).toBe(202);
  });

  it("refuses missing, alg:none, tampered, expired, wrong-container and other executors' tokens with 401", async () => {
    const key = fs.readFileSync(path.join(agent.workDir, "executor-token.key"));
    const claims = { frameworkId: client.frameworkId!, executorId: "ex-auth", containerId };
    const good = issueExecutorToken(key, claims);
    const [h, p, s] = good.split(".") as [string, string, string];
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    const bad: Record<string, string | undefined> = {
      missing: undefined,
      garbage: "not-a-token",
      algNone: `${b64({ alg: "none", typ: "JWT" })}.${p}.`,
      tampered: `${h}.${b64({ ...payload, executor_id: "other" })}.${s}`,
      expired: issueExecutorToken(key, claims, Date.now() - 366 * 24 * 3600 * 1000),
      wrongContainer: issueExecutorToken(key, { ...claims, containerId: "another-container" }),
      wrongKey: issueExecutorToken(Buffer.alloc(32, 7), claims),
      wrongKind: signToken(key, { ...payload, kind: "session" }),
    };
    for (const [name, token] of Object.entries(bad)) {
      const r = await call(token);
      expect(r.status, name).toBe(401);
      expect(r.headers.get("www-authenticate")).toContain("Bearer");
    }
    // A valid token of this executor does not open another executor.
    expect((await call(good, "ex-other")).status).toBe(401);
  });
});
