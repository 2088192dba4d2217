// LAUNCH_GROUP end to end through the public scheduler API: task groups on Plateau's default
// executor (ExecutorInfo.type = DEFAULT: tasks as nested processes with their own sandboxes,
// group semantics), on a custom executor (one LAUNCH_GROUP event), and invalid groups refused
// atomically with TASK_ERROR / REASON_TASK_GROUP_INVALID.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { Offer } from "../../server/protocol/mesos";
import type { SchedulerEvent } from "../../server/protocol/scheduler";
import type { SchedulerClient } from "../../server/cli/scheduler-client";
import { Resources } from "../../server/resources";
import { execute } from "../../server/cli/execute";
import { startTestAgent, startTestMaster, waitForAgents, waitUntil, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { autoAcknowledge, commandTask, isUpdateFor, newScheduler, nextOffer, type UpdateEvent } from "./helpers";

const TEST_EXECUTOR = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "test-executor.mjs");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster(): Promise<{ master: TestMaster; agent: TestAgent; client: SchedulerClient }> {
  const master = await startTestMaster();
  const agent = await startTestAgent(master.address);
  cleanups.push(() => master.stop(), () => agent.stop({ killTasks: true }));
  await waitForAgents(master, 1);
  const client = newScheduler(master.address, { name: "group-fw", checkpoint: true });
  autoAcknowledge(client);
  await client.subscribe();
  cleanups.push(async () => {
    await client.call({ type: "TEARDOWN" }).catch(() => undefined);
    client.disconnect();
  });
  return { master, agent, client };
}

function defaultExecutor(offer: Offer, id: string) {
  return { type: "DEFAULT", executor_id: { value: id }, resources: Resources.parse("cpus:0.1;mem:96").allocate(offer.allocation_info.role).toArray() };
}

async function launchGroup(client: SchedulerClient, offer: Offer, executor: unknown, tasks: unknown[]): Promise<void> {
  await client.mustCall({
    type: "ACCEPT",
    accept: { offer_ids: [offer.id], operations: [{ type: "LAUNCH_GROUP", launch_group: { executor, task_group: { tasks } } }], filters: { refuse_seconds: 0 } },
  });
}

const terminal = (client: SchedulerClient, taskId: string) =>
  client.waitFor((e: SchedulerEvent): e is UpdateEvent => isUpdateFor(taskId)(e) && ["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR"].includes(e.update.status.state), 20_000, true);

describe("LAUNCH_GROUP", () => {
  it("runs a task group on the default executor: own sandboxes, updates from the executor, executor exits when done", async () => {
    const { master, agent, client } = await cluster();
    const offer = await nextOffer(client);
    await launchGroup(client, offer, defaultExecutor(offer, "pod-1"), [
      commandTask(offer, "web", "echo serving from $MESOS_SANDBOX; sleep 1"),
      commandTask(offer, "sidecar", "echo sidecar role=$MESOS_ALLOCATION_ROLE; sleep 2"),
    ]);
    const running = await client.waitFor(isUpdateFor("web", "TASK_RUNNING"), 20_000, true);
    expect(running.update.status).toMatchObject({ source: "SOURCE_EXECUTOR", executor_id: { value: "pod-1" }, agent_id: offer.agent_id });
    const nested = running.update.status.container_status as { container_id: { value: string; parent?: { value: string } } };
    expect(nested.container_id.parent?.value).toBeTruthy();

    // The master knows the executor and the tasks on it.
    const m = master.running.master;
    expect(m.agents.get(offer.agent_id.value)!.executors.get(client.frameworkId!)?.get("pod-1")?.type).toBe("DEFAULT");

    const web = await terminal(client, "web");
    const sidecar = await terminal(client, "sidecar");
    expect(web.update.status.state).toBe("TASK_FINISHED");
    expect(sidecar.update.status.state).toBe("TASK_FINISHED");
    for (const id of ["web", "sidecar"]) {
      const states = client.received.filter(isUpdateFor(id)).map((e) => e.update.status.state);
      expect(states).toEqual(["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"]);
    }
    // Each task has its own sandbox, linked as tasks/<id> inside the executor's sandbox.
    const runsDir = path.join(agent.workDir, "slaves", offer.agent_id.value, "frameworks", client.frameworkId!, "executors", "pod-1", "runs");
    const runs = path.join(runsDir, fs.readdirSync(runsDir).find((d) => d !== "latest")!);
    const webSandbox = fs.realpathSync(path.join(runs, "tasks", "web"));
    expect(path.dirname(webSandbox)).toBe(fs.realpathSync(path.join(runs, "containers")));
    expect(fs.readFileSync(path.join(runs, "tasks", "web", "stdout"), "utf8")).toContain(`serving from ${webSandbox}`);
    expect(fs.readFileSync(path.join(runs, "tasks", "sidecar", "stdout"), "utf8")).toContain(`sidecar role=${offer.allocation_info.role}`);
    // No task left: the executor exits, the framework hears of it and the master forgets it.
    const failure = await client.waitFor((e: SchedulerEvent) => e.type === "FAILURE", 15_000);
    expect(failure.type === "FAILURE" && failure.failure.executor_id?.value).toBe("pod-1");
    await waitUntil(() => !m.agents.get(offer.agent_id.value)!.executors.get(client.frameworkId!)?.has("pod-1"), 5000, "executor forgotten");
  });

  it("a failing task takes its group down; killing one task kills the group", async () => {
    const { client } = await cluster();
    let offer = await nextOffer(client);
    await launchGroup(client, offer, defaultExecutor(offer, "pod-fail"), [
      commandTask(offer, "steady", "sleep 60"),
      commandTask(offer, "crasher", "sleep 1; exit 3"),
    ]);
    const crashed = await terminal(client, "crasher");
    expect(crashed.update.status.state).toBe("TASK_FAILED");
    expect(crashed.update.status.message).toBe("Command exited with status 3");
    const steady = await terminal(client, "steady");
    expect(steady.update.status.state).toBe("TASK_KILLED");
    expect(steady.update.status.message).toContain("Task crasher in its group failed");

    offer = await nextOffer(client, 15_000);
    await launchGroup(client, offer, defaultExecutor(offer, "pod-kill"), [
      commandTask(offer, "one", "sleep 60"),
      commandTask(offer, "two", "sleep 60", "cpus:0.1;mem:32", { kill_policy: { grace_period: { nanoseconds: 500_000_000 } } }),
    ]);
    await client.waitFor(isUpdateFor("two", "TASK_RUNNING"), 20_000, true);
    await client.waitFor(isUpdateFor("one", "TASK_RUNNING"), 20_000, true);
    const started = Date.now();
    await client.mustCall({ type: "KILL", kill: { task_id: { value: "one" }, agent_id: offer.agent_id } });
    expect((await terminal(client, "one")).update.status.state).toBe("TASK_KILLED");
    expect((await terminal(client, "two")).update.status.state).toBe("TASK_KILLED");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("keeps the default executor and its tasks across an agent SIGKILL: it re-subscribes and the group is still killable", async () => {
    const { master, agent, client } = await cluster();
    const offer = await nextOffer(client);
    await launchGroup(client, offer, defaultExecutor(offer, "pod-survivor"), [commandTask(offer, "long", "sleep 60"), commandTask(offer, "long2", "sleep 60")]);
    const running = await client.waitFor(isUpdateFor("long", "TASK_RUNNING"), 20_000, true);
    const pid = (running.update.status.container_status as { executor_pid: number }).executor_pid;
    await client.waitFor(isUpdateFor("long2", "TASK_RUNNING"), 20_000, true);

    await agent.kill();
    const restarted = await startTestAgent(master.address, { workDir: agent.workDir, port: agent.port });
    cleanups.push(() => restarted.stop({ killTasks: true }));
    await waitUntil(() => restarted.output.some((l) => l.includes("Executor pod-survivor of framework") && l.includes("subscribed")), 20_000, "default executor re-subscribed");
    expect(() => process.kill(pid, 0)).not.toThrow(); // the same task process

    await client.mustCall({ type: "KILL", kill: { task_id: { value: "long" }, agent_id: offer.agent_id } });
    expect((await terminal(client, "long")).update.status.state).toBe("TASK_KILLED");
    expect((await terminal(client, "long2")).update.status.state).toBe("TASK_KILLED");
    // No spurious updates: each task RUNNING once, then KILLED once.
    for (const id of ["long", "long2"]) expect(client.received.filter(isUpdateFor(id, "TASK_KILLED"))).toHaveLength(1);
  });

  it("delivers a task group to a custom executor in one LAUNCH_GROUP event", async () => {
    const { client } = await cluster();
    const offer = await nextOffer(client);
    const executor = {
      executor_id: { value: "custom-group" }, command: { value: `exec ${process.execPath} ${TEST_EXECUTOR}` },
      resources: Resources.parse("cpus:0.1;mem:128").allocate(offer.allocation_info.role).toArray(),
    };
    await launchGroup(client, offer, executor, [
      { ...commandTask(offer, "g1", "unused"), command: undefined },
      { ...commandTask(offer, "g2", "unused"), command: undefined },
    ]);
    const first = await client.waitFor(isUpdateFor("g1", "TASK_RUNNING"), 20_000, true);
    const seen = JSON.parse(Buffer.from(first.update.status.data ?? "", "base64").toString());
    expect(seen.group).toEqual(["g1", "g2"]);
    expect(seen.executor_in_task).toBe(false);
    await client.waitFor(isUpdateFor("g2", "TASK_RUNNING"), 10_000, true);
  });

  it("plateau execute --task_group launches a group on the default executor (mesos-execute's flag) and exits 0 only if all finish", async () => {
    const { master, client } = await cluster();
    await client.mustCall({ type: "TEARDOWN" }); // its offers go to plateau execute instead
    const run = async (group: unknown) => {
      const lines: string[] = [];
      const code = await execute({
        master: master.address, name: "unused", command: "", resources: "", frameworkName: "execute-group", role: "*", user: "root", shell: true,
        checkpoint: false, partitionAware: true, taskGroup: JSON.stringify(group), executorResources: "cpus:0.1;mem:64", timeoutMs: 30_000, print: (l) => lines.push(l),
      });
      return { code, lines };
    };
    const ok = await run({ tasks: [
      { name: "x", task_id: { value: "x" }, command: { value: "echo x" }, resources: "cpus:0.1;mem:32" },
      { name: "y", task_id: { value: "y" }, command: { value: "sleep 1" }, resources: "cpus:0.1;mem:32" },
    ] });
    expect(ok.code).toBe(0);
    expect(ok.lines).toContain("x TASK_FINISHED - Command exited with status 0");
    expect(ok.lines).toContain("y TASK_FINISHED - Command exited with status 0");
    const bad = await run({ tasks: [
      { name: "p", task_id: { value: "p" }, command: { value: "sleep 30" } },
      { name: "q", task_id: { value: "q" }, command: { value: "exit 4" } },
    ] });
    expect(bad.code).toBe(1);
    expect(bad.lines).toContain("q TASK_FAILED - Command exited with status 4");
    expect(bad.lines.some((l) => l.startsWith("p TASK_KILLED"))).toBe(true);
    const invalid = await run({ tasks: [] });
    expect(invalid.code).toBe(1);
    expect(invalid.lines[0]).toContain("--task_group needs a non-empty 'tasks' array");
  });

  it("refuses invalid task groups atomically with TASK_ERROR / REASON_TASK_GROUP_INVALID", async () => {
    const { master, client } = await cluster();
    const cases: { name: string; executor: (o: Offer) => unknown; tasks: (o: Offer, n: string) => unknown[]; message: string }[] = [
      { name: "dup", executor: (o) => defaultExecutor(o, "bad-1"), tasks: (o, n) => [commandTask(o, `${n}-a`, "true"), commandTask(o, `${n}-a`, "true")], message: "duplicate task ID" },
      {
        name: "own-executor", executor: (o) => defaultExecutor(o, "bad-2"),
        tasks: (o, n) => [commandTask(o, `${n}-a`, "true"), { ...commandTask(o, `${n}-b`, "true"), executor: { executor_id: { value: "x" }, command: { value: "true" } } }],
        message: "must not have 'TaskInfo.executor' set",
      },
      { name: "too-big", executor: (o) => defaultExecutor(o, "bad-3"), tasks: (o, n) => [commandTask(o, `${n}-a`, "true"), commandTask(o, `${n}-b`, "true", "cpus:1000;mem:32")], message: "more resources" },
      { name: "no-command", executor: (o) => defaultExecutor(o, "bad-4"), tasks: (o, n) => [{ ...commandTask(o, `${n}-a`, "true"), command: undefined }], message: "has no CommandInfo" },
      {
        name: "default-with-command", executor: (o) => ({ ...defaultExecutor(o, "bad-5"), command: { value: "true" } }),
        tasks: (o, n) => [commandTask(o, `${n}-a`, "true")], message: "'ExecutorInfo.command' must not be set",
      },
    ];
    for (const c of cases) {
      const offer = await nextOffer(client, 15_000);
      const tasks = c.tasks(offer, c.name);
      await launchGroup(client, offer, c.executor(offer), tasks);
      for (const id of new Set((tasks as { task_id: { value: string } }[]).map((t) => t.task_id.value))) {
        const error = await client.waitFor(isUpdateFor(id, "TASK_ERROR"), 10_000, true);
        expect(error.update.status).toMatchObject({ source: "SOURCE_MASTER", reason: "REASON_TASK_GROUP_INVALID" });
        expect(error.update.status.message).toContain(c.message);
        expect(client.received.filter(isUpdateFor(id, "TASK_RUNNING"))).toHaveLength(0);
      }
    }
    // Nothing was launched and nothing stays allocated.
    const m = master.running.master;
    expect([...m.agents.values()].every((a) => (a.executors.get(client.frameworkId!)?.size ?? 0) === 0)).toBe(true);
    // A DEFAULT executor outside LAUNCH_GROUP is refused too.
    const offer = await nextOffer(client, 15_000);
    await client.mustCall({
      type: "ACCEPT",
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: "LAUNCH", launch: { task_infos: [{ ...commandTask(offer, "plain", "true"), command: undefined, executor: defaultExecutor(offer, "bad-6") }] } }],
      },
    });
    const plain = await client.waitFor(isUpdateFor("plain", "TASK_ERROR"), 10_000, true);
    expect(plain.update.status.message).toContain("DEFAULT can only be used with LAUNCH_GROUP");
  });
});
