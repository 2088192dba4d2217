// Maintenance across a master failover (ZooKeeper + PostgreSQL, 2 masters as child processes):
// a schedule and a drain started on the leader, the leader SIGKILLed right after the drain was
// accepted; the next leader has the schedule, keeps the agent deactivated (no offers from it),
// and completes the drain to DRAINED once the framework has acknowledged the terminal updates.
import { describe, expect, it } from "vitest";
import type { Offer } from "../../server/protocol/mesos";
import { isTerminalState } from "../../server/protocol/mesos";
import { SchedulerClient } from "../../server/cli/scheduler-client";
import { startTestAgent } from "../../server/testing/cluster";
import { getJson, operatorCall, startMasterChild, waitForLeader, type MasterChild } from "../../server/testing/ha-cluster";
import { waitUntil } from "../../server/testing/ports";
import { useHaServices } from "./ha-services";
import { Resources } from "../../server/resources";

const SESSION_TIMEOUT_MS = 2000;
const ha = useHaServices();
const { stops } = ha;

describe("maintenance across a master failover", () => {
  it("the next leader keeps the schedule and the drain, and completes it", async () => {
    await ha.pg.createDatabase("maint");
    const masters: MasterChild[] = await Promise.all(
      ["m0", "m1"].map((name) =>
        startMasterChild({ name, zk: ha.zk.url("/maint"), registry: `${ha.pg.url("maint")}?application_name=${name}`, zkSessionTimeoutMs: SESSION_TIMEOUT_MS, extra: ["--allocation_interval=100ms", "--agent_ping_timeout=1secs"] }),
      ),
    );
    for (const m of masters) stops.push(() => m.stop());
    const leader = await waitForLeader(masters, 30_000);
    const agent = await startTestAgent(ha.zk.url("/maint"), { resources: "cpus:4;mem:4096;disk:1000;ports:[31000-31100]", extra: [`--zk_session_timeout=${SESSION_TIMEOUT_MS}ms`, "--hostname=ha-node"] });
    stops.push(() => agent.stop({ killTasks: true }));

    const client = new SchedulerClient(ha.zk.url("/maint"), { user: "root", name: "maint-ha", failover_timeout: 300, checkpoint: true }, { zkSessionTimeoutMs: SESSION_TIMEOUT_MS });
    stops.push(() => client.close());
    const terminal = new Set<string>();
    let drainStarted = 0;
    const offersFromDrained: string[] = [];
    let agentId = "";
    client.on("UPDATE", (e) => {
      const s = e.update.status;
      if (isTerminalState(s.state)) terminal.add(s.task_id.value);
      if (s.uuid && s.agent_id) void client.call({ type: "ACKNOWLEDGE", acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } }).catch(() => {});
    });
    let launched = false;
    client.on("OFFERS", (e) => {
      for (const offer of e.offers.offers as Offer[]) {
        if (drainStarted && offer.agent_id.value === agentId) offersFromDrained.push(offer.id.value);
        if (launched) {
          void client.call({ type: "DECLINE", decline: { offer_ids: [offer.id], filters: { refuse_seconds: 0.2 } } }).catch(() => {});
          continue;
        }
        launched = true;
        agentId = offer.agent_id.value;
        const want = Resources.parse("cpus:0.1;mem:16").allocate(offer.allocation_info.role).toArray();
        const infos = Array.from({ length: 5 }, (_, i) => ({
          name: `h${i}`, task_id: { value: `h${i}` }, agent_id: offer.agent_id, resources: want,
          command: { value: "trap '' TERM; sleep 600" }, kill_policy: { grace_period: { nanoseconds: 60e9 } },
        }));
        void client.call({ type: "ACCEPT", accept: { offer_ids: [offer.id], operations: [{ type: "LAUNCH", launch: { task_infos: infos } }], filters: { refuse_seconds: 0 } } });
      }
    });
    client.on("disconnected", () => void client.subscribe().catch(() => {}));
    await client.subscribe();
    await waitUntil(async () => {
      const tasks = (await operatorCall<any>(leader.port, { type: "GET_TASKS" })).body?.get_tasks?.tasks ?? [];
      return tasks.filter((t: any) => t.state === "TASK_RUNNING").length === 5;
    }, 30_000, "5 running tasks");

    const schedule = { windows: [{ machine_ids: [{ hostname: "other-node", ip: "10.9.9.9" }], unavailability: { start: { nanoseconds: 1_900_000_000_000_000_000 } } }] };
    expect((await operatorCall(leader.port, { type: "UPDATE_MAINTENANCE_SCHEDULE", update_maintenance_schedule: { schedule } })).status).toBe(200);
    drainStarted = Date.now();
    expect((await operatorCall(leader.port, { type: "DRAIN_AGENT", drain_agent: { agent_id: { value: agentId }, max_grace_period: { seconds: 3 } } })).status).toBe(200);
    leader.signal("SIGKILL");

    const next = await waitForLeader(masters.filter((m) => m !== leader), SESSION_TIMEOUT_MS + 15_000);
    expect(await getJson(next.port, "/master/maintenance/schedule")).toEqual(schedule);
    const agentOnNext = async () => ((await operatorCall<any>(next.port, { type: "GET_AGENTS" })).body?.get_agents?.agents ?? []).find((a: any) => a.agent_info.id.value === agentId);
    const reregistered = await waitUntil(agentOnNext, 30_000, "agent re-registered with the new leader");
    expect(reregistered.deactivated).toBe(true);
    expect(["DRAINING", "DRAINED"]).toContain(reregistered.drain_info.state);
    const drained = await waitUntil(async () => ((await agentOnNext())?.drain_info?.state === "DRAINED" ? await agentOnNext() : null), 40_000, "DRAINED on the new leader");
    expect(drained).toMatchObject({ deactivated: true, drain_info: { state: "DRAINED", config: { max_grace_period: { nanoseconds: 3e9 } } } });
    expect(terminal.size).toBe(5);
    console.log(JSON.stringify({ bench: "drain-across-failover", tasks: 5, drained_after_ms: Date.now() - drainStarted }));
    expect(offersFromDrained).toEqual([]);
  }, 150_000);
});
