// Time as a port for the agent (same shape as the master's Clock; the agent may not import the
// master). Times are ms since the Unix epoch. Real timers are unref'd: they never keep the
// process alive on their own.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};

/** A clock driven by hand (tests): `advance(ms)` runs due timers in time order. */
export class ManualClock implements Clock {
  private timers: { at: number; every?: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  constructor(private current = 1_700_000_000_000) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const due = this.timers[0];
      if (!due || due.at > end) break;
      this.current = due.at;
      if (due.every !== undefined) due.at += due.every;
      else this.timers.shift();
      due.fn();
    }
    this.current = end;
  }

  private add(fn: () => void, ms: number, every?: number): TimerHandle {
    const timer = { at: this.current + Math.max(0, ms), every, fn, id: this.nextId++ };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((t) => t !== timer)) };
  }
}
