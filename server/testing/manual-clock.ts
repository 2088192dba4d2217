// A clock driven by hand: timers fire only when `advance` moves time past them, in order.
import type { Clock, TimerHandle } from "../master/clock";

interface Timer {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add({ id: ++this.seq, at: this.time + Math.max(0, ms), fn, cancelled: false });
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add({ id: ++this.seq, at: this.time + ms, fn, every: Math.max(1, ms), cancelled: false });
  }

  private add(timer: Timer): TimerHandle {
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Moves time forward by `ms`, firing due timers (including ones they schedule) in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      if (due.every) due.at += due.every;
      else due.cancelled = true;
      due.fn();
    }
    this.time = target;
  }

  /** Runs timers due now (0 ms timeouts). */
  flush(): void {
    this.advance(0);
  }

  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
