// Health checks of command tasks (COMMAND, HTTP, TCP) with Mesos's fields, through the public
// scheduler API: healthy/unhealthy TASK_RUNNING updates, the grace period, and the kill after
// `consecutive_failures` (terminal TASK_KILLED with healthy: false).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SchedulerClient } from "../../server/cli/scheduler-client";
import { startTestAgent, startTestMaster, waitForAgents, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { autoAcknowledge, commandTask, isUpdateFor, launch, newScheduler, nextOffer } from "./helpers";

let master: TestMaster;
let agent: TestAgent;
let client: SchedulerClient;

beforeAll(async () => {
  master = await startTestMaster();
  agent = await startTestAgent(master.address);
  await waitForAgents(master, 1);
  client = newScheduler(master.address, { name: "health", checkpoint: true });
  autoAcknowledge(client);
  await client.subscribe();
});

afterAll(async () => {
  await client?.call({ type: "TEARDOWN" }).catch(() => {});
  client?.disconnect();
  await agent?.stop({ killTasks: true });
  await master?.stop();
});

const states = (id: string) => client.received.filter(isUpdateFor(id)).map((e) => e.update.status);

describe("health checks", () => {
  it("kills a task failing its COMMAND check after consecutive_failures: unhealthy updates, then TASK_KILLED healthy:false", async () => {
    const offer = await nextOffer(client);
    const health_check = { type: "COMMAND", command: { value: "exit 1" }, delay_seconds: 0, interval_seconds: 0.2, timeout_seconds: 2, consecutive_failures: 3, grace_period_seconds: 0 };
    await launch(client, offer, [commandTask(offer, "sick", "sleep 600", "cpus:0.1;mem:32", { health_check })]);
    const killed = await client.waitFor(isUpdateFor("sick", "TASK_KILLED"), 20_000, true);
    expect(killed.update.status).toMatchObject({ healthy: false, source: "SOURCE_EXECUTOR" });
    const unhealthy = states("sick").filter((s) => s.state === "TASK_RUNNING" && s.healthy === false);
    expect(unhealthy.length).toBeGreaterThanOrEqual(3);
    expect(unhealthy[0]!.reason).toBe("REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
  });

  it("reports a task passing its HTTP check as healthy once", async () => {
    const offer = await nextOffer(client);
    const port = 31000 + Math.floor(Math.random() * 900);
    const server = `exec ${process.execPath} -e "require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')"`;
    const health_check = { type: "HTTP", http: { port, path: "/health" }, delay_seconds: 0, interval_seconds: 0.2, timeout_seconds: 2, grace_period_seconds: 10 };
    await launch(client, offer, [commandTask(offer, "web", server, `cpus:0.1;mem:64;ports:[${port}-${port}]`, { health_check })]);
    const healthy = await client.waitFor((e) => isUpdateFor("web", "TASK_RUNNING")(e) && e.update.status.healthy === true, 20_000, true);
    expect(healthy.type === "UPDATE" && healthy.update.status.reason).toBe("REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
    await new Promise((r) => setTimeout(r, 700)); // more passing checks: no more updates
    expect(states("web").filter((s) => s.healthy === true)).toHaveLength(1);
    await client.mustCall({ type: "KILL", kill: { task_id: { value: "web" }, agent_id: offer.agent_id } });
    await client.waitFor(isUpdateFor("web", "TASK_KILLED"), 10_000, true);
  });

  it("ignores TCP check failures during the grace period, then kills", async () => {
    const offer = await nextOffer(client);
    const port = 31900 + Math.floor(Math.random() * 90); // nothing listens there
    const health_check = { type: "TCP", tcp: { port }, delay_seconds: 0, interval_seconds: 0.2, timeout_seconds: 1, consecutive_failures: 2, grace_period_seconds: 1.5 };
    await launch(client, offer, [commandTask(offer, "deaf", "sleep 600", "cpus:0.1;mem:32", { health_check })]);
    const running = await client.waitFor(isUpdateFor("deaf", "TASK_RUNNING"), 15_000, true);
    const killed = await client.waitFor(isUpdateFor("deaf", "TASK_KILLED"), 15_000, true);
    const firstUnhealthy = states("deaf").find((s) => s.healthy === false)!;
    expect(firstUnhealthy.timestamp! - running.update.status.timestamp!).toBeGreaterThanOrEqual(1.4);
    expect(killed.update.status.healthy).toBe(false);
  });
});
