// The master's allocation loop with the hierarchical allocator: batched rounds every
// --allocation_interval, prompt rounds after events, --offer_timeout, recovery on decline, task
// end and rescind.
import { afterEach, describe, expect, it } from "vitest";
import { Resources } from "../resources";
import type { Offer } from "../protocol/mesos";
import { accept } from "./accept";
import { decline } from "./offers";
import { statusUpdate } from "./tasks";
import { agentStatus, frameworkInfo, registerFakeAgent, startHarness, subscribeFramework, type Harness } from "../testing/master-harness";

let h: Harness;
afterEach(() => h?.stopLoop());

function offersOf(sink: ReturnType<typeof subscribeFramework>["sink"]): Offer[] {
  return sink.of("OFFERS").flatMap((e) => e.offers.offers);
}

describe("allocation loop", () => {
  it("allocates promptly after a framework subscribes and an agent registers, batching same-tick events", async () => {
    h = await startHarness({ config: { allocationIntervalMs: 60_000 } });
    const { sink } = subscribeFramework(h);
    await registerFakeAgent(h);
    await registerFakeAgent(h);
    const runs = h.master.allocationRuns;
    h.clock.flush(); // 0 ms later, far from the 60 s interval
    expect(h.master.allocationRuns).toBe(runs + 1);
    expect(offersOf(sink)).toHaveLength(2);
  });

  it("re-offers a finished task's resources without waiting for the interval", async () => {
    h = await startHarness({ config: { allocationIntervalMs: 60_000 } });
    const { agent } = await registerFakeAgent(h, { resources: "cpus:2;mem:1024" });
    const { sink, framework } = subscribeFramework(h);
    h.clock.flush();
    const [offer] = offersOf(sink);
    const fw = h.master.frameworks.get(framework!.id)!;
    const task = { name: "t", task_id: { value: "t1" }, agent_id: offer!.agent_id, resources: Resources.parse("cpus:2;mem:1024").allocate("*").toArray(), command: { value: "true" } };
    accept(h.master, fw, { offer_ids: [offer!.id], operations: [{ type: "LAUNCH", launch: { task_infos: [task] } }] });
    h.clock.flush();
    sink.events.length = 0;
    statusUpdate(h.master, agent.id, { framework_id: { value: fw.id }, agent_id: { value: agent.id }, status: agentStatus("t1", "TASK_FINISHED") });
    h.clock.flush();
    expect(Resources.from(offersOf(sink)[0]!.resources).scalar("cpus")).toBe(2);
  });

  it("rescinds offers held longer than --offer_timeout and offers the resources again", async () => {
    h = await startHarness({ config: { offerTimeoutMs: 5000 } });
    await registerFakeAgent(h);
    const { sink } = subscribeFramework(h);
    h.clock.flush();
    const [offer] = offersOf(sink);
    h.clock.advance(4999);
    expect(sink.of("RESCIND")).toHaveLength(0);
    h.clock.advance(1);
    expect(sink.of("RESCIND")[0]!.rescind.offer_id.value).toBe(offer!.id.value);
    h.clock.flush();
    expect(offersOf(sink)).toHaveLength(2);
  });

  it("honours DECLINE filters, then REVIVE clears them", async () => {
    h = await startHarness();
    await registerFakeAgent(h);
    const { sink, framework } = subscribeFramework(h);
    h.clock.flush();
    const fw = h.master.frameworks.get(framework!.id)!;
    decline(h.master, fw, [offersOf(sink)[0]!.id.value], 3600);
    h.clock.advance(10_000);
    expect(offersOf(sink)).toHaveLength(1);
    // REVIVE as the scheduler endpoint handles it
    h.master.allocator.reviveOffers(fw.id, []);
    h.master.requestAllocation();
    h.clock.flush();
    expect(offersOf(sink)).toHaveLength(2);
  });

  it("offers one role per offer to a MULTI_ROLE framework, with allocation_info", async () => {
    h = await startHarness();
    await registerFakeAgent(h, { resources: "cpus(a):1;mem(a):64" });
    await registerFakeAgent(h, { resources: "cpus:1;mem:64" });
    const { sink } = subscribeFramework(h, frameworkInfo({ roles: ["a", "b"], capabilities: [{ type: "MULTI_ROLE" }] }));
    h.clock.flush();
    const offers = offersOf(sink);
    expect(offers.map((o) => o.allocation_info.role).sort()).toEqual(["a", "b"]);
    for (const o of offers) expect(o.resources.every((r) => r.allocation_info?.role === o.allocation_info.role)).toBe(true);
  });
});
