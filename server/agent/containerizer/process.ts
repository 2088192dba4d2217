// Process primitives for the posix containerizer: liveness, process-group signals, decoding the
// wait status a shell reports, and a cheap identity check against pid reuse.
import { constants } from "node:os";
import { promises as fsp, readFileSync } from "node:fs";
import type { Termination } from "./types";

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

export function signalName(signo: number): string {
  return SIGNAL_NAMES.get(signo) ?? `signal ${signo}`;
}

/**
 * The shell's `$?` after `wait`: 0–125 plain exit codes, 128+N for "terminated by signal N"
 * (a command exiting with 128+N on purpose is indistinguishable, as for any shell-run task).
 */
export function decodeShellStatus(status: number): Termination {
  const signo = status - 128;
  if (signo >= 1 && signo <= 64 && SIGNAL_NAMES.has(signo)) return { kind: "signaled", signal: signalName(signo), signo };
  return { kind: "exited", code: status };
}

/** True while `pid` exists (EPERM: exists but owned by someone else). A zombie counts as alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Like isAlive, but a zombie counts as dead (Linux: /proc/<pid>/stat state Z). Used for
 * re-adopted wrappers, which are not our children: if whoever inherited them (init, or this
 * process when it is PID 1 in a container) is slow to reap, they linger as zombies.
 */
export function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8"); // procfs: no disk I/O
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc: liveness is all we can tell
  }
}

/** Sends `signal` to every process in group `pgid`. False when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false; // never -1 (everything) or our own group
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

/**
 * Whether `pid`'s command line contains `marker` (guards re-adoption against pid reuse).
 * Where /proc is unavailable the answer is "yes" (liveness is all we can check).
 */
export async function commandLineContains(pid: number, marker: string): Promise<boolean> {
  try {
    const cmdline = await fsp.readFile(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes(marker);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") {
      try {
        await fsp.access("/proc/self/cmdline");
        return false; // /proc works: the process is gone
      } catch {
        return true;
      }
    }
    return true;
  }
}
