// Metric names and values (operator-api.md §6) and the Prometheus text format.
import { afterEach, describe, expect, it } from "vitest";
import { startFixture, type Fixture } from "./test-fixture";
import { StateCache } from "./render/cache";
import { isCounter, metricsSnapshot, prometheusName, prometheusText, timerMetrics } from "./metrics";

let fx: Fixture;
afterEach(() => fx?.h.stopLoop());

const snapshot = (fx: Fixture) => metricsSnapshot({ m: fx.h.master, cache: new StateCache(fx.h.master), operatorSubscribers: 3 });

describe("metricsSnapshot", () => {
  it("has the standard master, allocator, registrar and system keys", async () => {
    fx = await startFixture();
    const s = snapshot(fx);
    const expected = [
      "master/elected", "master/uptime_secs", "master/slaves_active", "master/slaves_inactive", "master/slaves_connected",
      "master/slaves_disconnected", "master/slaves_unreachable", "master/slave_registrations", "master/slave_reregistrations",
      "master/slave_removals", "master/frameworks_active", "master/frameworks_inactive", "master/frameworks_connected",
      "master/frameworks_disconnected", "master/outstanding_offers", "master/tasks_staging", "master/tasks_starting",
      "master/tasks_running", "master/tasks_killing", "master/tasks_unreachable", "master/tasks_finished", "master/tasks_failed",
      "master/tasks_killed", "master/tasks_lost", "master/tasks_error", "master/tasks_dropped", "master/tasks_gone",
      "master/tasks_gone_by_operator", "master/messages_status_update", "master/messages_kill_task", "master/messages_register_framework",
      "master/valid_status_updates", "master/invalid_status_updates", "master/dropped_messages", "master/event_queue_messages",
      "master/operator_event_stream_subscribers", "allocator/mesos/allocation_runs", "allocator/mesos/resources/cpus/total",
      "allocator/mesos/resources/cpus/offered_or_allocated", "registrar/queued_operations", "system/cpus_total", "system/load_1min",
      "system/mem_total_bytes", "system/mem_free_bytes",
    ];
    for (const name of ["cpus", "mem", "disk", "gpus"]) for (const kind of ["total", "used", "percent", "revocable_total", "revocable_used", "revocable_percent"]) expected.push(`master/${name}_${kind}`);
    for (const key of expected) expect(s, key).toHaveProperty([key]);
    for (const value of Object.values(s)) expect(typeof value).toBe("number");
    expect(Object.keys(s)).toEqual([...Object.keys(s)].sort());
    expect(s["master/elected"]).toBe(1);
    expect(s["master/operator_event_stream_subscribers"]).toBe(3);
  });

  it("counts resources, tasks and terminal states from the master's state", async () => {
    fx = await startFixture();
    fx.launch("a");
    fx.update("a", "TASK_RUNNING");
    fx.launch("b");
    fx.update("b", "TASK_RUNNING");
    fx.update("b", "TASK_FINISHED");
    const s = snapshot(fx);
    expect(s["master/slaves_active"]).toBe(2);
    expect(s["master/cpus_total"]).toBe(16);
    expect(s["master/cpus_used"]).toBe(0.5);
    expect(s["master/cpus_percent"]).toBeCloseTo(0.5 / 16);
    expect(s["master/mem_used"]).toBe(64);
    expect(s["master/tasks_running"]).toBe(1);
    expect(s["master/tasks_finished"]).toBe(1);
    expect(s["master/task_finished/source_executor/reason_none"]).toBe(1);
    expect(s["master/frameworks_active"]).toBe(1);
    expect(s["master/messages_status_update"]).toBe(3);
    const prefix = `master/frameworks/fixture/${fx.framework.id}`;
    expect(s[`${prefix}/subscribed`]).toBe(1);
    expect(s[`${prefix}/tasks/active/task_running`]).toBe(1);
    expect(s[`${prefix}/tasks/terminal/task_finished`]).toBe(1);
  });
});

describe("timers", () => {
  it("report the last value, count, min, max and percentiles", () => {
    const out: Record<string, number> = {};
    timerMetrics(out, "allocator/mesos/allocation_run_ms", [5, 1, 3, 2, 4]);
    expect(out).toMatchObject({
      "allocator/mesos/allocation_run_ms": 4,
      "allocator/mesos/allocation_run_ms/count": 5,
      "allocator/mesos/allocation_run_ms/min": 1,
      "allocator/mesos/allocation_run_ms/max": 5,
      "allocator/mesos/allocation_run_ms/p50": 3,
      "allocator/mesos/allocation_run_ms/p99": 5,
    });
    const none: Record<string, number> = {};
    timerMetrics(none, "x", []);
    expect(none).toEqual({});
  });
});

describe("Prometheus text", () => {
  it("sanitises names, types counters and gauges, and keeps values", () => {
    expect(prometheusName("master/frameworks/my%20fw/abc-0001/calls/accept")).toBe("mesos_master_frameworks_my_20fw_abc_0001_calls_accept");
    expect(isCounter("master/tasks_finished")).toBe(true);
    expect(isCounter("master/tasks_running")).toBe(false);
    expect(isCounter("master/messages_kill_task")).toBe(true);
    expect(isCounter("allocator/mesos/allocation_run_ms/count")).toBe(true);
    const text = prometheusText({ "master/tasks_running": 3, "master/tasks_finished": 7, "master/cpus_percent": 0.25 });
    expect(text).toBe(
      [
        "# TYPE mesos_master_tasks_running gauge",
        "mesos_master_tasks_running 3",
        "# TYPE mesos_master_tasks_finished counter",
        "mesos_master_tasks_finished 7",
        "# TYPE mesos_master_cpus_percent gauge",
        "mesos_master_cpus_percent 0.25",
        "",
      ].join("\n"),
    );
    for (const line of text.trim().split("\n")) expect(line).toMatch(/^(# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge)|[a-zA-Z_:][a-zA-Z0-9_:]* -?[\d.e+-]+)$/);
  });
});

describe("task counts", () => {
  it("the sliced count equals the immediate one", async () => {
    const { countTasks, countTasksNow } = await import("./task-counts");
    fx = await startFixture();
    for (let i = 0; i < 4; i++) fx.launch(`c${i}`);
    fx.update("c0", "TASK_RUNNING");
    fx.update("c1", "TASK_FAILED");
    const now = countTasksNow(fx.h.master);
    expect(await countTasks(fx.h.master)).toEqual(now);
    expect(now.all).toEqual({ TASK_STAGING: 2, TASK_RUNNING: 1, TASK_FAILED: 1 });
    expect(now.active).toEqual({ TASK_STAGING: 2, TASK_RUNNING: 1 });
  });
});
