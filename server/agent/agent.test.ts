import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_FRAMEWORK } from "../testing/fake-master";
import { fixture, groupAlive, taskPid, until, type Fixture } from "./test-helpers";

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

async function setup(opts: Parameters<typeof fixture>[0] = { autoAck: true }) {
  fx = await fixture(opts);
  const agent = await fx.start();
  const agentId = await agent.registered();
  return { fx, agent, agentId, master: fx.master };
}

describe("agent: registration and task lifecycle", () => {
  it("registers, runs a command and reports its true exit status", async () => {
    const { master, agent, agentId } = await setup();
    const reg = master.registrations()[0]!;
    expect(reg.type).toBe("REGISTER_AGENT");
    expect(reg.agent_info.port).toBe(agent.port);
    expect(reg.endpoint).toBe(agent.endpoint);

    master.runCommand("t1", "echo hi; exit 3");
    const failed = await master.waitForState("t1", "TASK_FAILED");
    expect(master.states("t1")).toEqual(["TASK_STARTING", "TASK_RUNNING", "TASK_FAILED"]);
    expect(failed.status).toMatchObject({
      message: "Command exited with status 3", source: "SOURCE_EXECUTOR", executor_id: { value: "t1" }, agent_id: { value: agentId },
    });
    expect(Buffer.from(failed.status.uuid!, "base64")).toHaveLength(16);
    expect(failed.status.timestamp! * 1000).toBeGreaterThan(Date.now() - 60_000);

    const state = agent.state() as { frameworks: { executors: { directory: string }[]; completed_executors: { directory: string }[] }[] };
    const executor = [...state.frameworks[0]!.executors, ...state.frameworks[0]!.completed_executors][0]!;
    expect(executor.directory).toContain(path.join("slaves", agentId, "frameworks", "fw-1", "executors", "t1", "runs"));
    expect(await fsp.readFile(path.join(executor.directory, "stdout"), "utf8")).toBe("hi\n");
    expect(await fsp.readlink(path.join(fx!.workDir, "slaves", "latest"))).toBe(agentId);
  });

  it("finishes a successful command and passes the MESOS_* environment", async () => {
    const { master } = await setup();
    master.runCommand("env-task", 'test "$MESOS_SANDBOX" = "$PWD" && test "$MESOS_EXECUTOR_ID" = env-task && test "$MESOS_CHECKPOINT" = 1');
    expect((await master.waitForState("env-task", "TASK_FINISHED")).status.message).toBe("Command exited with status 0");
  });

  it("kills a task's whole process group on KILL_TASK and reports TASK_KILLED", async () => {
    const { master, agentId } = await setup();
    master.runCommand("sleeper", "sleep 100 & sleep 100");
    await master.waitForState("sleeper", "TASK_RUNNING");
    const pgid = await until(() => taskPid(fx!.workDir, agentId, "fw-1", "sleeper"));
    await until(() => groupAlive(pgid), 2000, "the task's process group"); // exists once setsid ran
    master.killTask("sleeper");
    const killed = await master.waitForState("sleeper", "TASK_KILLED");
    expect(killed.status.message).toBe("Command terminated with signal SIGTERM");
    await until(() => !groupAlive(pgid), 5000, "process group gone");
  });

  it("kills a task whose KILL_TASK arrives right behind its RUN_TASK", async () => {
    const { master } = await setup();
    const t0 = Date.now();
    master.runCommand("quick", "sleep 100");
    master.killTask("quick");
    await master.waitForState("quick", "TASK_KILLED");
    expect(Date.now() - t0).toBeLessThan(2500); // not left to the 3 s SIGKILL escalation
    master.runCommand("quick2", "sleep 100");
    await master.waitForState("quick2", "TASK_STARTING");
    master.killTask("quick2");
    expect((await master.waitForState("quick2", "TASK_KILLED")).status.message).not.toContain("SIGKILL");
  });

  it("escalates to SIGKILL after the kill policy's grace period", async () => {
    const { master } = await setup();
    master.runCommand("stubborn", "trap '' TERM; sleep 100");
    await master.waitForState("stubborn", "TASK_RUNNING");
    await new Promise((r) => setTimeout(r, 100)); // let the trap be installed
    const t0 = Date.now();
    master.killTask("stubborn", "fw-1", 300);
    const killed = await master.waitForState("stubborn", "TASK_KILLED");
    expect(killed.status.message).toBe("Command terminated with signal SIGKILL");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it("sends TASK_KILLING first to frameworks with TASK_KILLING_STATE", async () => {
    const { master } = await setup();
    const framework = { ...TEST_FRAMEWORK, capabilities: [{ type: "TASK_KILLING_STATE" as const }] };
    master.runCommand("k", "sleep 100", framework);
    await master.waitForState("k", "TASK_RUNNING");
    master.killTask("k");
    await master.waitForState("k", "TASK_KILLED");
    expect(master.states("k")).toEqual(["TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_KILLED"]);
  });

  it("fails tasks it cannot launch with REASON_CONTAINER_LAUNCH_FAILED", async () => {
    const { master } = await setup();
    master.runTask({ name: "x", task_id: { value: "custom" }, executor: { executor_id: { value: "e1" } } });
    const failed = await master.waitForState("custom", "TASK_FAILED");
    expect(failed.status).toMatchObject({ source: "SOURCE_AGENT", reason: "REASON_CONTAINER_LAUNCH_FAILED" });
    master.runTask({ name: "y", task_id: { value: "nocmd" }, command: { shell: false } });
    expect((await master.waitForState("nocmd", "TASK_FAILED")).status.reason).toBe("REASON_CONTAINER_LAUNCH_FAILED");
  });
});

describe("agent: status update reliability", () => {
  it("retries an unacknowledged update, forwards the next after the ack, completes the task on the terminal ack", async () => {
    const { master, agent } = await setup({ autoAck: false });
    master.runCommand("r1", "exit 0");
    await master.waitFor(() => master.updates("r1").length >= 3, 5000, "retries of TASK_STARTING");
    expect(master.updates("r1").map((u) => u.status.state)).toEqual(["TASK_STARTING", "TASK_STARTING", "TASK_STARTING"]);
    // The first forward went out alone; retries carry the newest state queued since.
    expect(master.updates("r1")[2]!.latest_state).toBe("TASK_FINISHED");

    master.acknowledge(master.updates("r1")[0]!);
    master.acknowledge(master.updates("r1")[0]!); // duplicate: ignored
    await master.waitForState("r1", "TASK_RUNNING");
    master.acknowledge(master.updates("r1").find((u) => u.status.state === "TASK_RUNNING")!);
    const finished = await master.waitForState("r1", "TASK_FINISHED");
    const completed = () => {
      const s = agent.state() as { frameworks: unknown[]; completed_frameworks: { completed_executors: { completed_tasks: { id: string; state: string }[] }[] }[] };
      return s.completed_frameworks[0]?.completed_executors[0]?.completed_tasks[0];
    };
    expect(completed()).toBeUndefined();
    master.acknowledge(finished);
    expect(await until(completed)).toMatchObject({ id: "r1", state: "TASK_FINISHED" });
  });

  it("re-registers after losing the master and resends pending updates", async () => {
    const { master, agent } = await setup({ autoAck: false });
    master.runCommand("p1", "sleep 100");
    await master.waitForState("p1", "TASK_STARTING");
    await until(() => JSON.stringify(agent.state()).includes('"state":"TASK_RUNNING"'), 5000, "task running on the agent");
    master.dropConnection();
    await master.waitFor(() => master.registrations().length === 2, 5000, "re-registration");
    const rereg = master.registrations()[1]!;
    expect(rereg.type).toBe("REREGISTER_AGENT");
    if (rereg.type !== "REREGISTER_AGENT") return;
    expect(rereg.tasks).toHaveLength(1);
    expect(rereg.tasks[0]).toMatchObject({ state: "TASK_RUNNING", status_update_state: "TASK_STARTING", executor_id: { value: "p1" } });
    expect(rereg.frameworks.map((f) => f.id?.value)).toEqual(["fw-1"]);
    await master.waitFor(() => master.received.slice(master.received.indexOf(rereg)).some((m) => m.type === "STATUS_UPDATE"), 5000, "flush");
  });

  it("drops the connection when PINGs stop and re-registers", async () => {
    const { master } = await setup({ autoAck: true, pingIntervalMs: 50, sendPings: false });
    await master.waitFor(() => master.registrations().length >= 2, 5000, "re-registration after ping timeout");
    expect(master.registrations()[1]!.type).toBe("REREGISTER_AGENT");
  });
});

describe("agent: master commands and robustness", () => {
  it("survives malformed and invalid frames", async () => {
    const { master, agent } = await setup();
    master.sendRaw("not json");
    master.sendRaw('{"type":"RUN_TASK"}');
    master.sendRaw('{"type":"NO_SUCH_THING"}');
    master.sendRaw("[".repeat(10_000));
    master.killTask("unknown-task");
    master.send({ type: "FRAMEWORK_TO_EXECUTOR", framework_id: { value: "fw-1" }, executor_id: { value: "e" }, data: "aGk=" });
    master.send({ type: "ERROR", message: "just testing" });
    master.runCommand("after", "exit 0");
    await master.waitForState("after", "TASK_FINISHED");
    expect((await fetch(`http://${agent.endpoint}/health`)).status).toBe(200);
  });

  it("kills a framework's tasks on SHUTDOWN_FRAMEWORK", async () => {
    const { master, agent } = await setup();
    master.runCommand("a", "sleep 100");
    master.runCommand("b", "sleep 100");
    await master.waitForState("b", "TASK_RUNNING");
    await master.waitForState("a", "TASK_RUNNING");
    master.send({ type: "SHUTDOWN_FRAMEWORK", framework_id: { value: "fw-1" } });
    await until(() => (agent.state() as { frameworks: unknown[] }).frameworks.length === 0, 8000, "framework removed");
  });

  it("kills everything and forgets its id on SHUTDOWN_AGENT", async () => {
    const { master, agent, agentId } = await setup();
    master.runCommand("s", "sleep 100");
    await master.waitForState("s", "TASK_RUNNING");
    const pgid = await until(() => taskPid(fx!.workDir, agentId, "fw-1", "s"));
    master.send({ type: "SHUTDOWN_AGENT", message: "bye" });
    expect(await agent.closed).toEqual({ reason: "shutdown", message: "bye" });
    await until(() => !groupAlive(pgid), 5000, "process group gone"); // zombies wait for init
    await expect(fsp.readlink(path.join(fx!.workDir, "meta", "slaves", "latest"))).rejects.toThrow();
    const next = await fx!.start();
    await next.registered();
    expect(master.registrations().at(-1)!.type).toBe("REGISTER_AGENT");
  });

  it("serves /health, /state (also as /slave(1)/state) and 404s the rest", async () => {
    const { agent, agentId, master } = await setup();
    master.runCommand("h", "sleep 100");
    await master.waitForState("h", "TASK_RUNNING");
    const base = `http://${agent.endpoint}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    for (const p of ["/state", "/state.json", "/slave(1)/state"]) {
      const res = await fetch(base + p);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, any>;
      expect(body).toMatchObject({ id: agentId, pid: `slave(1)@${agent.endpoint}`, hostname: "127.0.0.1", resources: { cpus: 4, mem: 4096 } });
      const executor = body.frameworks[0].executors[0];
      expect(executor).toMatchObject({ id: "h", tasks: [{ id: "h", state: "TASK_RUNNING", slave_id: agentId }] });
      expect(executor.directory).toMatch(/runs\/[0-9a-f-]{36}$/);
    }
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/state`, { method: "POST" })).status).toBe(405);
  });
});
