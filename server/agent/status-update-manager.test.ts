import { describe, expect, it } from "vitest";
import type { StatusUpdateMessage } from "../protocol/internal";
import type { TaskState } from "../protocol/mesos";
import type { UpdateRecord } from "./checkpoint";
import { ManualClock } from "./clock";
import { silentLogger } from "./log";
import { makeStatusUpdate } from "./status";
import { StatusUpdateManager } from "./status-update-manager";

function harness(retryMinMs = 10_000, retryMaxMs = 80_000) {
  const clock = new ManualClock();
  const forwarded: StatusUpdateMessage[] = [];
  const journal = new Map<string, UpdateRecord[]>();
  const closed: string[] = [];
  const sum = new StatusUpdateManager({
    forward: (u) => forwarded.push(u),
    journal: { append: (fw, task, record) => void journal.set(`${fw}/${task}`, [...(journal.get(`${fw}/${task}`) ?? []), record]) },
    retryMinMs,
    retryMaxMs,
    now: () => clock.now(),
    log: silentLogger,
    onStreamClosed: (_fw, task) => closed.push(task),
  });
  const update = (task: string, state: TaskState) =>
    makeStatusUpdate({ frameworkId: "fw", agentId: "a1", taskId: task, executorId: task, state, source: "SOURCE_EXECUTOR" });
  return { clock, forwarded, journal, closed, sum, update };
}

const states = (list: StatusUpdateMessage[]) => list.map((u) => u.status.state);

describe("StatusUpdateManager", () => {
  it("forwards only the head of each stream, in order, with latest_state", async () => {
    const { sum, forwarded, update } = harness();
    const starting = update("t1", "TASK_STARTING");
    const running = update("t1", "TASK_RUNNING");
    const finished = update("t1", "TASK_FINISHED");
    await sum.update(starting);
    await sum.update(running);
    await sum.update(finished);
    expect(states(forwarded)).toEqual(["TASK_STARTING"]);
    // The head goes out while later updates were queued: latest_state reports the newest.
    await sum.update(update("t2", "TASK_RUNNING"));
    expect(forwarded.map((u) => u.status.task_id.value)).toEqual(["t1", "t2"]);

    expect(await sum.acknowledge("fw", "t1", starting.status.uuid!)).toBe("acknowledged");
    expect(states(forwarded)).toEqual(["TASK_STARTING", "TASK_RUNNING", "TASK_RUNNING"]);
    expect(forwarded[2]!.latest_state).toBe("TASK_FINISHED");
    await sum.acknowledge("fw", "t1", running.status.uuid!);
    expect(forwarded[3]!.status.state).toBe("TASK_FINISHED");
  });

  it("retries the head with doubling backoff, capped, until acknowledged", async () => {
    const { sum, forwarded, clock, update } = harness(10_000, 40_000);
    const running = update("t1", "TASK_RUNNING");
    await sum.update(running);
    const sentAt = () => forwarded.length;
    // Retries at +10s, +20s, +40s, then every 40s (cap). sum.tick is the shared timer's job.
    const retryTimes: number[] = [];
    const start = clock.now();
    for (let t = 0; t <= 150_000; t += 1000) {
      clock.advance(1000);
      const before = sentAt();
      sum.tick();
      if (sentAt() > before) retryTimes.push((clock.now() - start) / 1000);
    }
    expect(retryTimes).toEqual([10, 30, 70, 110, 150]);
    expect(sum.counters.retried).toBe(5);
    await sum.acknowledge("fw", "t1", running.status.uuid!);
    clock.advance(100_000);
    sum.tick();
    expect(forwarded).toHaveLength(6);
  });

  it("ignores duplicate and stale acknowledgements, and duplicate updates", async () => {
    const { sum, forwarded, update } = harness();
    const running = update("t1", "TASK_RUNNING");
    const killed = update("t1", "TASK_KILLED");
    await sum.update(running);
    await sum.update(running); // same uuid again
    await sum.update(killed);
    expect(sum.counters.duplicateUpdates).toBe(1);
    expect(await sum.acknowledge("fw", "t1", killed.status.uuid!)).toBe("unknown"); // not the head yet
    expect(await sum.acknowledge("fw", "t1", running.status.uuid!)).toBe("acknowledged");
    expect(await sum.acknowledge("fw", "t1", running.status.uuid!)).toBe("duplicate");
    expect(await sum.acknowledge("fw", "nope", running.status.uuid!)).toBe("unknown");
    expect(sum.counters).toMatchObject({ acknowledged: 1, duplicateAcks: 1, unknownAcks: 2 });
    expect(states(forwarded)).toEqual(["TASK_RUNNING", "TASK_KILLED"]);
  });

  it("closes the stream when the terminal update is acknowledged and refuses later updates", async () => {
    const { sum, closed, update, forwarded } = harness();
    const failed = update("t1", "TASK_FAILED");
    await sum.update(failed);
    await sum.update(update("t1", "TASK_RUNNING")); // after terminal: ignored
    expect(await sum.acknowledge("fw", "t1", failed.status.uuid!)).toBe("acknowledged");
    expect(closed).toEqual(["t1"]);
    expect(sum.hasStream("fw", "t1")).toBe(false);
    expect(states(forwarded)).toEqual(["TASK_FAILED"]);
  });

  it("journals updates and acks, and recovers the unacknowledged tail from the journal", async () => {
    const { sum, journal, update } = harness();
    const file = "fw/t1";
    const starting = update("t1", "TASK_STARTING");
    const running = update("t1", "TASK_RUNNING");
    await sum.update(starting, { checkpoint: true });
    await sum.update(running, { checkpoint: true });
    await sum.acknowledge("fw", "t1", starting.status.uuid!);
    expect(journal.get(file)).toEqual([{ update: starting }, { update: running }, { ack: starting.status.uuid }]);

    const restarted = harness();
    const pending = restarted.sum.recover("fw", "t1", journal.get(file)!, { checkpoint: true });
    expect(pending.map((u) => u.status.uuid)).toEqual([running.status.uuid]);
    expect(restarted.forwarded).toHaveLength(0); // nothing until (re)registration
    restarted.sum.flush();
    expect(restarted.forwarded.map((u) => u.status.uuid)).toEqual([running.status.uuid]);
    expect(await restarted.sum.acknowledge("fw", "t1", starting.status.uuid!)).toBe("duplicate");
  });

  it("does not journal streams of non-checkpointing frameworks, and lists what compaction keeps", () => {
    const { sum, journal, update } = harness();
    const a = update("t1", "TASK_STARTING");
    const b = update("t1", "TASK_RUNNING");
    sum.update(a, { checkpoint: true });
    sum.update(b, { checkpoint: true });
    sum.update(update("t2", "TASK_RUNNING"));
    expect([...journal.keys()]).toEqual(["fw/t1"]);
    sum.acknowledge("fw", "t1", a.status.uuid!);
    expect([...sum.liveRecords()]).toEqual([{ frameworkId: "fw", taskId: "t1", records: [{ update: a }, { ack: a.status.uuid }, { update: b }] }]);
  });

  it("drops every stream of a removed framework", async () => {
    const { sum, update } = harness();
    await sum.update(update("t1", "TASK_RUNNING"));
    sum.removeFramework("fw");
    expect(sum.pendingStreams).toBe(0);
  });
});
