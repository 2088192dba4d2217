// The vertical slice over the public APIs: a framework subscribes, gets offers from real agents,
// launches command tasks, follows them to a terminal state, acknowledges, kills, reconciles.
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SchedulerClient } from "../../server/cli/scheduler-client";
import { startTestAgent, startTestMaster, waitForAgents, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { autoAcknowledge, commandTask, isOffers, isUpdateFor, launch, newScheduler, nextOffer } from "./helpers";

let master: TestMaster;
let agents: TestAgent[] = [];

beforeAll(async () => {
  master = await startTestMaster();
  agents = [await startTestAgent(master.address), await startTestAgent(master.address)];
  await waitForAgents(master, 2);
});

afterAll(async () => {
  for (const a of agents) await a.stop({ killTasks: true });
  await master?.stop();
});

// Every test's framework is torn down even when the test fails, so offers are not left held.
const clients: SchedulerClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) {
    await c.call({ type: "TEARDOWN" }).catch(() => {});
    c.disconnect();
  }
});

function scheduler(info: Parameters<typeof newScheduler>[1]): SchedulerClient {
  const c = newScheduler(master.address, info);
  clients.push(c);
  return c;
}

/** The task's stdout in its sandbox (Mesos layout), on whichever agent ran it. */
function sandboxStdout(agentId: string, frameworkId: string, taskId: string): string {
  for (const a of agents) {
    const file = path.join(a.workDir, "slaves", agentId, "frameworks", frameworkId, "executors", taskId, "runs", "latest", "stdout");
    if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
  }
  return "";
}

describe("vertical slice", () => {
  it("runs a command task to TASK_FINISHED with its output in the sandbox", async () => {
    const client = scheduler({ name: "slice" });
    autoAcknowledge(client);
    const subscribed = await client.subscribe();
    expect(subscribed.subscribed.heartbeat_interval_seconds).toBe(2);
    expect(subscribed.subscribed.master_info.id).toBe(master.running.master.id);

    const offer = await nextOffer(client);
    expect(offer.url).toMatchObject({ scheme: "http", path: "/slave(1)" });
    expect(offer.allocation_info).toEqual({ role: "*" });
    expect(offer.resources.find((r) => r.name === "cpus")).toMatchObject({ type: "SCALAR" });

    await launch(client, offer, [commandTask(offer, "hello", "echo hello-from-plateau; exit 0")]);
    const states: string[] = [];
    client.on("UPDATE", (e) => e.update.status.task_id.value === "hello" && states.push(e.update.status.state));
    const finished = await client.waitFor(isUpdateFor("hello", "TASK_FINISHED"), 15_000, true);
    expect(finished.update.status.uuid).toBeTruthy();
    expect(finished.update.status.source).toBe("SOURCE_EXECUTOR");
    expect(finished.update.status.message).toContain("status 0");
    const all = client.received.filter(isUpdateFor("hello")).map((e) => e.update.status.state);
    expect(all).toEqual(["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"]);

    // The sandbox is laid out as Mesos does, with the task's stdout in it.
    const agent = agents.find((a) => fs.existsSync(path.join(a.workDir, "slaves", offer.agent_id.value)))!;
    const runs = path.join(agent.workDir, "slaves", offer.agent_id.value, "frameworks", client.frameworkId!, "executors", "hello", "runs");
    const stdout = fs.readFileSync(path.join(runs, "latest", "stdout"), "utf8");
    expect(stdout).toContain("hello-from-plateau");

    // After the terminal ack the master moves the task to completed.
    const m = master.running.master;
    await expect.poll(() => m.frameworks.get(client.frameworkId!)?.tasks.has("hello")).toBe(false);
    expect(m.frameworks.get(client.frameworkId!)!.completedTasks.map((t) => t.info.task_id.value)).toContain("hello");
    await client.call({ type: "TEARDOWN" });
    client.disconnect();
  });

  it("reports a failing command as TASK_FAILED with its exit code", async () => {
    const client = scheduler({ name: "failing" });
    autoAcknowledge(client);
    await client.subscribe();
    const offer = await nextOffer(client);
    await launch(client, offer, [commandTask(offer, "boom", "exit 7")]);
    const failed = await client.waitFor(isUpdateFor("boom", "TASK_FAILED"), 15_000, true);
    expect(failed.update.status.message).toContain("7");
    await client.call({ type: "TEARDOWN" });
    client.disconnect();
  });

  it("kills a running task (SIGTERM, then SIGKILL after the grace period)", async () => {
    const client = scheduler({ name: "killer" });
    autoAcknowledge(client);
    await client.subscribe();
    const offer = await nextOffer(client);
    await launch(client, offer, [commandTask(offer, "sleeper", "trap '' TERM; echo trap-installed; sleep 600", "cpus:0.1;mem:32", { kill_policy: { grace_period: { nanoseconds: 500_000_000 } } })]);
    await client.waitFor(isUpdateFor("sleeper", "TASK_RUNNING"), 15_000, true);
    // RUNNING means the process started; wait until the shell has actually installed its trap.
    await expect.poll(() => sandboxStdout(offer.agent_id.value, client.frameworkId!, "sleeper"), { timeout: 5000 }).toContain("trap-installed");
    const started = Date.now();
    await client.mustCall({ type: "KILL", kill: { task_id: { value: "sleeper" }, agent_id: offer.agent_id } });
    const killed = await client.waitFor(isUpdateFor("sleeper", "TASK_KILLED"), 15_000, true);
    expect(killed.update.status.state).toBe("TASK_KILLED");
    expect(Date.now() - started).toBeGreaterThanOrEqual(400); // TERM was ignored: waited for the grace period
    await client.call({ type: "TEARDOWN" });
    client.disconnect();
  });

  it("answers implicit and explicit reconciliation without uuids", async () => {
    const client = scheduler({ name: "reconciler", capabilities: [{ type: "PARTITION_AWARE" }] });
    autoAcknowledge(client);
    await client.subscribe();
    const offer = await nextOffer(client);
    await launch(client, offer, [commandTask(offer, "long", "sleep 600")]);
    await client.waitFor(isUpdateFor("long", "TASK_RUNNING"), 15_000, true);

    await client.mustCall({ type: "RECONCILE", reconcile: { tasks: [] } });
    const implicit = await client.waitFor((e) => isUpdateFor("long")(e) && e.update.status.reason === "REASON_RECONCILIATION");
    expect(implicit.type === "UPDATE" && implicit.update.status.state).toBe("TASK_RUNNING");
    expect(implicit.type === "UPDATE" && implicit.update.status.uuid).toBeUndefined();

    await client.mustCall({ type: "RECONCILE", reconcile: { tasks: [{ task_id: { value: "nope" }, agent_id: offer.agent_id }] } });
    const unknown = await client.waitFor(isUpdateFor("nope"));
    expect(unknown.update.status.state).toBe("TASK_GONE");
    await client.call({ type: "TEARDOWN" });
    client.disconnect();
  });

  it("honours DECLINE filters (refuse_seconds) and REVIVE clears them", async () => {
    const client = scheduler({ name: "decliner" });
    await client.subscribe();
    const first = await client.waitFor(isOffers, 10_000, true);
    const declined = first.offers.offers.map((o) => o.id);
    const agentsDeclined = new Set(first.offers.offers.map((o) => o.agent_id.value));
    client.received.length = 0;
    await client.mustCall({ type: "DECLINE", decline: { offer_ids: declined, filters: { refuse_seconds: 60 } } });
    // Within the filter, those agents' resources are not offered again to this framework.
    await new Promise((r) => setTimeout(r, 1500));
    const again = client.received.filter(isOffers).flatMap((e) => e.offers.offers).filter((o) => agentsDeclined.has(o.agent_id.value));
    expect(again).toEqual([]);
    await client.mustCall({ type: "REVIVE", revive: {} });
    const revived = await client.waitFor(isOffers, 5000);
    expect(revived.offers.offers.length).toBeGreaterThan(0);
    await client.call({ type: "TEARDOWN" });
    client.disconnect();
  });

  it("tears a framework down: its tasks are killed and it becomes completed", async () => {
    const client = scheduler({ name: "teardown" });
    autoAcknowledge(client);
    await client.subscribe();
    const offer = await nextOffer(client);
    await launch(client, offer, [commandTask(offer, "victim", "sleep 600")]);
    await client.waitFor(isUpdateFor("victim", "TASK_RUNNING"), 15_000, true);
    const fwId = client.frameworkId!;
    expect((await client.call({ type: "TEARDOWN" })).status).toBe(202);
    const m = master.running.master;
    await expect.poll(() => m.completedFrameworks.some((c) => c.framework.id === fwId)).toBe(true);
    const task = m.completedFrameworks.find((c) => c.framework.id === fwId)!.framework.completedTasks.find((t) => t.info.task_id.value === "victim");
    expect(task?.state).toBe("TASK_KILLED");
    // Re-subscribing with a removed framework id is refused with an ERROR event.
    const again = newScheduler(master.address, { name: "teardown" });
    again.frameworkId = fwId;
    await expect(again.subscribe()).rejects.toThrow("Framework has been removed");
    again.disconnect();
  });
});
