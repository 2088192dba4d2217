import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_FRAMEWORK } from "../testing/fake-master";
import { readIntFile } from "./checkpoint";
import { fixture, groupAlive, runtimeDirOf, taskPid, until, type Fixture } from "./test-helpers";

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

type Rereg = { type: "REREGISTER_AGENT"; agent_info: { id?: { value: string } }; tasks: { task: { task_id: { value: string } }; state: string; status_update_state?: string }[] };

function lastReregistration(f: Fixture): Rereg {
  const reg = f.master.registrations().at(-1)!;
  expect(reg.type).toBe("REREGISTER_AGENT");
  return reg as unknown as Rereg;
}

describe("agent recovery", () => {
  it("re-adopts a running task after a restart and re-registers with it RUNNING", async () => {
    fx = await fixture({ autoAck: true });
    const first = await fx.start();
    const agentId = await first.registered();
    fx.master.runCommand("long", "sleep 30");
    await fx.master.waitForState("long", "TASK_RUNNING");
    const pgid = await until(() => taskPid(fx!.workDir, agentId, "fw-1", "long"));
    await until(() => groupAlive(pgid), 2000, "the task's process group");
    await first.stop(); // tasks keep running

    expect(groupAlive(pgid)).toBe(true);
    const second = await fx.start();
    expect(await second.registered()).toBe(agentId);
    const rereg = lastReregistration(fx);
    expect(rereg.agent_info.id?.value).toBe(agentId);
    expect(rereg.tasks.map((t) => [t.task.task_id.value, t.state])).toEqual([["long", "TASK_RUNNING"]]);
    expect(await taskPid(fx.workDir, agentId, "fw-1", "long")).toBe(pgid); // same process, not relaunched

    // The new agent controls the adopted task.
    fx.master.killTask("long");
    const killed = await fx.master.waitForState("long", "TASK_KILLED");
    expect(killed.status.message).toBe("Command terminated with signal SIGTERM");
    await until(() => !groupAlive(pgid), 5000, "adopted task gone");
  });

  it("reports the true terminal state of a task that exited while the agent was down", async () => {
    fx = await fixture({ autoAck: true });
    const first = await fx.start();
    const agentId = await first.registered();
    fx.master.runCommand("gate", 'while [ ! -f "$MESOS_SANDBOX/go" ]; do sleep 0.02; done; exit 4');
    await fx.master.waitForState("gate", "TASK_RUNNING");
    const sandbox = (first.state() as { frameworks: { executors: { directory: string }[] }[] }).frameworks[0]!.executors[0]!.directory;
    await first.stop();

    await fsp.writeFile(path.join(sandbox, "go"), "");
    const runMeta = (await runtimeDirOf(fx.workDir, agentId, "fw-1", "gate"))!;
    await until(() => readIntFile(path.join(runMeta, "exit_status")), 5000, "exit_status");

    const second = await fx.start();
    await second.registered();
    const rereg = lastReregistration(fx);
    // Latest state FAILED; the oldest unacknowledged update is FAILED (or RUNNING if its ack was in flight at the stop).
    expect(rereg.tasks).toEqual([expect.objectContaining({ state: "TASK_FAILED", status_update_state: expect.stringMatching(/TASK_(FAILED|RUNNING)/) })]);
    const failed = await fx.master.waitForState("gate", "TASK_FAILED");
    expect(failed.status.message).toBe("Command exited with status 4");
    // Once acknowledged, the run is complete and its runtime dir is gone.
    await until(async () => (await fsp.stat(runMeta).catch(() => undefined)) === undefined, 5000, "runtime dir removed");
  });

  it("replays unacknowledged updates from task.updates after a restart", async () => {
    fx = await fixture({ autoAck: false });
    const first = await fx.start();
    await first.registered();
    fx.master.runCommand("u", "exit 0");
    await fx.master.waitForState("u", "TASK_STARTING");
    await until(() => (first.state() as any).frameworks[0]?.executors[0]?.tasks[0]?.state === "TASK_FINISHED" || undefined);
    await first.stop();

    const before = fx.master.updates("u").length;
    const second = await fx.start();
    await second.registered();
    expect(lastReregistration(fx).tasks[0]).toMatchObject({ state: "TASK_FINISHED", status_update_state: "TASK_STARTING" });
    await fx.master.waitFor(() => fx!.master.updates("u").length > before, 5000, "replayed head");
    fx.master.autoAck = true;
    fx.master.acknowledge(fx.master.updates("u").at(-1)!);
    await fx.master.waitForState("u", "TASK_FINISHED");
    expect(fx.master.states("u")).toEqual(["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"]);
  });

  it("kills tasks of non-checkpointing frameworks at recovery and does not report them", async () => {
    fx = await fixture({ autoAck: true });
    const first = await fx.start();
    const agentId = await first.registered();
    fx.master.runCommand("ephemeral", "sleep 30", { ...TEST_FRAMEWORK, id: { value: "fw-nc" }, checkpoint: false });
    await fx.master.waitForState("ephemeral", "TASK_RUNNING");
    const pgid = await until(() => taskPid(fx!.workDir, agentId, "fw-nc", "ephemeral"));
    await first.stop();

    const second = await fx.start();
    await second.registered();
    expect(lastReregistration(fx).tasks).toEqual([]);
    await until(() => !groupAlive(pgid), 5000, "non-checkpointing task killed");
  });

  it("--recover=cleanup kills re-adopted tasks and reports TASK_KILLED", async () => {
    fx = await fixture({ autoAck: true });
    const first = await fx.start();
    const agentId = await first.registered();
    fx.master.runCommand("c", "sleep 30");
    await fx.master.waitForState("c", "TASK_RUNNING");
    const pgid = await until(() => taskPid(fx!.workDir, agentId, "fw-1", "c"));
    await first.stop();

    const second = await fx.start({ recover: "cleanup" });
    await second.registered();
    await fx.master.waitForState("c", "TASK_KILLED");
    await until(() => !groupAlive(pgid), 5000, "cleaned-up task gone");
  });

  it("treats every old task as dead after a reboot (boot id changed)", async () => {
    fx = await fixture({ autoAck: true });
    const first = await fx.start();
    const agentId = await first.registered();
    fx.master.runCommand("boot", "sleep 30");
    await fx.master.waitForState("boot", "TASK_RUNNING");
    const pgid = await until(() => taskPid(fx!.workDir, agentId, "fw-1", "boot"));
    await until(() => groupAlive(pgid), 2000, "the task's process group");
    await first.stop();
    const runMeta = (await runtimeDirOf(fx.workDir, agentId, "fw-1", "boot"))!;
    process.kill((await readIntFile(path.join(runMeta, "pids", "forked.pid")))!, "SIGKILL"); // what a reboot does…
    process.kill(-pgid, "SIGKILL");
    await fsp.writeFile(path.join(fx.workDir, "meta", "boot_id"), "some-earlier-boot\n"); // …and how the agent notices

    const second = await fx.start();
    expect(await second.registered()).toBe(agentId); // keeps its id, as Mesos tries to
    const failed = await fx.master.waitForState("boot", "TASK_FAILED");
    expect(failed.status).toMatchObject({ source: "SOURCE_AGENT", reason: "REASON_EXECUTOR_TERMINATED" });
  });

  it("refuses to recover with different resources in strict mode", async () => {
    fx = await fixture({ autoAck: true });
    const first = await fx.start();
    await first.registered();
    await first.stop();
    await expect(fx.start({ resources: "cpus:1;mem:128" })).rejects.toThrow(/Incompatible agent info/);
  });
});
