// The task wrapper: a short bash script, generated per run as `<run_meta_dir>/launch.sh`, that
// supervises one container without any Node process. Sourced by a forked subshell of the
// launcher (launcher.ts), it
//   0. records its own pid in `<run_meta_dir>/pids/forked.pid` (Mesos's name for it);
//   1. enters the sandbox and sends its stdout/stderr to the sandbox's `stdout` / `stderr`;
//   2. starts the task in the background with job control on (`set -m`: the task gets its own
//      process group — pid = pgid — so the agent can signal the whole group without touching
//      the wrapper; default signal dispositions). The task's process first joins the
//      container's cgroups (`joinCommands`, cgroups isolation) and then execs the command —
//      optionally through `unshare` into a new pid namespace with a tiny bash init that forwards
//      SIGTERM to everything in the namespace;
//   3. writes the task's pid to `<run_meta_dir>/pids/task.pid` and tells the agent
//      `S <container_id> <pid>` on fd 8 (a pipe to the agent; after an agent restart it is
//      broken: SIGPIPE is ignored from here on);
//   4. waits for it, writes the shell's `$?` (0–255; 128+N = killed by signal N) to
//      `<run_meta_dir>/exit_status`, then tells the agent `X <container_id> <status>` on fd 8.
//      If the container could not be set up (sandbox, cgroups), it writes the reason to
//      `<run_meta_dir>/launch_error` and reports `F <container_id> 127` instead.
// pid and status files end with a newline once complete. Because the wrapper is detached from
// the agent and owns the status file, a task's true result survives an agent restart.
// The command gets exactly `env` (plus bash's PWD): variables are passed as assignments in front
// of the command, or through `env -i` when a name is not a shell identifier.
import { constants, promises as fsp } from "node:fs";
import path from "node:path";

export interface HostTools {
  bash: string;
  env: string;
  /** util-linux unshare(1), for namespaces/pid; undefined when absent. */
  unshare?: string;
}

/** Single-quotes `s` for sh/bash. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Files a run's meta dir gets from its wrapper (names relative to the run meta dir). */
export const LAUNCH_ERROR_FILE = "launch_error";

/**
 * The init of a task's pid namespace (pid 1 there): runs the command, forwards SIGTERM/SIGINT
 * to every process in the namespace, exits with the command's status. Without it the command
 * would be pid 1 and ignore SIGTERM (the kernel drops signals pid 1 has no handler for).
 */
export const PID_NAMESPACE_INIT =
  // `t` tells a wait interrupted by the trap (loop: the command's status is still to come) from
  // the command's own end.
  'trap "t=1; kill -TERM -1 2>/dev/null" TERM INT; "$@" & c=$!; ' +
  'while :; do t=0; wait "$c"; s=$?; [ "$t" = 1 ] || exit "$s"; done';

export interface WrapperSpec {
  containerId: string;
  sandbox: string;
  runMetaDir: string;
  argv: string[];
  env: Record<string, string>;
  /** Shell commands run by the task's process before exec (join cgroups); each must succeed. */
  join?: string[];
  /** Run the task in a new pid (and mount, for /proc) namespace. */
  pidNamespace?: boolean;
}

/** The argv actually exec'd: the command, or the command under unshare + the namespace init. */
export function containerArgv(spec: WrapperSpec, tools: HostTools): string[] {
  if (!spec.pidNamespace) return spec.argv;
  if (tools.unshare === undefined) throw new Error("namespaces/pid needs unshare(1) (util-linux)");
  return [tools.unshare, "--pid", "--fork", "--mount-proc", "--kill-child", "--", tools.bash, "-c", PID_NAMESPACE_INIT, "init", ...spec.argv];
}

/** The text of `launch.sh` for one run. */
export function wrapperScript(spec: WrapperSpec, tools: HostTools): string {
  const vars = Object.entries(spec.env);
  const argv = containerArgv(spec, tools).map(shellQuote).join(" ");
  // `NAME=value exec cmd` hands the variables to cmd only; names that are not identifiers go through env -i.
  const command = vars.every(([k]) => IDENTIFIER.test(k))
    ? [...vars.map(([k, v]) => `${k}=${shellQuote(v)}`), "exec", argv].join(" ")
    : ["exec", shellQuote(tools.env), "-i", ...vars.map(([k, v]) => shellQuote(`${k}=${v}`)), argv].join(" ");
  const join = (spec.join ?? []).join(" && ");
  const joinStep = join === "" ? "" : `{ ${join}; } || { echo "cannot join the container's cgroups" >"$m/${LAUNCH_ERROR_FILE}"; exit 127; }; `;
  return [
    `# Plateau task wrapper for container ${spec.containerId} (generated; see server/agent/containerizer/wrapper.ts)`,
    `m=${shellQuote(spec.runMetaDir)}; c=${shellQuote(spec.containerId)}`,
    "unset SHLVL OLDPWD",
    'echo "$BASHPID" >"$m/pids/forked.pid"',
    `finish() { echo "$1" >"$m/exit_status"; trap '' PIPE; echo "$2 $c $1" >&8; exit "$1"; }`,
    `fail() { echo "$1" >"$m/${LAUNCH_ERROR_FILE}"; finish 127 F; }`,
    `cd ${shellQuote(spec.sandbox)} || fail "cannot enter the sandbox"`,
    'exec >>stdout 2>>stderr || fail "cannot open stdout/stderr in the sandbox"',
    "exec 3>&2 2>/dev/null",
    "set -m",
    `( ${joinStep}${command} 2>&3 3>&- 8>&- ) &`,
    "p=$!",
    "set +m",
    "exec 3>&-",
    "trap '' PIPE",
    'echo "$p" >"$m/pids/task.pid"',
    'echo "S $c $p" >&8',
    'wait "$p"',
    "s=$?",
    `[ -e "$m/${LAUNCH_ERROR_FILE}" ] && finish "$s" F`,
    'finish "$s" X',
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

/** Locates bash and env(1) (required) and unshare(1) (optional); throws naming what is missing. */
export async function detectHostTools(): Promise<HostTools> {
  const [bash, env, unshare] = await Promise.all([findExecutable("bash"), findExecutable("env"), findExecutable("unshare")]);
  const missing = [!bash && "bash", !env && "env"].filter(Boolean);
  if (missing.length > 0) throw new Error(`The containerizer needs ${missing.join(", ")} on this host`);
  return { bash: bash!, env: env!, unshare };
}
