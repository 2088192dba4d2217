// The task wrapper: a short bash script, generated per run as `<run_meta_dir>/launch.sh`, that
// supervises one task without any Node process. Sourced by a forked subshell of the launcher
// (launcher.ts), it
//   0. records its own pid in `<run_meta_dir>/pids/forked.pid` (Mesos's name for it);
//   1. enters the sandbox and sends its stdout/stderr to the sandbox's `stdout` / `stderr`;
//   2. starts the command in the background under setsid(1) — the background child is not a
//      group leader, so setsid(2) succeeds in place: the command's pid = its pgid = its sid, and
//      the agent can signal the task's whole tree (`kill -<pgid>`) without touching the wrapper;
//      signal dispositions are reset first (`trap - INT QUIT`: a shell without job control
//      starts background jobs with SIGINT/SIGQUIT ignored, and tasks must not inherit that);
//   3. writes the command's pid to `<run_meta_dir>/pids/task.pid` and tells the agent
//      `S <container_id> <pid>` on fd 8 (a pipe to the agent; after an agent restart it is
//      broken: SIGPIPE is ignored from here on — the task was forked before, keeps defaults);
//   4. waits for it, writes the shell's `$?` (0–255; 128+N = killed by signal N) to
//      `<run_meta_dir>/exit_status`, then tells the agent `X <container_id> <status>` on fd 8.
// pid and status files end with a newline once complete. Because the wrapper is detached from
// the agent and owns the status file, a task's true result survives an agent restart.
// The command gets exactly `env` (plus bash's PWD): variables are passed as assignments in front
// of the command, or through `env -i` when a name is not a shell identifier.
import { constants, promises as fsp } from "node:fs";
import path from "node:path";

export interface HostTools {
  bash: string;
  setsid: string;
  env: string;
}

/** Single-quotes `s` for sh/bash. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface WrapperSpec {
  containerId: string;
  sandbox: string;
  runMetaDir: string;
  argv: string[];
  env: Record<string, string>;
}

/** The text of `launch.sh` for one run. */
export function wrapperScript(spec: WrapperSpec, tools: HostTools): string {
  const vars = Object.entries(spec.env);
  const argv = [tools.setsid, ...spec.argv].map(shellQuote).join(" ");
  // `NAME=value exec cmd` hands the variables to cmd only; names that are not identifiers go through env -i.
  const command = vars.every(([k]) => IDENTIFIER.test(k))
    ? [...vars.map(([k, v]) => `${k}=${shellQuote(v)}`), "exec", argv].join(" ")
    : ["exec", shellQuote(tools.env), "-i", ...vars.map(([k, v]) => shellQuote(`${k}=${v}`)), argv].join(" ");
  return [
    `# Plateau task wrapper for container ${spec.containerId} (generated; see server/agent/containerizer/wrapper.ts)`,
    `m=${shellQuote(spec.runMetaDir)}; c=${shellQuote(spec.containerId)}`,
    "unset SHLVL OLDPWD",
    'echo "$BASHPID" >"$m/pids/forked.pid"',
    `finish() { echo "$1" >"$m/exit_status"; trap '' PIPE; echo "X $c $1" >&8; exit "$1"; }`,
    `cd ${shellQuote(spec.sandbox)} || finish 127`,
    "exec >>stdout 2>>stderr || finish 127",
    "exec 3>&2 2>/dev/null",
    `( trap - INT QUIT; ${command} 2>&3 3>&- 8>&- ) &`,
    "p=$!",
    "exec 3>&-",
    "trap '' PIPE",
    'echo "$p" >"$m/pids/task.pid"',
    'echo "S $c $p" >&8',
    'wait "$p"',
    'finish "$?"',
    "",
  ].join("\n");
}

async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of ["/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin", "/opt/homebrew/bin"]) {
    const candidate = path.join(dir, name);
    try {
      await fsp.access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Locates bash, setsid(1) and env(1); throws naming what is missing. */
export async function detectHostTools(): Promise<HostTools> {
  const [bash, setsid, env] = await Promise.all([findExecutable("bash"), findExecutable("setsid"), findExecutable("env")]);
  const missing = [!bash && "bash", !setsid && "setsid (util-linux)", !env && "env"].filter(Boolean);
  if (missing.length > 0) throw new Error(`The posix containerizer needs ${missing.join(", ")} on this host`);
  return { bash: bash!, setsid: setsid!, env: env! };
}
