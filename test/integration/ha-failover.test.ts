// High availability end to end (issue #6, §5): ZooKeeper and PostgreSQL started here, 3 masters
// as child processes (`plateau master --zk=… --registry=postgresql://…`), 2 agents following the
// leader through ZooKeeper, and a framework launching 200 short tasks through SchedulerClient
// (zk:// URL). The leader is SIGKILLed mid-launch; timings are measured and printed. A second
// test SIGSTOPs a leader past its session timeout and shows, from a PostgreSQL audit trigger,
// that it makes no registry write once the next leader has taken over.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Offer, TaskStatus } from "../../server/protocol/mesos";
import { isTerminalState } from "../../server/protocol/mesos";
import { SchedulerClient } from "../../server/cli/scheduler-client";
import { execute } from "../../server/cli/execute";
import { startTestAgent, type TestAgent } from "../../server/testing/cluster";
import { electionsOf, getJson, operatorCall, startMasterChild, waitForLeader, type MasterChild } from "../../server/testing/ha-cluster";
import { waitUntil } from "../../server/testing/ports";
import { useHaServices } from "./ha-services";
import { Resources } from "../../server/resources";
import WebSocket from "ws";

const SESSION_TIMEOUT_MS = 2000;
const WORK_ITEMS = 200;
const TASK = { command: "sleep 0.3", resources: "cpus:0.1;mem:32" };

const ha = useHaServices();
const { stops } = ha;

async function startMasters(db: string, count: number, extra: string[] = []): Promise<MasterChild[]> {
  await ha.pg.createDatabase(db);
  const masters = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      startMasterChild({
        name: `m${i}`,
        zk: ha.zk.url(`/${db}`),
        registry: `${ha.pg.url(db)}?application_name=m${i}`,
        zkSessionTimeoutMs: SESSION_TIMEOUT_MS,
        extra: ["--allocation_interval=100ms", "--agent_reregister_timeout=1mins", "--agent_ping_timeout=1secs", ...extra],
      }),
    ),
  );
  for (const m of masters) stops.push(() => m.stop());
  return masters;
}

async function startAgents(db: string, count: number): Promise<TestAgent[]> {
  const agents = await Promise.all(
    Array.from({ length: count }, () => startTestAgent(ha.zk.url(`/${db}`), { resources: "cpus:4;mem:4096;disk:10000;ports:[31000-32000]", extra: [`--zk_session_timeout=${SESSION_TIMEOUT_MS}ms`] })),
  );
  for (const a of agents) stops.push(() => a.stop({ killTasks: true }));
  return agents;
}

async function metric(port: number, name: string): Promise<number | undefined> {
  try {
    return (await getJson<Record<string, number>>(port, "/metrics/snapshot"))[name];
  } catch {
    return undefined;
  }
}

/** Task ids launched on an agent, counted from its checkpointed runs (a task run twice counts 2). */
function runsPerTask(workDir: string, into: Map<string, number>): void {
  const stack = [path.join(workDir, "meta", "slaves")];
  while (stack.length) {
    const dir = stack.pop()!;
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === "latest") continue;
      const full = path.join(dir, entry.name);
      if (path.basename(dir) === "tasks") into.set(entry.name, (into.get(entry.name) ?? 0) + 1);
      else stack.push(full);
    }
  }
}

interface Observed {
  statuses: TaskStatus[];
  terminal: Set<string>;
  agentId?: string;
  /** The ACCEPT carrying it was answered (or failed): reconciling it can no longer overtake it. */
  settled: boolean;
}

describe("high availability: 3 masters, ZooKeeper, PostgreSQL", () => {
  it("survives SIGKILL of the leader mid-launch: new leader, agents and framework back, every task accounted for", async () => {
    const masters = await startMasters("failover", 3);
    const leader = await waitForLeader(masters, 30_000);
    const agents = await startAgents("failover", 2);
    await waitUntil(async () => (await metric(leader.port, "master/slaves_connected")) === 2, 30_000, "2 agents registered");

    // `plateau execute --master=zk://…` with a task that outlives the leader.
    const executeLines: string[] = [];
    const executed = execute({
      master: ha.zk.url("/failover"), name: "through-failover", command: "sleep 4", resources: "cpus:0.1;mem:32", frameworkName: "plateau-execute",
      role: "*", user: "root", shell: true, checkpoint: true, partitionAware: true, zkSessionTimeoutMs: SESSION_TIMEOUT_MS, timeoutMs: 60_000,
      print: (line) => executeLines.push(line),
    });
    await waitUntil(() => executeLines.some((l) => l.startsWith("TASK_RUNNING")), 20_000, "plateau execute's task running");

    // The framework: work items w0..w199; each launch gets a fresh task id (w17.1, w17.2 …).
    const client = new SchedulerClient(ha.zk.url("/failover"), { user: "root", name: "ha-failover", failover_timeout: 300, checkpoint: true, capabilities: [{ type: "PARTITION_AWARE" }] }, { zkSessionTimeoutMs: SESSION_TIMEOUT_MS, keepEvents: false });
    stops.push(() => client.close());
    const pending = Array.from({ length: WORK_ITEMS }, (_, i) => `w${i}`);
    const attempts = new Map<string, number>();
    const tasks = new Map<string, Observed>();
    const done = new Map<string, string>(); // work item → task id that finished it
    const relaunched: string[] = [];
    const acks = { sent: 0, accepted: 0, failed: 0 };
    let subscribedAt: number[] = [];
    const workOf = (taskId: string) => taskId.slice(0, taskId.indexOf("."));

    const launchFrom = (offer: Offer) => {
      let available = Resources.from(offer.resources);
      const want = Resources.parse(TASK.resources).allocate(offer.allocation_info.role);
      const infos: Array<Record<string, unknown> & { task_id: { value: string } }> = [];
      while (pending.length > 0 && available.contains(want) && infos.length < 25) {
        const work = pending.shift()!;
        const n = (attempts.get(work) ?? 0) + 1;
        attempts.set(work, n);
        const taskId = `${work}.${n}`;
        tasks.set(taskId, { statuses: [], terminal: new Set(), agentId: offer.agent_id.value, settled: false });
        infos.push({ name: taskId, task_id: { value: taskId }, agent_id: offer.agent_id, resources: want.toArray(), command: { value: TASK.command } });
        available = available.subtract(want);
      }
      const call = infos.length > 0
        ? { type: "ACCEPT", accept: { offer_ids: [offer.id], operations: [{ type: "LAUNCH", launch: { task_infos: infos } }], filters: { refuse_seconds: 0 } } }
        : { type: "DECLINE", decline: { offer_ids: [offer.id], filters: { refuse_seconds: 1 } } };
      // A call lost with the dead leader is settled by reconciliation below.
      const settle = () => {
        for (const info of infos) tasks.get(info.task_id.value)!.settled = true;
      };
      void client.call(call).then(settle, settle);
    };

    client.on("SUBSCRIBED", () => subscribedAt.push(Date.now()));
    client.on("OFFERS", (e) => {
      for (const offer of e.offers.offers) launchFrom(offer);
    });
    let staleReconciliations = 0;
    client.on("UPDATE", (e) => {
      const s: TaskStatus = e.update.status;
      const taskId = s.task_id.value;
      const t = tasks.get(taskId);
      if (!t) return;
      t.statuses.push(s);
      if (s.uuid && s.agent_id) {
        acks.sent++;
        client.call({ type: "ACKNOWLEDGE", acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } }).then(
          (r) => (r.status === 202 ? acks.accepted++ : acks.failed++),
          () => acks.failed++,
        );
      }
      if (!isTerminalState(s.state) || t.terminal.has(s.state)) return;
      // A RECONCILE sent just before the task's terminal update arrived is answered after the
      // master forgot the (acknowledged, completed) task: "unknown" (TASK_GONE), as Mesos answers.
      // A stale answer, not a second end of the task.
      if (t.terminal.size > 0 && s.source === "SOURCE_MASTER" && s.reason === "REASON_RECONCILIATION") {
        staleReconciliations++;
        return;
      }
      t.terminal.add(s.state);
      const work = workOf(taskId);
      if (s.state === "TASK_FINISHED") {
        if (!done.has(work)) done.set(work, taskId);
      } else if (["TASK_LOST", "TASK_DROPPED", "TASK_GONE"].includes(s.state) && !done.has(work)) {
        relaunched.push(`${taskId} ${s.state} (${s.reason ?? "-"})`);
        pending.push(work); // the launch was lost with the old leader: launch the work again
      }
    });
    await client.subscribe();
    const frameworkId = client.frameworkId!;

    // Kill the leader in the middle of the launches.
    await waitUntil(() => tasks.size >= 100, 30_000, "100 tasks launched");
    const killedAt = Date.now();
    leader.signal("SIGKILL");
    const launchedBeforeKill = tasks.size;

    // Re-subscribe with the framework id as soon as the stream breaks.
    const resubscribed = new Promise<void>((resolve, reject) => {
      client.once("disconnected", () => client.subscribe().then(() => resolve(), reject));
    });
    const survivors = masters.filter((m) => m !== leader);
    const next = await waitForLeader(survivors, SESSION_TIMEOUT_MS + 10_000, 20);
    const leaderAt = Date.now();
    await waitUntil(async () => (await metric(next.port, "master/slaves_connected")) === 2, 20_000, "agents re-registered", 20);
    const agentsAt = Date.now();
    await resubscribed;
    const resubscribedAt = subscribedAt.at(-1)!;

    // Reconcile launches whose fate went down with the old leader, until every work item is done.
    const reconcile = setInterval(() => {
      const open = [...tasks].filter(([, t]) => t.settled && !t.statuses.some((s) => isTerminalState(s.state)));
      if (open.length > 0) void client.call({ type: "RECONCILE", reconcile: { tasks: open.map(([id, t]) => ({ task_id: { value: id }, agent_id: { value: t.agentId! } })) } }).catch(() => {});
    }, 1000);
    stops.push(async () => clearInterval(reconcile));
    await waitUntil(() => done.size === WORK_ITEMS, 60_000, `all ${WORK_ITEMS} work items finished (${done.size} so far)`, 100);
    // Every agent-generated update is acknowledged: no task waits on an ack, at the master or on the agents.
    await waitUntil(async () => {
      const r = await operatorCall<{ get_tasks: { tasks?: unknown[] } }>(next.port, { type: "GET_TASKS" });
      return r.status === 200 && (r.body?.get_tasks.tasks ?? []).length === 0;
    }, 20_000, "no task left unacknowledged at the master", 100);
    await waitUntil(async () => {
      for (const a of agents) {
        const state = await getJson<{ frameworks: { executors: { tasks: unknown[]; queued_tasks: unknown[] }[] }[] }>(a.port, "/state");
        if (state.frameworks.some((f) => f.executors.some((e) => e.tasks.length + e.queued_tasks.length > 0))) return false;
      }
      return true;
    }, 20_000, "no unacknowledged update on the agents", 100);
    clearInterval(reconcile);

    const newLeaderMs = leaderAt - killedAt;
    const agentsMs = agentsAt - leaderAt;
    // (The framework may re-subscribe before the 20 ms poll above notices the new leader: 0.)
    const frameworkMs = Math.max(0, resubscribedAt - leaderAt);
    const states = new Map<string, number>();
    for (const t of tasks.values()) for (const s of t.terminal) states.set(s, (states.get(s) ?? 0) + 1);
    console.log(
      `[ha-failover] session timeout ${SESSION_TIMEOUT_MS} ms; killed leader ${leader.name} after ${launchedBeforeKill} launches; ` +
        `new leader ${next.name} after ${newLeaderMs} ms; agents re-registered ${agentsMs} ms later; framework re-subscribed ${frameworkMs} ms later; ` +
        `${tasks.size} task ids for ${WORK_ITEMS} work items; terminal states ${JSON.stringify(Object.fromEntries(states))} (+${staleReconciliations} stale reconciliation answers); ` +
        `acks sent ${acks.sent}, accepted ${acks.accepted}, failed ${acks.failed}; relaunched: ${relaunched.join(", ") || "none"}; ` +
        `plateau execute: ${executeLines.join(" | ")}`,
    );

    expect(newLeaderMs).toBeLessThanOrEqual(SESSION_TIMEOUT_MS + 2000);
    expect(agentsMs).toBeLessThanOrEqual(5000);
    expect(frameworkMs).toBeLessThanOrEqual(5000);
    expect(client.frameworkId).toBe(frameworkId);
    // Every task id ends in exactly one terminal state; every work item finished exactly once.
    for (const [id, t] of tasks) {
      expect(t.terminal.size, `${id}: ${t.statuses.map((s) => `${s.state}/${s.source ?? "-"}/${s.reason ?? "-"}/${s.message ?? ""}`).join(" | ")}`).toBe(1);
    }
    expect(new Set(done.values()).size).toBe(WORK_ITEMS);
    for (const [work, taskId] of done) expect(tasks.get(taskId)!.terminal).toEqual(new Set(["TASK_FINISHED"]));
    const finishedIds = [...tasks].filter(([, t]) => t.terminal.has("TASK_FINISHED")).map(([id]) => workOf(id));
    expect(finishedIds.length).toBe(new Set(finishedIds).size); // no work item finished twice
    // No task id ran twice: one run per task id across both agents' checkpoints, on one agent.
    const runs = new Map<string, number>();
    for (const a of agents) runsPerTask(a.workDir, runs);
    for (const [id, n] of runs) expect([id, n]).toEqual([id, 1]);
    // Launches reported lost in the failover never ran anywhere (the master's answer was true).
    for (const [id, t] of tasks) if (!t.terminal.has("TASK_FINISHED")) expect([id, runs.get(id) ?? 0]).toEqual([id, 0]);
    for (const [id, t] of tasks) {
      const agentsSeen = new Set(t.statuses.filter((s) => s.state === "TASK_RUNNING").map((s) => s.agent_id?.value));
      expect([id, agentsSeen.size <= 1]).toEqual([id, true]);
    }
    expect(acks.accepted).toBeGreaterThan(0);

    // plateau execute re-subscribed to the new leader and saw its task finish.
    expect(await executed).toBe(0);
    expect(executeLines.some((l) => l.startsWith("Re-subscribed"))).toBe(true);
    expect(executeLines.at(-1)).toMatch(/^TASK_FINISHED/);

    // The new leader's election is in the history, with the gap; followers redirect to it.
    const view = (await electionsOf(next.port))!;
    expect(view.role).toBe("leading");
    expect(view.elections.map((e) => e.epoch)).toEqual([1, 2]);
    expect(view.elections[1]!.reason).toMatch(/went away/);
    const follower = survivors.find((m) => m !== next)!;
    const redirect = await operatorCall(follower.port, { type: "GET_MASTER" });
    expect(redirect).toMatchObject({ status: 307, location: `//127.0.0.1:${next.port}/api/v1` });
    expect((await electionsOf(follower.port))!.role).toBe("contending");
  });

  it("a leader stopped past its session timeout makes no registry write after the next leader took over", async () => {
    const masters = await startMasters("fencing", 2, ["--metrics_sample_interval=300ms"]);
    const old = await waitForLeader(masters, 30_000);
    const other = masters.find((m) => m !== old)!;
    const [agent] = await startAgents("fencing", 1);
    await waitUntil(async () => (await metric(old.port, "master/slaves_connected")) === 1, 30_000, "agent registered");

    // Audit every registry row change with the writer's application_name and the epoch at the time.
    const { default: pgModule } = await import("pg");
    const db = new pgModule.Client({ connectionString: ha.pg.url("fencing") });
    await db.connect();
    stops.push(() => db.end());
    await db.query(`
      CREATE SCHEMA audit;
      CREATE TABLE audit.log (id bigserial PRIMARY KEY, app text, tbl text, op text, epoch int, at timestamptz DEFAULT clock_timestamp());
      CREATE FUNCTION audit.record() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO audit.log (app, tbl, op, epoch) VALUES (current_setting('application_name'), TG_TABLE_NAME, TG_OP, (SELECT epoch FROM "Leadership" WHERE id = 1));
          RETURN NULL;
        END $$;`);
    for (const table of ["Leadership", "RegistryAgent", "RegistryEntry", "TimelineEvent", "MetricSample", "ElectionRecord"]) {
      await db.query(`CREATE TRIGGER audit_${table} AFTER INSERT OR UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION audit.record()`);
    }
    await waitUntil(async () => Number((await db.query("SELECT count(*) AS n FROM audit.log WHERE app = $1", [old.name])).rows[0].n) > 0, 5000, "the leader writing (metric samples)");
    const oldEpoch = (await electionsOf(old.port))!.epoch!;

    // Freeze the leader past its session timeout; the other master takes over.
    const stoppedAt = Date.now();
    old.signal("SIGSTOP");
    await waitForLeader([other], SESSION_TIMEOUT_MS + 10_000, 20);
    const takeoverMs = Date.now() - stoppedAt;
    const claim = (await db.query("SELECT min(id) AS id FROM audit.log WHERE app = $1 AND tbl = 'Leadership' AND epoch > $2", [other.name, oldEpoch])).rows[0].id as string;
    expect(claim).not.toBeNull();

    // Queue work for the frozen leader that would write if it still believed it led: an agent
    // registration and an operator call that persists weights.
    const ws = new WebSocket(`ws://${old.address}/internal/agent`);
    const wsOutcome = new Promise<string>((resolve) => {
      ws.on("open", () => ws.send(JSON.stringify({ type: "REGISTER_AGENT", protocol_version: 1, agent_info: { hostname: "intruder", port: 1, resources: [], attributes: [] }, version: "1.11.0", capabilities: [], endpoint: "127.0.0.1:1" })));
      ws.on("message", (d) => resolve(`message ${String(d).slice(0, 120)}`));
      ws.on("unexpected-response", (_req, res) => resolve(`HTTP ${res.statusCode}`));
      ws.on("error", (err) => resolve(`error ${err.message}`));
      ws.on("close", () => resolve("closed"));
    });
    const weights = operatorCall(old.port, { type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "intruder", weight: 5 }] } });
    await new Promise((r) => setTimeout(r, 300));
    old.signal("SIGCONT");
    const resumedAt = Date.now();

    const weightsAnswer = await weights;
    const wsAnswer = await wsOutcome;
    ws.terminate();
    const view = await waitUntil(async () => {
      const v = await electionsOf(old.port);
      return v && v.fail_stops.length > 0 && v.role === "contending" ? v : null;
    }, 10_000, "the old leader to fail-stop and contend again");
    await new Promise((r) => setTimeout(r, 1000)); // anything still queued in the old process has run
    const late = (await db.query("SELECT tbl, op, epoch FROM audit.log WHERE app = $1 AND id > $2", [old.name, claim])).rows;
    const intruders = (await db.query(`SELECT count(*) AS n FROM "RegistryAgent" WHERE info LIKE '%intruder%'`)).rows[0].n;
    const weightsRow = (await db.query(`SELECT count(*) AS n FROM "RegistryEntry" WHERE value LIKE '%intruder%'`)).rows[0].n;
    const stopped = view.fail_stops.at(-1)!;
    console.log(
      `[ha-fencing] leader ${old.name} (epoch ${oldEpoch}) SIGSTOPped; ${other.name} leading after ${takeoverMs} ms; resumed after ${resumedAt - stoppedAt} ms; ` +
        `fail-stop: "${stopped.reason}"; old term writes ${JSON.stringify(stopped.registry_writes)}; ` +
        `queued UPDATE_WEIGHTS answered ${weightsAnswer.status}${weightsAnswer.location ? ` → ${weightsAnswer.location}` : ""}; queued agent registration: ${wsAnswer}; ` +
        `audit rows by ${old.name} after the takeover: ${late.length}`,
    );
    expect(takeoverMs).toBeLessThanOrEqual(SESSION_TIMEOUT_MS + 2000);
    expect(late).toEqual([]);
    expect(Number(intruders)).toBe(0);
    expect(Number(weightsRow)).toBe(0);
    expect(weightsAnswer.status).not.toBe(200);
    expect(stopped.registry_writes.refused_locally + stopped.registry_writes.fenced_by_store).toBeGreaterThan(0);
    expect(view.master_info.id).not.toBe(stopped.master_id); // a fresh core contends again
    const otherId = (await electionsOf(other.port))!.master_info.id;
    await waitUntil(async () => (await electionsOf(old.port))?.leader_info?.id === otherId, 5000, "the old leader to follow the new one");
    void agent;
  });

  it("a leader cut off from ZooKeeper stops leading within the session timeout; leadership resumes with ZooKeeper", async () => {
    const masters = await startMasters("zkpause", 2);
    const first = await waitForLeader(masters, 30_000);
    const epoch = (await electionsOf(first.port))!.epoch!;
    const pausedAt = Date.now();
    ha.zk.pause(); // every session is cut off; the masters' HTTP servers keep answering
    const stoppedLeading = await waitUntil(async () => {
      const v = await electionsOf(first.port);
      return v && v.role !== "leading" ? Date.now() : null;
    }, SESSION_TIMEOUT_MS + 5000, "the leader to stop leading", 20);
    // Once their sessions are lost too, nobody knows a leader: every master answers 503.
    const noLeaderMs = (await waitUntil(async () => {
      const answers = await Promise.all(masters.map((m) => operatorCall(m.port, { type: "GET_MASTER" })));
      return answers.every((r) => r.status === 503) ? Date.now() : null;
    }, SESSION_TIMEOUT_MS + 2000, "every master to answer 503", 20)) - pausedAt;
    const views = await Promise.all(masters.map((m) => electionsOf(m.port)));
    ha.zk.resume();
    const again = await waitForLeader(masters, 30_000);
    const resumedMs = Date.now() - pausedAt;
    const newEpoch = (await electionsOf(again.port))!.epoch!;
    console.log(
      `[ha-zk-outage] leader ${first.name} stopped leading ${stoppedLeading - pausedAt} ms after ZooKeeper froze (session timeout ${SESSION_TIMEOUT_MS} ms): ` +
        `"${views[masters.indexOf(first)]!.fail_stops.at(-1)?.reason}"; roles during the outage ${views.map((v) => v?.role).join("/")}; no leader known anywhere after ${noLeaderMs} ms; ` +
        `${again.name} leading again ${resumedMs} ms after the freeze, epoch ${epoch} → ${newEpoch}`,
    );
    expect(stoppedLeading - pausedAt).toBeLessThanOrEqual(SESSION_TIMEOUT_MS + 500);
    expect(views.every((v) => v?.role === "disconnected")).toBe(true);
    expect(noLeaderMs).toBeLessThanOrEqual(SESSION_TIMEOUT_MS + 1000);
    expect(newEpoch).toBeGreaterThan(epoch);
  });
});
