// The master's logging verbosity (glog's --v) for GET_LOGGING_LEVEL / SET_LOGGING_LEVEL and
// /logging/toggle: a level raised for a duration, then reverted to the original. Plateau's log
// has no verbose lines yet, so the level is reported and kept but changes no output.
import type { Clock, TimerHandle } from "../clock";

export class LoggingLevel {
  private current: number;
  private revert: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    readonly original = 0,
  ) {
    this.current = original;
  }

  get level(): number {
    return this.current;
  }

  /** Sets `level` for `durationMs`, then reverts; returns an error message or null. */
  set(level: number, durationMs: number): string | null {
    if (level < this.original) return `Not setting level ${level}: below the original level ${this.original}`;
    this.revert?.cancel();
    this.current = level;
    this.revert = this.clock.setTimeout(() => {
      this.current = this.original;
      this.revert = null;
    }, Math.max(0, durationMs));
    return null;
  }

  close(): void {
    this.revert?.cancel();
  }
}
