// Master behaviour with a manual clock, a memory registry, fake agent links and fake scheduler
// streams: the same handlers the HTTP and WebSocket layers call.
import { afterEach, describe, expect, it } from "vitest";
import { Resources } from "../resources";
import { accept } from "./accept";
import { statusUpdate, acknowledge, reconcile, kill } from "./tasks";
import { agentDisconnected } from "./agents";
import { agentStatus, frameworkInfo, registerFakeAgent, startHarness, subscribeFramework, type Harness } from "../testing/master-harness";
import type { Offer } from "../protocol/mesos";

let h: Harness;
afterEach(() => h?.stopLoop());

function offersOf(sink: ReturnType<typeof subscribeFramework>["sink"]): Offer[] {
  return sink.of("OFFERS").flatMap((e) => e.offers.offers);
}

function task(offer: Offer, id: string, resources = "cpus:1;mem:128", extra: Record<string, unknown> = {}) {
  return {
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    resources: Resources.parse(resources).allocate(offer.allocation_info.role).toArray(),
    command: { value: "sleep 100" },
    ...extra,
  };
}

function launch(h: Harness, fwId: string, offer: Offer, tasks: unknown[], refuse = 0) {
  const fw = h.master.frameworks.get(fwId)!;
  accept(h.master, fw, { offer_ids: [offer.id], operations: [{ type: "LAUNCH", launch: { task_infos: tasks as never } }], filters: { refuse_seconds: refuse } });
}

describe("subscription", () => {
  it("assigns <masterId>-NNNN framework ids and answers SUBSCRIBED with master info", async () => {
    h = await startHarness();
    const { sink, framework } = subscribeFramework(h);
    expect(framework!.id).toBe(`${h.master.id}-0000`);
    const [subscribed] = sink.of("SUBSCRIBED");
    expect(subscribed!.subscribed.heartbeat_interval_seconds).toBe(15);
    expect(subscribed!.subscribed.master_info.id).toBe(h.master.id);
  });

  it("sends HEARTBEAT events every heartbeat interval", async () => {
    h = await startHarness({ config: { heartbeatIntervalMs: 1000 } });
    const { sink } = subscribeFramework(h);
    h.clock.advance(3500);
    expect(sink.of("HEARTBEAT")).toHaveLength(3);
  });

  it("refuses invalid FrameworkInfo with an ERROR event and closes the stream", async () => {
    h = await startHarness();
    const { sink, framework } = subscribeFramework(h, frameworkInfo({ roles: ["a"] }));
    expect(framework).toBeNull();
    expect(sink.of("ERROR")[0]!.error.message).toContain("MULTI_ROLE");
    expect(sink.closed).toBe(true);
  });

  it("a second SUBSCRIBE with the same id fails the old stream over", async () => {
    h = await startHarness();
    const first = subscribeFramework(h, frameworkInfo({ failover_timeout: 60 }));
    const id = first.framework!.id;
    const second = subscribeFramework(h, frameworkInfo({ failover_timeout: 60, id: { value: id } }));
    expect(first.sink.of("ERROR")[0]!.error.message).toBe("Framework failed over");
    expect(first.sink.closed).toBe(true);
    expect(second.sink.of("SUBSCRIBED")[0]!.subscribed.framework_id.value).toBe(id);
    expect(h.master.frameworks.get(id)!.lifecycle).toBe("connected");
  });
});

describe("offers and launches", () => {
  it("offers an agent's resources and launches a valid task", async () => {
    h = await startHarness();
    const { link } = await registerFakeAgent(h);
    const { sink, framework } = subscribeFramework(h);
    h.clock.advance(1000);
    const [offer] = offersOf(sink);
    expect(offer!.id.value).toMatch(new RegExp(`^${h.master.id}-O\\d+$`));
    expect(Resources.from(offer!.resources).scalar("cpus")).toBe(4);
    launch(h, framework!.id, offer!, [task(offer!, "t1")]);
    const [run] = link.of("RUN_TASK");
    expect(run!.task.task_id.value).toBe("t1");
    expect(h.master.frameworks.get(framework!.id)!.tasks.get("t1")!.state).toBe("TASK_STAGING");
  });

  it("gives TASK_ERROR for a task exceeding the offer and for a duplicate task id", async () => {
    h = await startHarness();
    await registerFakeAgent(h);
    const { sink, framework } = subscribeFramework(h);
    h.clock.advance(1000);
    const [offer] = offersOf(sink);
    launch(h, framework!.id, offer!, [task(offer!, "big", "cpus:64;mem:128"), task(offer!, "dup"), task(offer!, "dup")]);
    const updates = sink.of("UPDATE").map((e) => e.update.status);
    const big = updates.find((s) => s.task_id.value === "big")!;
    expect(big.state).toBe("TASK_ERROR");
    expect(big.reason).toBe("REASON_TASK_INVALID");
    expect(big.message).toContain("more resources");
    expect(big.uuid).toBeUndefined();
    const dup = updates.find((s) => s.task_id.value === "dup")!;
    expect(dup.state).toBe("TASK_ERROR");
    expect(dup.message).toBe("Task has duplicate ID: dup");
  });

  it("refuses a task whose ExecutorInfo differs from the running executor's (field order does not matter)", async () => {
    h = await startHarness();
    await registerFakeAgent(h);
    const { sink, framework } = subscribeFramework(h);
    h.clock.advance(1000);
    const executor = { executor_id: { value: "E" }, command: { value: "run-executor", shell: true }, resources: Resources.parse("cpus:0.1;mem:32").allocate("*").toArray() };
    const [offer] = offersOf(sink);
    launch(h, framework!.id, offer!, [{ ...task(offer!, "t1"), command: undefined, executor }]);
    expect(sink.of("UPDATE")).toHaveLength(0);
    h.clock.advance(1000);
    const [next] = offersOf(sink).filter((o) => o.id.value !== offer!.id.value);
    const reordered = { resources: executor.resources, command: { shell: true, value: "run-executor" }, executor_id: { value: "E" } };
    const changed = { ...executor, command: { value: "another-executor", shell: true } };
    launch(h, framework!.id, next!, [{ ...task(next!, "t2"), command: undefined, executor: reordered }, { ...task(next!, "t3"), command: undefined, executor: changed }]);
    const updates = sink.of("UPDATE").map((e) => e.update.status);
    expect(updates.find((s) => s.task_id.value === "t2")).toBeUndefined();
    const refused = updates.find((s) => s.task_id.value === "t3")!;
    expect(refused.state).toBe("TASK_ERROR");
    expect(refused.message).toContain("is not compatible with the ExecutorInfo of the running executor 'E'");
  });

  it("drops tasks launched on an invalid offer (TASK_DROPPED when partition-aware, else TASK_LOST)", async () => {
    h = await startHarness();
    await registerFakeAgent(h);
    const pa = subscribeFramework(h, frameworkInfo({ capabilities: [{ type: "PARTITION_AWARE" }] }));
    h.clock.advance(1000);
    const [offer] = offersOf(pa.sink);
    const bogus = { ...offer!, id: { value: "no-such-offer" } };
    launch(h, pa.framework!.id, bogus, [task(offer!, "t")]);
    const status = pa.sink.of("UPDATE")[0]!.update.status;
    expect(status.state).toBe("TASK_DROPPED");
    expect(status.reason).toBe("REASON_INVALID_OFFERS");
    expect(status.message).toContain("no-such-offer is no longer valid");
  });

  it("recovers the unused part of an accepted offer with the filter", async () => {
    h = await startHarness();
    await registerFakeAgent(h);
    const { sink, framework } = subscribeFramework(h);
    h.clock.advance(1000);
    const [offer] = offersOf(sink);
    launch(h, framework!.id, offer!, [task(offer!, "t1")], 10);
    sink.events.length = 0;
    h.clock.advance(5000);
    expect(offersOf(sink)).toHaveLength(0); // filtered for 10 s
    h.clock.advance(6000);
    const [again] = offersOf(sink);
    expect(Resources.from(again!.resources).scalar("cpus")).toBe(3);
  });
});

describe("status updates", () => {
  it("forwards agent updates with their uuid and completes the task on the terminal ack", async () => {
    h = await startHarness();
    const { agent, link } = await registerFakeAgent(h);
    const { sink, framework } = subscribeFramework(h);
    h.clock.advance(1000);
    const [offer] = offersOf(sink);
    launch(h, framework!.id, offer!, [task(offer!, "t1")]);
    const running = agentStatus("t1", "TASK_RUNNING");
    statusUpdate(h.master, agent.id, { framework_id: { value: framework!.id }, agent_id: { value: agent.id }, status: running });
    const finished = agentStatus("t1", "TASK_FINISHED");
    statusUpdate(h.master, agent.id, { framework_id: { value: framework!.id }, agent_id: { value: agent.id }, status: finished });
    const forwarded = sink.of("UPDATE").map((e) => e.update.status);
    expect(forwarded.map((s) => [s.state, s.uuid])).toEqual([["TASK_RUNNING", running.uuid], ["TASK_FINISHED", finished.uuid]]);
    const fw = h.master.frameworks.get(framework!.id)!;
    expect(fw.tasks.get("t1")!.state).toBe("TASK_FINISHED");
    acknowledge(h.master, fw, { agent_id: { value: agent.id }, task_id: { value: "t1" }, uuid: finished.uuid! });
    expect(link.of("STATUS_UPDATE_ACKNOWLEDGEMENT").map((a) => a.uuid)).toContain(finished.uuid);
    expect(fw.tasks.has("t1")).toBe(false);
    expect(fw.completedTasks.map((t) => t.info.task_id.value)).toEqual(["t1"]);
  });

  it("answers explicit reconciliation per Mesos's rules", async () => {
    h = await startHarness();
    const { agent } = await registerFakeAgent(h);
    const { sink, framework } = subscribeFramework(h, frameworkInfo({ capabilities: [{ type: "PARTITION_AWARE" }] }));
    const fw = h.master.frameworks.get(framework!.id)!;
    reconcile(h.master, fw, [
      { task_id: { value: "a" }, agent_id: { value: agent.id } },
      { task_id: { value: "b" }, agent_id: { value: "unknown-agent" } },
    ]);
    const states = sink.of("UPDATE").map((e) => [e.update.status.task_id.value, e.update.status.state]);
    expect(states).toEqual([["a", "TASK_GONE"], ["b", "TASK_UNKNOWN"]]);
  });

  it("KILL of an unknown task answers with reconciliation (TASK_LOST for non partition-aware)", async () => {
    h = await startHarness();
    const { sink, framework } = subscribeFramework(h);
    kill(h.master, h.master.frameworks.get(framework!.id)!, { task_id: { value: "ghost" } });
    expect(sink.of("UPDATE")[0]!.update.status.state).toBe("TASK_LOST");
  });
});

describe("framework failover", () => {
  it("keeps tasks through a re-subscription within failover_timeout", async () => {
    h = await startHarness();
    await registerFakeAgent(h);
    const first = subscribeFramework(h, frameworkInfo({ failover_timeout: 30 }));
    h.clock.advance(1000);
    const [offer] = offersOf(first.sink);
    launch(h, first.framework!.id, offer!, [task(offer!, "t1")]);
    first.sink.drop();
    const fw = h.master.frameworks.get(first.framework!.id)!;
    expect(fw.lifecycle).toBe("disconnected");
    h.clock.advance(20_000);
    subscribeFramework(h, frameworkInfo({ failover_timeout: 30, id: { value: fw.id } }));
    h.clock.advance(20_000);
    expect(h.master.frameworks.get(fw.id)!.lifecycle).toBe("connected");
    expect(fw.tasks.has("t1")).toBe(true);
  });

  it("removes the framework and kills its tasks when failover_timeout expires", async () => {
    h = await startHarness();
    const { link } = await registerFakeAgent(h);
    const first = subscribeFramework(h, frameworkInfo({ failover_timeout: 10 }));
    h.clock.advance(1000);
    const [offer] = offersOf(first.sink);
    launch(h, first.framework!.id, offer!, [task(offer!, "t1")]);
    first.sink.drop();
    h.clock.advance(10_001);
    const id = first.framework!.id;
    expect(h.master.frameworks.has(id)).toBe(false);
    expect(h.master.completedFrameworks.map((c) => c.framework.id)).toContain(id);
    expect(link.of("SHUTDOWN_FRAMEWORK").map((m) => m.framework_id.value)).toContain(id);
  });
});

describe("agent health", () => {
  it("marks a silent agent unreachable: TASK_UNREACHABLE to partition-aware frameworks, FAILURE to all", async () => {
    h = await startHarness({ config: { agentPingTimeoutMs: 1000, maxAgentPingTimeouts: 3 } });
    const { agent } = await registerFakeAgent(h);
    const { sink, framework } = subscribeFramework(h, frameworkInfo({ capabilities: [{ type: "PARTITION_AWARE" }] }));
    h.clock.advance(1000);
    const [offer] = offersOf(sink);
    launch(h, framework!.id, offer!, [task(offer!, "t1")]);
    h.clock.advance(5000); // no PONGs
    await new Promise((r) => setTimeout(r, 10)); // registry write is async
    expect(h.master.agents.has(agent.id)).toBe(false);
    expect(h.master.unreachableAgents.has(agent.id)).toBe(true);
    const update = sink.of("UPDATE").find((e) => e.update.status.task_id.value === "t1")!;
    expect(update.update.status.state).toBe("TASK_UNREACHABLE");
    expect(update.update.status.reason).toBe("REASON_AGENT_REMOVED");
    expect(sink.of("FAILURE")[0]!.failure.agent_id!.value).toBe(agent.id);
    expect(h.registry.agents.get(agent.id)!.state).toBe("UNREACHABLE");
  });

  it("loses tasks of non-checkpointing frameworks when the agent disconnects", async () => {
    h = await startHarness();
    const { agent, link } = await registerFakeAgent(h);
    const { sink, framework } = subscribeFramework(h, frameworkInfo({ checkpoint: false }));
    h.clock.advance(1000);
    const [offer] = offersOf(sink);
    launch(h, framework!.id, offer!, [task(offer!, "t1")]);
    agentDisconnected(h.master, agent, link);
    const update = sink.of("UPDATE").find((e) => e.update.status.task_id.value === "t1")!;
    expect(update.update.status.state).toBe("TASK_LOST");
    expect(update.update.status.reason).toBe("REASON_AGENT_DISCONNECTED");
  });
});
