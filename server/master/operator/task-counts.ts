// Counting the master's tasks by state, for metrics and the periodic samples. On a large master
// (hundreds of thousands of tasks) a full count takes tens of ms, so the asynchronous form gives
// the event loop back every few ms; the count is then "as of" a short interval, which is what a
// gauge or a chart point means anyway.
import { isTerminalState, type TaskState } from "../../protocol/mesos";
import type { Master } from "../master";
import type { Task } from "../state";

export interface TaskCounts {
  /** Every task the master knows (active, unreachable and completed, of all frameworks), by state. */
  all: Partial<Record<TaskState, number>>;
  /** Tasks in the frameworks' active lists, by state (staging/starting/running/killing gauges). */
  active: Partial<Record<TaskState, number>>;
  unreachable: number;
  /** Registered frameworks: their tasks by state, non-terminal and terminal. */
  perFramework: Map<string, { active: Map<TaskState, number>; terminal: Map<TaskState, number> }>;
}

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
const SLICE_MS = 4;

/** The count as a generator that yields when it has worked SLICE_MS (resumable). */
function* tally(m: Master, out: TaskCounts): Generator<void> {
  let started = performance.now();
  let n = 0;
  const pause = function* () {
    if ((++n & 1023) === 0 && performance.now() - started > SLICE_MS) {
      yield;
      started = performance.now();
    }
  };
  const all = (t: Task) => (out.all[t.state] = (out.all[t.state] ?? 0) + 1);
  for (const fw of [...m.frameworks.values()]) {
    const counts = { active: new Map<TaskState, number>(), terminal: new Map<TaskState, number>() };
    out.perFramework.set(fw.id, counts);
    const mine = (t: Task) => bump(isTerminalState(t.state) ? counts.terminal : counts.active, t.state);
    for (const t of [...fw.tasks.values()]) {
      out.active[t.state] = (out.active[t.state] ?? 0) + 1;
      all(t);
      mine(t);
      yield* pause();
    }
    for (const t of [...fw.unreachableTasks.values()]) {
      out.unreachable++;
      all(t);
      mine(t);
      yield* pause();
    }
    for (const t of fw.completedTasks.slice()) {
      all(t);
      mine(t);
      yield* pause();
    }
  }
  for (const c of m.completedFrameworks.slice()) {
    for (const t of c.framework.completedTasks.slice()) {
      all(t);
      yield* pause();
    }
  }
}

const empty = (): TaskCounts => ({ all: {}, active: {}, unreachable: 0, perFramework: new Map() });

/** Counts at once (small masters, tests). */
export function countTasksNow(m: Master): TaskCounts {
  const out = empty();
  for (const _ of tally(m, out));
  return out;
}

/** Counts in slices of a few ms, letting the event loop run in between. */
export async function countTasks(m: Master): Promise<TaskCounts> {
  const out = empty();
  const it = tally(m, out);
  while (!it.next().done) await new Promise<void>((resolve) => setImmediate(resolve));
  return out;
}
