// Framework failover by id within failover_timeout, and a master restart with a running task:
// the agent re-registers with the task, the framework re-subscribes and reconciles, and can
// still kill it.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultRuntimeDir } from "../../server/agent/detect";
import { startTestAgent, startTestMaster, tempDir, waitForAgents, waitUntil, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { autoAcknowledge, commandTask, isUpdateFor, launch, newScheduler, nextOffer } from "./helpers";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster(registry = "in_memory"): Promise<{ master: TestMaster; agent: TestAgent }> {
  const master = await startTestMaster({ registry });
  const agent = await startTestAgent(master.address);
  cleanups.push(() => master.stop(), () => agent.stop({ killTasks: true }));
  await waitForAgents(master, 1);
  return { master, agent };
}

describe("framework failover", () => {
  it("a framework re-subscribing with its id within failover_timeout keeps its running task", async () => {
    const { master } = await cluster();
    const first = newScheduler(master.address, { name: "ha-framework", failover_timeout: 60, checkpoint: true });
    autoAcknowledge(first);
    await first.subscribe();
    const offer = await nextOffer(first);
    await launch(first, offer, [commandTask(offer, "survivor", "sleep 600")]);
    await first.waitFor(isUpdateFor("survivor", "TASK_RUNNING"), 15_000, true);
    const id = first.frameworkId!;
    first.disconnect();
    const m = master.running.master;
    await waitUntil(() => m.frameworks.get(id)?.lifecycle === "disconnected", 5000, "framework disconnected");

    // Non-subscribe calls from the disconnected framework are refused with 403.
    const stale = await first.call({ type: "RECONCILE", reconcile: { tasks: [] } });
    expect(stale.status).toBe(403);

    const second = newScheduler(master.address, { name: "ha-framework", failover_timeout: 60, checkpoint: true });
    second.frameworkId = id;
    autoAcknowledge(second);
    const subscribed = await second.subscribe();
    expect(subscribed.subscribed.framework_id.value).toBe(id);
    expect(second.streamId).not.toBe(first.streamId);
    await second.mustCall({ type: "RECONCILE", reconcile: { tasks: [{ task_id: { value: "survivor" } }] } });
    const answer = await second.waitFor(isUpdateFor("survivor"), 5000);
    expect(answer.update.status.state).toBe("TASK_RUNNING");
    await second.mustCall({ type: "KILL", kill: { task_id: { value: "survivor" } } });
    await second.waitFor(isUpdateFor("survivor", "TASK_KILLED"), 15_000, true);
    await second.call({ type: "TEARDOWN" });
    second.disconnect();
  });

  it("the old stream gets ERROR \"Framework failed over\" when a new scheduler takes over", async () => {
    const { master } = await cluster();
    const first = newScheduler(master.address, { name: "hot-standby", failover_timeout: 60 });
    await first.subscribe();
    const errored = first.waitFor((e) => e.type === "ERROR", 5000);
    const second = newScheduler(master.address, { name: "hot-standby", failover_timeout: 60 });
    second.frameworkId = first.frameworkId;
    await second.subscribe();
    const error = await errored;
    expect(error.type === "ERROR" && error.error.message).toBe("Framework failed over");
    // The first stream's id no longer works.
    expect((await first.call({ type: "REVIVE", revive: {} })).status).toBe(400);
    expect((await second.call({ type: "REVIVE", revive: {} })).status).toBe(202);
    await second.call({ type: "TEARDOWN" });
    second.disconnect();
  });
});

describe("master restart", () => {
  it("agents re-register with their running tasks and the framework takes them back", async () => {
    const dir = tempDir("master");
    const registry = path.join(dir, "registry.db");
    let master = await startTestMaster({ registry });
    const agent = await startTestAgent(master.address);
    cleanups.push(async () => { await agent.stop({ killTasks: true }); fs.rmSync(dir, { recursive: true, force: true }); });
    await waitForAgents(master, 1);

    const first = newScheduler(master.address, { name: "restart-fw", failover_timeout: 3600, checkpoint: true, capabilities: [{ type: "PARTITION_AWARE" }] });
    autoAcknowledge(first);
    await first.subscribe();
    const offer = await nextOffer(first);
    await launch(first, offer, [commandTask(offer, "long-runner", "sleep 600")]);
    await first.waitFor(isUpdateFor("long-runner", "TASK_RUNNING"), 15_000, true);
    const frameworkId = first.frameworkId!;
    const agentId = offer.agent_id.value;
    const pidFile = await waitUntil(() => findPid(agent.workDir), 5000, "task pid file");

    // Restart the master on the same port and registry.
    const port = master.port;
    first.disconnect();
    await master.stop();
    master = await startTestMaster({ registry, port });
    cleanups.push(() => master.stop());
    const m = master.running.master;
    expect(m.recoveredAgents.has(agentId)).toBe(true);
    await waitUntil(() => m.agents.get(agentId)?.connection === "connected", 20_000, "agent re-registration");
    // The master learned the framework and its task from the agent.
    expect(m.frameworks.get(frameworkId)?.lifecycle).toBe("recovered");
    expect(m.frameworks.get(frameworkId)?.tasks.get("long-runner")?.state).toBe("TASK_RUNNING");

    const second = newScheduler(master.address, { name: "restart-fw", failover_timeout: 3600, checkpoint: true, capabilities: [{ type: "PARTITION_AWARE" }] });
    second.frameworkId = frameworkId;
    autoAcknowledge(second);
    await second.subscribe();
    const answer = second.waitFor(isUpdateFor("long-runner"), 5000); // before the call: the answer may beat its 202
    await second.mustCall({ type: "RECONCILE", reconcile: { tasks: [{ task_id: { value: "long-runner" }, agent_id: { value: agentId } }] } });
    const state = await answer;
    expect(state.update.status.state).toBe("TASK_RUNNING");
    expect(process.kill(Number(fs.readFileSync(pidFile, "utf8")), 0)).toBe(true); // still the same process
    await second.mustCall({ type: "KILL", kill: { task_id: { value: "long-runner" }, agent_id: { value: agentId } } });
    await second.waitFor(isUpdateFor("long-runner", "TASK_KILLED"), 15_000, true);
    await second.call({ type: "TEARDOWN" });
    second.disconnect();
  });
});

/** The pid file the agent keeps for a task's process (in its runtime dir). */
function findPid(workDir: string): string | null {
  const stack = [path.join(workDir, "meta"), defaultRuntimeDir(workDir)];
  while (stack.length) {
    const dir = stack.pop()!;
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.name === "task.pid" || entry.name === "forked.pid") return full;
    }
  }
  return null;
}
