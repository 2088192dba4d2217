// Agent recovery, end to end: SIGKILL the agent process while tasks run, start it again on the
// same work_dir. Running tasks keep their pids and cgroups, a task that ended while the agent
// was down is reported with its true terminal state, an update the scheduler had not
// acknowledged is re-sent, and the framework never sees a spurious LOST/KILLED.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readIntFile } from "../../server/agent/checkpoint";
import { runtimeDirOf } from "../../server/agent/test-helpers";
import type { SchedulerEvent } from "../../server/protocol/scheduler";
import { startTestAgent, startTestMaster, waitForAgents, waitUntil, type TestAgent } from "../../server/testing/cluster";
import { commandTask, isUpdateFor, launch, newScheduler, nextOffer, type UpdateEvent } from "./helpers";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("agent recovery after SIGKILL", () => {
  it("re-adopts running tasks (same pids, same cgroups), reports what ended meanwhile, re-sends unacknowledged updates", async () => {
    const master = await startTestMaster({ config: { maxAgentPingTimeouts: 15 } });
    cleanups.push(() => master.stop());
    const agent = await startTestAgent(master.address);
    let current: TestAgent = agent;
    cleanups.push(async () => {
      await current.stop({ killTasks: true });
      fs.rmSync(agent.workDir, { recursive: true, force: true });
    });
    await waitForAgents(master, 1);

    const client = newScheduler(master.address, { name: "recovery", checkpoint: true });
    // Acknowledge everything except the TASK_RUNNING of "unacked".
    client.on("UPDATE", (e: UpdateEvent) => {
      const s = e.update.status;
      if (!s.uuid || !s.agent_id || (s.task_id.value === "unacked" && s.state === "TASK_RUNNING")) return;
      void client.call({ type: "ACKNOWLEDGE", acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } });
    });
    await client.subscribe();
    const offer = await nextOffer(client);
    await launch(client, offer, [
      commandTask(offer, "steady", "sleep 600", "cpus:0.1;mem:48"),
      commandTask(offer, "ends-while-down", 'while [ ! -f "$MESOS_SANDBOX/go" ]; do sleep 0.05; done; exit 3'),
      commandTask(offer, "unacked", "sleep 600"),
    ]);
    for (const id of ["steady", "ends-while-down", "unacked"]) await client.waitFor(isUpdateFor(id, "TASK_RUNNING"), 15_000, true);
    const agentId = offer.agent_id.value;
    const fw = client.frameworkId!;
    const steadyPid = (await waitUntil(async () => readIntFile(path.join((await runtimeDirOf(agent.workDir, agentId, fw, "steady"))!, "pids", "task.pid")), 5000, "pid"))!;
    const steadyCgroup = await waitUntil(() => fs.readFileSync(`/proc/${steadyPid}/cgroup`, "utf8").match(/memory:(\S+)/)?.[1], 5000, "cgroup");
    const firstRunning = client.received.find(isUpdateFor("unacked", "TASK_RUNNING"))!;

    await agent.kill(); // SIGKILL: no chance to clean up
    const sandbox = (id: string) => path.join(agent.workDir, "slaves", agentId, "frameworks", fw, "executors", id, "runs", "latest");
    fs.writeFileSync(path.join(sandbox("ends-while-down"), "go"), "");
    await waitUntil(async () => readIntFile(path.join((await runtimeDirOf(agent.workDir, agentId, fw, "ends-while-down"))!, "exit_status")), 5000, "task ended while the agent was down");
    expect(alive(steadyPid)).toBe(true);

    current = await startTestAgent(master.address, { workDir: agent.workDir, port: agent.port });
    await waitUntil(() => current.output.some((l) => l.includes("Re-registered with master")), 20_000, "re-registration");
    expect(current.output.join("\n")).toMatch(/Recovered agent .*: 2 running container\(s\) re-adopted, 1 finished while the agent was down/);

    // The ended task's true result; the unacknowledged update again (same uuid).
    const failed = await client.waitFor(isUpdateFor("ends-while-down", "TASK_FAILED"), 15_000, true);
    expect(failed.update.status.message).toBe("Command exited with status 3");
    await waitUntil(() => client.received.filter(isUpdateFor("unacked", "TASK_RUNNING")).length >= 2, 15_000, "unacknowledged update re-sent");
    expect(client.received.filter(isUpdateFor("unacked", "TASK_RUNNING"))[1]!.update.status.uuid).toBe(firstRunning.update.status.uuid);

    // Same process, same cgroup (with its limit) as before the crash.
    expect(alive(steadyPid)).toBe(true);
    expect(fs.readFileSync(`/proc/${steadyPid}/cgroup`, "utf8")).toContain(`memory:${steadyCgroup}`);
    if (steadyCgroup.startsWith("/plateau/")) {
      expect(Number(fs.readFileSync(path.join("/sys/fs/cgroup/memory", steadyCgroup, "memory.limit_in_bytes"), "utf8"))).toBe(48 * 1024 * 1024);
    }
    const m = master.running.master;
    expect(m.frameworks.get(fw)!.tasks.get("steady")!.state).toBe("TASK_RUNNING");

    // The re-adopted task is under the new agent's control.
    await client.mustCall({ type: "KILL", kill: { task_id: { value: "steady" }, agent_id: offer.agent_id } });
    await client.waitFor(isUpdateFor("steady", "TASK_KILLED"), 15_000, true);
    await waitUntil(() => !alive(steadyPid), 5000, "killed");

    const spurious = client.received.filter(
      (e: SchedulerEvent): e is UpdateEvent =>
        e.type === "UPDATE" && ["TASK_LOST", "TASK_GONE", "TASK_UNREACHABLE", "TASK_DROPPED"].includes(e.update.status.state),
    );
    expect(spurious).toEqual([]);
    expect(client.received.filter(isUpdateFor("unacked")).map((e) => e.update.status.state)).not.toContain("TASK_KILLED");
    await client.call({ type: "TEARDOWN" });
    client.disconnect();
  });
});
