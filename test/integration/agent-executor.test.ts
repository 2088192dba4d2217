// Custom executors over the Mesos v1 executor API, end to end: a framework launches tasks with
// TaskInfo.executor through the public scheduler API; the agent starts the executor
// (fixtures/test-executor.mjs), which SUBSCRIBEs to /api/v1/executor and runs them.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { Offer } from "../../server/protocol/mesos";
import type { SchedulerEvent } from "../../server/protocol/scheduler";
import { Resources } from "../../server/resources";
import { startTestAgent, startTestMaster, waitForAgents, waitUntil, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { autoAcknowledge, isUpdateFor, launch, newScheduler, nextOffer } from "./helpers";

const EXECUTOR = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "test-executor.mjs");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster(extra: string[] = []): Promise<{ master: TestMaster; agent: TestAgent }> {
  const master = await startTestMaster();
  const agent = await startTestAgent(master.address, { extra });
  cleanups.push(() => master.stop(), () => agent.stop({ killTasks: true }));
  await waitForAgents(master, 1);
  return { master, agent };
}

function executorInfo(offer: Offer, id: string, command = `exec ${process.execPath} ${EXECUTOR}`) {
  return {
    executor_id: { value: id },
    name: `test executor ${id}`,
    command: { value: command },
    resources: Resources.parse("cpus:0.1;mem:128").allocate(offer.allocation_info.role).toArray(),
  };
}

function executorTask(offer: Offer, id: string, executor: ReturnType<typeof executorInfo>, data?: Record<string, unknown>) {
  return {
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    resources: Resources.parse("cpus:0.1;mem:32").allocate(offer.allocation_info.role).toArray(),
    executor,
    ...(data !== undefined ? { data: Buffer.from(JSON.stringify(data)).toString("base64") } : {}),
  };
}

const decode = (b64: string | undefined) => JSON.parse(Buffer.from(b64 ?? "", "base64").toString() || "{}");

describe("custom executors (v1 executor API)", () => {
  it("launches an executor that subscribes, runs, finishes and kills tasks, relays messages and shuts down", async () => {
    const { master, agent } = await cluster();
    const client = newScheduler(master.address, { name: "executor-fw", checkpoint: true });
    autoAcknowledge(client);
    await client.subscribe();
    const offer = await nextOffer(client);
    const executor = executorInfo(offer, "ex-1");
    await launch(client, offer, [executorTask(offer, "quick", executor, { finish_after_ms: 300 }), executorTask(offer, "long", executor)]);

    const running = await client.waitFor(isUpdateFor("quick", "TASK_RUNNING"), 20_000, true);
    expect(running.update.status).toMatchObject({ source: "SOURCE_EXECUTOR", executor_id: { value: "ex-1" }, agent_id: offer.agent_id });
    const seen = decode(running.update.status.data).env as Record<string, string>;
    expect(seen).toMatchObject({
      MESOS_FRAMEWORK_ID: client.frameworkId, MESOS_EXECUTOR_ID: "ex-1", MESOS_SLAVE_ID: offer.agent_id.value,
      MESOS_AGENT_ENDPOINT: `127.0.0.1:${agent.port}`, MESOS_CHECKPOINT: "1", MESOS_HTTP_COMMAND_EXECUTOR: "0",
      MESOS_SUBSCRIPTION_BACKOFF_MAX: "2secs", MESOS_RECOVERY_TIMEOUT: "15mins", MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: "5secs", LIBPROCESS_PORT: "0",
    });
    expect(seen.MESOS_SANDBOX).toBe(seen.MESOS_DIRECTORY);
    expect(seen.MESOS_SANDBOX).toContain(path.join("executors", "ex-1", "runs"));
    await client.waitFor(isUpdateFor("quick", "TASK_FINISHED"), 10_000, true);
    await client.waitFor(isUpdateFor("long", "TASK_RUNNING"), 10_000, true);

    // The master tracks the executor: offers for that agent name it.
    const m = master.running.master;
    expect(m.agents.get(offer.agent_id.value)!.executors.get(client.frameworkId!)?.has("ex-1")).toBe(true);
    const next = await nextOffer(client, 10_000);
    expect(next.executor_ids?.map((e) => e.value)).toEqual(["ex-1"]);

    // Framework → executor → framework messages.
    await client.mustCall({ type: "MESSAGE", message: { agent_id: offer.agent_id, executor_id: { value: "ex-1" }, data: Buffer.from("hello").toString("base64") } });
    const echoed = await client.waitFor((e: SchedulerEvent) => e.type === "MESSAGE", 10_000);
    expect(echoed.type === "MESSAGE" && Buffer.from(echoed.message.data, "base64").toString()).toBe("echo:hello");

    await client.mustCall({ type: "KILL", kill: { task_id: { value: "long" }, agent_id: offer.agent_id } });
    const killed = await client.waitFor(isUpdateFor("long", "TASK_KILLED"), 10_000, true);
    expect(killed.update.status.source).toBe("SOURCE_EXECUTOR");

    // SHUTDOWN: the executor exits; the framework gets FAILURE for it; the master forgets it.
    await client.mustCall({ type: "SHUTDOWN", shutdown: { executor_id: { value: "ex-1" }, agent_id: offer.agent_id } });
    const failure = await client.waitFor((e: SchedulerEvent) => e.type === "FAILURE", 15_000);
    expect(failure.type === "FAILURE" && failure.failure.executor_id?.value).toBe("ex-1");
    await waitUntil(() => !m.agents.get(offer.agent_id.value)!.executors.get(client.frameworkId!)?.has("ex-1"), 5000, "executor forgotten");
    const states = client.received.filter(isUpdateFor("quick")).map((e) => e.update.status.state);
    expect(states).toEqual(["TASK_RUNNING", "TASK_FINISHED"]);
    await client.call({ type: "TEARDOWN" });
    client.disconnect();
  });

  it("keeps a custom executor across an agent SIGKILL: it re-subscribes and still runs its task", async () => {
    const { master, agent } = await cluster(["--executor_reregistration_timeout=10secs"]);
    const client = newScheduler(master.address, { name: "executor-recovery", checkpoint: true });
    autoAcknowledge(client);
    await client.subscribe();
    const offer = await nextOffer(client);
    await launch(client, offer, [executorTask(offer, "survivor", executorInfo(offer, "ex-2"))]);
    const running = await client.waitFor(isUpdateFor("survivor", "TASK_RUNNING"), 20_000, true);
    const executorPid = decode(running.update.status.data).pid as number;

    await agent.kill();
    const restarted = await startTestAgent(master.address, { workDir: agent.workDir, port: agent.port, extra: ["--executor_reregistration_timeout=10secs"] });
    cleanups.push(async () => {
      await restarted.stop({ killTasks: true });
      fs.rmSync(agent.workDir, { recursive: true, force: true });
    });
    await waitUntil(() => restarted.output.some((l) => l.includes("Executor ex-2 of framework") && l.includes("subscribed")), 20_000, "executor re-subscribed");
    expect(() => process.kill(executorPid, 0)).not.toThrow(); // the same process

    await client.mustCall({ type: "KILL", kill: { task_id: { value: "survivor" }, agent_id: offer.agent_id } });
    const killed = await client.waitFor(isUpdateFor("survivor", "TASK_KILLED"), 15_000, true);
    expect(killed.update.status.source).toBe("SOURCE_EXECUTOR");
    const states = client.received.filter(isUpdateFor("survivor")).map((e) => e.update.status.state);
    expect(states).not.toContain("TASK_LOST");
    await client.call({ type: "TEARDOWN" });
    client.disconnect();
  });

  it("destroys an executor that never subscribes (registration timeout) and validates executor calls", async () => {
    const { master, agent } = await cluster(["--executor_registration_timeout=1secs"]);
    const client = newScheduler(master.address, { name: "executor-timeout", checkpoint: true });
    autoAcknowledge(client);
    await client.subscribe();
    const offer = await nextOffer(client);
    await launch(client, offer, [executorTask(offer, "orphan", executorInfo(offer, "ex-silent", "sleep 600"))]);

    // While the framework is on the agent: the executor API's checks.
    const state = async () => (await (await fetch(`http://127.0.0.1:${agent.port}/state`)).json()) as { frameworks: { id: string }[] };
    await waitUntil(async () => (await state()).frameworks.some((f) => f.id === client.frameworkId), 10_000, "framework on the agent");
    const post = (body: unknown, type = "application/json") =>
      fetch(`http://127.0.0.1:${agent.port}/api/v1/executor`, { method: "POST", headers: { "Content-Type": type }, body: JSON.stringify(body) });
    const call = (executor: string, extra: Record<string, unknown>) => ({ framework_id: { value: client.frameworkId }, executor_id: { value: executor }, ...extra });
    const text = async (r: Response) => [r.status, await r.text()];
    expect((await post(call("ex-none", { type: "HEARTBEAT" }))).status).toBe(202);
    expect(await text(await post({ ...call("ex-silent", { type: "SUBSCRIBE", subscribe: {} }), framework_id: { value: "nope" } }))).toEqual([400, "Framework cannot be found"]);
    expect(await text(await post(call("ex-none", { type: "MESSAGE", message: { data: "aGk=" } })))).toEqual([400, "Executor cannot be found"]);
    const uuid = Buffer.alloc(16, 7).toString("base64");
    expect(await text(await post(call("ex-silent", { type: "UPDATE", update: { status: { task_id: { value: "orphan" }, state: "TASK_RUNNING", uuid } } })))).toEqual([403, "Executor is not subscribed"]);
    const badUuid = await post(call("ex-silent", { type: "UPDATE", update: { status: { task_id: { value: "orphan" }, state: "TASK_RUNNING", uuid: "aGk=" } } }));
    expect(badUuid.status).toBe(400);
    expect((await post(call("ex-silent", { type: "HEARTBEAT" }), "application/x-protobuf")).status).toBe(415);

    const failed = await client.waitFor(isUpdateFor("orphan", "TASK_FAILED"), 20_000, true);
    expect(failed.update.status).toMatchObject({ source: "SOURCE_AGENT", reason: "REASON_EXECUTOR_REGISTRATION_TIMEOUT" });
    await client.call({ type: "TEARDOWN" });
    client.disconnect();
  });
});
