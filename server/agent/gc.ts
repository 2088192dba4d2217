// Sandbox garbage collection (agent-executor.md §3, Mesos's GarbageCollector): the sandbox of a
// terminated executor run is removed once it has not changed for
//     max age = gc_delay × max(0, 1 − gc_disk_headroom − disk usage of the work_dir filesystem)
// (so a filling disk shortens the wait). Scheduled when an executor retires, and at start-up for
// every run directory no live executor owns (older runs, runs of previous agent ids).
// ONE timer checks the schedule; disk usage is measured every --disk_watch_interval.
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { Clock, TimerHandle } from "./clock";
import type { Logger } from "./log";
import type { ExecutorRecord } from "./state";

export interface SandboxGcOptions {
  workDir: string;
  gcDelayMs: number;
  diskHeadroom: number;
  diskWatchIntervalMs: number;
  clock: Clock;
  log: Logger;
}

interface Scheduled {
  dir: string;
  executor?: ExecutorRecord;
}

/** The longest a sandbox may stay unchanged, given the disk usage (0–1). */
export function maxSandboxAgeMs(gcDelayMs: number, headroom: number, diskUsage: number): number {
  return gcDelayMs * Math.max(0, 1 - headroom - diskUsage);
}

export class SandboxGc {
  private readonly scheduled = new Map<string, Scheduled>();
  private timer?: TimerHandle;
  private diskUsage = 0;
  private diskMeasuredAt = -Infinity;
  private busy = false;

  /** Called before a sandbox is removed (persistent volume bind mounts inside it are unmounted); throws to keep it. */
  beforeRemove?: (dir: string) => Promise<void>;

  constructor(private readonly o: SandboxGcOptions) {}

  start(): void {
    const every = Math.max(50, Math.min(this.o.diskWatchIntervalMs, this.o.gcDelayMs / 2, 60_000));
    this.timer = this.o.clock.setInterval(() => void this.collect(), every);
  }

  stop(): void {
    this.timer?.cancel();
  }

  get size(): number {
    return this.scheduled.size;
  }

  /** A retired executor run: its sandbox goes after the delay. */
  schedule(executor: ExecutorRecord): void {
    if (executor.directory === "") return;
    this.scheduled.set(executor.directory, { dir: executor.directory, executor });
  }

  /** At start-up: every run directory under slaves/ that is not `live` (older runs, dead agent ids). */
  async scheduleLeftovers(live: ReadonlySet<string>): Promise<number> {
    let n = 0;
    const list = (dir: string) => fsp.readdir(dir, { withFileTypes: true }).then((e) => e.filter((d) => d.isDirectory()).map((d) => d.name), () => [] as string[]);
    const slaves = path.join(this.o.workDir, "slaves");
    for (const agent of await list(slaves)) {
      for (const fw of await list(path.join(slaves, agent, "frameworks"))) {
        for (const ex of await list(path.join(slaves, agent, "frameworks", fw, "executors"))) {
          const runs = path.join(slaves, agent, "frameworks", fw, "executors", ex, "runs");
          for (const run of await list(runs)) {
            const dir = path.join(runs, run);
            if (live.has(dir) || this.scheduled.has(dir)) continue;
            this.scheduled.set(dir, { dir });
            n++;
          }
        }
      }
    }
    return n;
  }

  /** Removes every scheduled sandbox old enough now. */
  async collect(): Promise<void> {
    if (this.busy || this.scheduled.size === 0) return;
    this.busy = true;
    try {
      const now = this.o.clock.now();
      if (now - this.diskMeasuredAt >= this.o.diskWatchIntervalMs) {
        this.diskMeasuredAt = now;
        try {
          const s = await fsp.statfs(this.o.workDir);
          this.diskUsage = s.blocks > 0 ? 1 - s.bavail / s.blocks : 0;
        } catch {
          this.diskUsage = 0;
        }
      }
      const maxAge = maxSandboxAgeMs(this.o.gcDelayMs, this.o.diskHeadroom, this.diskUsage);
      for (const entry of [...this.scheduled.values()]) {
        const st = await fsp.stat(entry.dir).catch(() => undefined);
        if (st !== undefined && now - st.mtimeMs < maxAge) continue;
        this.scheduled.delete(entry.dir);
        try {
          await this.beforeRemove?.(entry.dir);
        } catch (err) {
          // Something is still mounted inside (a persistent volume): removing would delete its data.
          this.o.log.warn(`Not removing sandbox ${entry.dir}: ${(err as Error).message}`);
          this.scheduled.set(entry.dir, entry); // tried again on the next pass
          continue;
        }
        if (entry.executor !== undefined) entry.executor.sandboxRemoved = true;
        await fsp.rm(entry.dir, { recursive: true, force: true }).catch((err: Error) => this.o.log.warn(`Failed to remove sandbox ${entry.dir}: ${err.message}`));
        await removeEmptyParents(entry.dir);
        this.o.log.info(`Removed sandbox ${entry.dir} (unchanged for ${Math.round((now - (st?.mtimeMs ?? now)) / 1000)} s; max age ${Math.round(maxAge / 1000)} s)`);
      }
    } finally {
      this.busy = false;
    }
  }
}

/**
 * After removing `frameworks/<fw>/executors/<ex>/runs/<cid>`: drops a `runs/latest` link that
 * pointed at it, then `runs`, `<ex>`, `executors`, `<fw>` while they are empty.
 */
async function removeEmptyParents(runDir: string): Promise<void> {
  const runs = path.dirname(runDir);
  const latest = path.join(runs, "latest");
  if ((await fsp.readlink(latest).catch(() => undefined)) === path.basename(runDir)) await fsp.rm(latest, { force: true });
  let dir = runs;
  for (let level = 0; level < 4; level++) {
    try {
      await fsp.rmdir(dir);
    } catch {
      return;
    }
    dir = path.dirname(dir);
  }
}
