// Test fixture for the operator layer's unit tests: a harness master (manual clock, memory
// registry, fake agents and scheduler streams) with tasks in several states, driven through the
// master's own handlers.
import { Resources } from "../../resources";
import type { Offer, TaskState } from "../../protocol/mesos";
import { accept } from "../accept";
import { acknowledge, statusUpdate } from "../tasks";
import { agentStatus, frameworkInfo, registerFakeAgent, startHarness, subscribeFramework, type Harness } from "../../testing/master-harness";
import type { Framework } from "../state";

export interface Fixture {
  h: Harness;
  framework: Framework;
  agentIds: string[];
  /** Launches a task on the first offer for the given agent (or any). */
  launch(taskId: string, opts?: { agentId?: string; labels?: Record<string, string> }): void;
  /** Reports a state from the agent (reliable update with uuid); acknowledges it if asked. */
  update(taskId: string, state: TaskState, ack?: boolean): void;
  /** Acknowledges the task's pending update, if any. */
  ack(taskId: string): void;
  offers(): Offer[];
}

export async function startFixture(opts: { agents?: number } = {}): Promise<Fixture> {
  const h = await startHarness();
  h.master.electedTime = h.clock.now();
  const agentIds: string[] = [];
  for (let i = 0; i < (opts.agents ?? 2); i++) agentIds.push((await registerFakeAgent(h, { resources: "cpus:8;mem:8192;disk:1000;ports:[31000-32000]" })).agent.id);
  const { sink, framework } = subscribeFramework(h, frameworkInfo({ name: "fixture", failover_timeout: 3600, capabilities: [{ type: "PARTITION_AWARE" }], labels: { labels: [{ key: "team", value: "ops" }] } }));
  const fw = framework!;
  const offers = () => sink.of("OFFERS").flatMap((e) => e.offers.offers).filter((o) => h.master.offers.has(o.id.value));
  h.clock.advance(1000);
  return {
    h,
    framework: fw,
    agentIds,
    offers,
    launch(taskId, o = {}) {
      let offer = offers().find((x) => o.agentId === undefined || x.agent_id.value === o.agentId);
      if (!offer) {
        h.clock.advance(1000);
        offer = offers().find((x) => o.agentId === undefined || x.agent_id.value === o.agentId);
      }
      if (!offer) throw new Error("no offer");
      const labels = o.labels ? { labels: Object.entries(o.labels).map(([key, value]) => ({ key, value })) } : undefined;
      const task = {
        name: `name-${taskId}`,
        task_id: { value: taskId },
        agent_id: offer.agent_id,
        resources: Resources.parse("cpus:0.5;mem:64").allocate(offer.allocation_info.role).toArray(),
        command: { value: "sleep 100" },
        ...(labels ? { labels } : {}),
      };
      accept(h.master, fw, { offer_ids: [offer.id], operations: [{ type: "LAUNCH", launch: { task_infos: [task] } }], filters: { refuse_seconds: 0 } });
      h.clock.advance(1000);
    },
    update(taskId, state, ack = true) {
      const task = fw.tasks.get(taskId);
      if (!task) throw new Error(`unknown task ${taskId}`);
      const status = agentStatus(taskId, state, { agent_id: { value: task.agentId }, timestamp: h.clock.now() / 1000 });
      statusUpdate(h.master, task.agentId, { framework_id: { value: fw.id }, agent_id: { value: task.agentId }, status });
      if (ack) acknowledge(h.master, fw, { agent_id: { value: task.agentId }, task_id: { value: taskId }, uuid: status.uuid! });
    },
    ack(taskId) {
      const task = fw.tasks.get(taskId);
      if (task?.statusUpdateUuid) acknowledge(h.master, fw, { agent_id: { value: task.agentId }, task_id: { value: taskId }, uuid: task.statusUpdateUuid });
    },
  };
}
