// The default executor's state machine with fake processes, HTTP and timers.
import { describe, expect, it } from "vitest";
import type { TaskInfo, TaskStatus } from "../../protocol/mesos";
import { DefaultExecutor, type ChildExit, type ExecutorIo } from "./executor";

class FakeIo implements ExecutorIo {
  posted: Record<string, unknown>[] = [];
  signals: { pid: number; signal: NodeJS.Signals }[] = [];
  exits = new Map<number, (exit: ChildExit) => void>();
  timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  now = 0;
  exitCode: number | undefined;
  private nextPid = 100;
  pids = new Map<string, number>();

  async post(call: Record<string, unknown>): Promise<number> {
    this.posted.push(call);
    return 202;
  }
  prepareSandbox(taskId: string, containerId: string): string {
    return `/sandbox/containers/${containerId}/${taskId}`;
  }
  spawn(argv: string[], cwd: string, _env: Record<string, string>, onExit: (exit: ChildExit) => void) {
    const pid = this.nextPid++;
    this.exits.set(pid, onExit);
    this.pids.set(cwd.split("/").pop()!, pid);
    return { pid, signal: (signal: NodeJS.Signals) => this.signals.push({ pid, signal }) };
  }
  setTimeout(fn: () => void, ms: number) {
    const timer = { at: this.now + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }
  advance(ms: number): void {
    this.now += ms;
    for (const t of this.timers.filter((t) => !t.cancelled && t.at <= this.now)) {
      t.cancelled = true;
      t.fn();
    }
  }
  exit(code: number): void {
    this.exitCode ??= code;
  }
  log(): void {}

  end(taskId: string, exit: ChildExit): void {
    this.exits.get(this.pids.get(taskId)!)!(exit);
  }
  statuses(taskId?: string): TaskStatus[] {
    return this.posted
      .filter((c) => c.type === "UPDATE")
      .map((c) => (c.update as { status: TaskStatus }).status)
      .filter((s) => taskId === undefined || s.task_id.value === taskId);
  }
  states(taskId: string): string[] {
    return this.statuses(taskId).map((s) => s.state);
  }
}

const task = (id: string, extra: Partial<TaskInfo> = {}): TaskInfo => ({
  name: id, task_id: { value: id }, agent_id: { value: "a1" }, command: { value: `run ${id}` }, resources: [], ...extra,
});

const flush = () => new Promise((r) => setImmediate(r));

function start(capabilities: string[] = []) {
  const io = new FakeIo();
  const ex = new DefaultExecutor(io, { MESOS_FRAMEWORK_ID: "fw" }, 5000);
  ex.onEvent({
    type: "SUBSCRIBED",
    subscribed: { executor_info: { executor_id: { value: "e" } }, framework_info: { user: "u", name: "f", id: { value: "fw" }, capabilities: capabilities.map((type) => ({ type })) } as never, agent_info: {}, container_id: { value: "parent" } },
  });
  return { io, ex };
}

async function ackAll(io: FakeIo, ex: DefaultExecutor): Promise<void> {
  await flush();
  for (const s of io.statuses()) ex.onEvent({ type: "ACKNOWLEDGED", acknowledged: { task_id: s.task_id, uuid: s.uuid! } });
}

describe("default executor", () => {
  it("runs each task of a group: STARTING, RUNNING with a nested container id, FINISHED on exit 0", async () => {
    const { io, ex } = start();
    ex.onEvent({ type: "LAUNCH_GROUP", launch_group: { task_group: { tasks: [task("a"), task("b")] } } });
    expect(io.states("a")).toEqual(["TASK_STARTING", "TASK_RUNNING"]);
    const running = io.statuses("a")[1]! as TaskStatus & { container_status: { container_id: { parent: { value: string } } } };
    expect(running.container_status.container_id.parent.value).toBe("parent");
    io.end("a", { code: 0, signal: null });
    expect(io.states("a")).toEqual(["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"]);
    expect(io.states("b")).toEqual(["TASK_STARTING", "TASK_RUNNING"]); // a finished task leaves its group running
    expect(io.signals).toEqual([]);
  });

  it("a failed task kills its siblings with SIGTERM, then SIGKILL after the grace period", async () => {
    const { io, ex } = start();
    ex.onEvent({ type: "LAUNCH_GROUP", launch_group: { task_group: { tasks: [task("a"), task("b", { kill_policy: { grace_period: { nanoseconds: 2e9 } } })] } } });
    ex.onEvent({ type: "LAUNCH_GROUP", launch_group: { task_group: { tasks: [task("other")] } } });
    io.end("a", { code: 2, signal: null });
    expect(io.statuses("a").at(-1)).toMatchObject({ state: "TASK_FAILED", message: "Command exited with status 2" });
    const b = io.pids.get("b")!;
    expect(io.signals).toEqual([{ pid: b, signal: "SIGTERM" }]);
    io.advance(1999);
    expect(io.signals).toHaveLength(1);
    io.advance(1);
    expect(io.signals).toEqual([{ pid: b, signal: "SIGTERM" }, { pid: b, signal: "SIGKILL" }]);
    io.end("b", { code: null, signal: "SIGKILL" });
    expect(io.statuses("b").at(-1)).toMatchObject({ state: "TASK_KILLED" });
    expect(io.statuses("b").at(-1)!.message).toContain("Task a in its group failed");
    // Another group is not touched.
    expect(io.states("other")).toEqual(["TASK_STARTING", "TASK_RUNNING"]);
  });

  it("KILL kills the whole group; TASK_KILLING first for frameworks that asked for it; kill_policy overrides", async () => {
    const { io, ex } = start(["TASK_KILLING_STATE"]);
    ex.onEvent({ type: "LAUNCH_GROUP", launch_group: { task_group: { tasks: [task("a"), task("b")] } } });
    ex.onEvent({ type: "KILL", kill: { task_id: { value: "a" }, kill_policy: { grace_period: { nanoseconds: 0 } } } });
    expect(io.states("a").at(-1)).toBe("TASK_KILLING");
    expect(io.signals.find((s) => s.pid === io.pids.get("a"))?.signal).toBe("SIGKILL");
    expect(io.signals.find((s) => s.pid === io.pids.get("b"))?.signal).toBe("SIGTERM"); // b: the default 3 s grace
    io.end("a", { code: null, signal: "SIGKILL" });
    io.end("b", { code: null, signal: "SIGTERM" });
    expect(io.states("a").at(-1)).toBe("TASK_KILLED");
    expect(io.states("b").at(-1)).toBe("TASK_KILLED");
  });

  it("enforces max_completion_time", async () => {
    const { io, ex } = start();
    ex.onEvent({ type: "LAUNCH_GROUP", launch_group: { task_group: { tasks: [task("slow", { max_completion_time: { nanoseconds: 5e9 } })] } } });
    io.advance(5000);
    expect(io.signals[0]?.signal).toBe("SIGKILL");
    io.end("slow", { code: null, signal: "SIGKILL" });
    expect(io.statuses("slow").at(-1)).toMatchObject({ state: "TASK_FAILED", reason: "REASON_MAX_COMPLETION_TIME_REACHED" });
  });

  it("exits only when no task is live and every update was acknowledged; re-subscription carries what is unacknowledged", async () => {
    const { io, ex } = start();
    ex.onEvent({ type: "LAUNCH_GROUP", launch_group: { task_group: { tasks: [task("a")] } } });
    const sub = ex.subscribeCall().subscribe as { unacknowledged_tasks: TaskInfo[]; unacknowledged_updates: unknown[] };
    expect(sub.unacknowledged_tasks.map((t) => t.task_id.value)).toEqual(["a"]);
    expect(sub.unacknowledged_updates).toHaveLength(2);
    io.end("a", { code: 0, signal: null });
    io.advance(5000);
    expect(io.exitCode).toBeUndefined(); // TASK_FINISHED not acknowledged yet
    await ackAll(io, ex);
    io.advance(1000);
    expect(io.exitCode).toBe(0);
  });

  it("SHUTDOWN kills every task within the shutdown grace period and exits", async () => {
    const { io, ex } = start();
    ex.onEvent({ type: "LAUNCH_GROUP", launch_group: { task_group: { tasks: [task("a"), task("b")] } } });
    ex.onEvent({ type: "SHUTDOWN" });
    expect(io.signals.map((s) => s.signal)).toEqual(["SIGTERM", "SIGTERM"]);
    io.advance(3000);
    expect(io.signals.filter((s) => s.signal === "SIGKILL")).toHaveLength(2);
    io.end("a", { code: null, signal: "SIGKILL" });
    io.end("b", { code: null, signal: "SIGKILL" });
    expect(io.states("a").at(-1)).toBe("TASK_KILLED");
    await ackAll(io, ex);
    io.advance(0);
    expect(io.exitCode).toBe(0);
  });
});
