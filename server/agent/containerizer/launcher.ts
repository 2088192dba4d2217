// The launcher: ONE small bash process per agent that starts task wrappers on request.
//
// Why: forking the agent (a 100–200 MB Node process) costs ~3–7 ms per task on a small host,
// so 1,000 launches took >8 s; forking a 3 MB bash costs well under 1 ms. The agent writes a run
// meta dir per line on the launcher's stdin; the launcher starts `<dir>/launch.sh` in the
// background — in a forked subshell of itself, no exec, so a wrapper costs one fork of a small
// process (signal dispositions reset, stdin /dev/null, fd 8 = its stdout) — and answers
// `L <wrapper_pid> <dir>`. Wrappers report `S <container_id> <task_pid>` and
// `X|F <container_id> <status>` through fd 8, so the agent learns of starts and exits without polling. Lines are < PIPE_BUF, so concurrent writers never interleave.
//
// The launcher runs in its own session (a terminal's Ctrl-C never reaches it or the tasks) and
// exits when its stdin closes (the agent stopped or died); running wrappers are unaffected and
// are re-adopted by the next agent.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import type { Logger } from "../log";
import type { HostTools } from "./wrapper";

/** Marker in the launcher's (and so every wrapper's) command line, checked before re-adoption. */
export const LAUNCHER_MARKER = "plateau-task-launcher";

// Lines are run dirs, relative to the dir given as $1 when they lie under it (bash reads a pipe
// one byte per syscall: short lines are cheaper).
const LAUNCHER_SCRIPT =
  `# ${LAUNCHER_MARKER}\n` +
  'B=$1; while IFS= read -r d; do case $d in /*) ;; *) d=$B/$d ;; esac; ' +
  '( trap - INT QUIT; . "$d/launch.sh" ) 8>&1 </dev/null >/dev/null 2>&1 & echo "L $! $d"; done';

/** Wrapper notices: `S` = the task process started (its pid), `X` = it ended (shell status), `F` = set-up failed. */
export interface NoticeListener {
  started(containerId: string, taskPid: number): void;
  exited(containerId: string, status: number): void;
  failed(containerId: string, status: number): void;
}

export class LauncherError extends Error {}

export class Launcher {
  private child?: ChildProcess;
  private readonly pending = new Map<string, { resolve: (pid: number) => void; reject: (err: Error) => void }>();
  private stopped = false;
  /** Run dirs under this one are sent relative to it. */
  private baseDir?: string;

  constructor(
    private readonly tools: HostTools,
    private readonly notices: NoticeListener,
    private readonly log: Logger,
  ) {}

  /** The launcher's pid while it runs (diagnostics, tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts `<runMetaDir>/launch.sh`; resolves with the wrapper's pid. */
  start(runMetaDir: string): Promise<number> {
    if (this.stopped) return Promise.reject(new LauncherError("the launcher is stopped"));
    if (/[\n\r]/.test(runMetaDir)) return Promise.reject(new LauncherError("run directory contains a line break"));
    if (this.pending.has(runMetaDir)) return Promise.reject(new LauncherError(`${runMetaDir} is already being launched`));
    const child = this.ensureChild(path.dirname(runMetaDir));
    const base = this.baseDir;
    const line = base !== undefined && runMetaDir.startsWith(base + "/") ? runMetaDir.slice(base.length + 1) : runMetaDir;
    return new Promise((resolve, reject) => {
      this.pending.set(runMetaDir, { resolve, reject });
      child.stdin!.write(`${line}\n`);
    });
  }

  stop(): void {
    this.stopped = true;
    this.failPending(new LauncherError("the launcher stopped"));
    const child = this.child;
    this.child = undefined;
    if (child === undefined) return;
    child.removeAllListeners("exit");
    child.stdin!.end();
    child.stdout!.destroy(); // wrappers keep fd 8; their late notices hit EPIPE, which they ignore
  }

  private ensureChild(baseDir: string): ChildProcess {
    if (this.child !== undefined) return this.child;
    this.baseDir = baseDir;
    const child = spawn(this.tools.bash, ["-c", LAUNCHER_SCRIPT, this.tools.bash, baseDir], {
      detached: true,
      env: {} as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "ignore"],
    });
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    child.stdin!.on("error", () => {}); // reported through `exit`
    readline.createInterface({ input: child.stdout! }).on("line", (line) => this.onLine(line));
    child.once("exit", (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.log.warn(`Task launcher exited (${signal ?? `code ${code}`}); starting a new one on the next launch`);
      this.failPending(new LauncherError("the launcher exited"));
    });
    child.once("error", (err) => this.log.error(`Task launcher failed: ${err.message}`));
    this.child = child;
    return child;
  }

  private onLine(line: string): void {
    if (line.startsWith("L ")) {
      const space = line.indexOf(" ", 2);
      const pid = Number(line.slice(2, space));
      const dir = line.slice(space + 1);
      const waiter = this.pending.get(dir);
      this.pending.delete(dir);
      if (waiter !== undefined && Number.isInteger(pid) && pid > 1) waiter.resolve(pid);
      else waiter?.reject(new LauncherError(`bad launcher reply '${line}'`));
    } else if (line.startsWith("X ") || line.startsWith("S ") || line.startsWith("F ")) {
      const [kind, containerId, value] = line.split(" ");
      if (containerId === undefined || value === undefined || !/^\d+$/.test(value)) return;
      if (kind === "S") this.notices.started(containerId, Number(value));
      else if (kind === "X") this.notices.exited(containerId, Number(value));
      else this.notices.failed(containerId, Number(value));
    }
  }

  private failPending(err: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}
