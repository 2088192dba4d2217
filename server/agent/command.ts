// What a command task runs: its argv and environment, built the way Mesos's agent and command
// executor build them (agent-executor.md §2). Pure.
import type { CommandInfo, FrameworkInfo, TaskInfo } from "../protocol/mesos";
import { formatDuration } from "../cli/flags";

export class CommandError extends Error {}

/** Names `sh` would not look up in PATH (builtins and keywords of POSIX sh / dash). */
const SHELL_WORDS = new Set([
  ".", ":", "[", "alias", "bg", "break", "cd", "command", "continue", "echo", "eval", "exec", "exit", "export", "false", "fc", "fg",
  "getopts", "hash", "jobs", "kill", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times", "trap",
  "true", "type", "ulimit", "umask", "unalias", "unset", "wait", "if", "then", "else", "elif", "fi", "case", "esac", "for", "while",
  "until", "do", "done", "in", "!", "{", "}",
]);
/** Words free of anything a shell would interpret (quotes, $, globs, ~, redirections, separators, comments…). */
const PLAIN_WORDS = /^[A-Za-z0-9_./:,@%+-]+( +[A-Za-z0-9_./:,@%+=-]+)* *$/;

/**
 * `sh -c <value>` for a value that is ONE simple command without any shell syntax is exactly
 * "run this program with these arguments": it is exec'd directly, saving a shell process per
 * task (bash does the same for `bash -c`). Anything else goes to /bin/sh.
 */
export function plainCommandArgv(value: string): string[] | undefined {
  if (!PLAIN_WORDS.test(value)) return undefined;
  const words = value.trim().split(/ +/);
  if (SHELL_WORDS.has(words[0]!) || words[0]!.includes("=")) return undefined;
  return words;
}

/**
 * Shell form (`shell` true or absent): `/bin/sh -c <value>` (a plain simple command is exec'd
 * directly, see plainCommandArgv). Exec form (`shell: false`): `value` is the program (looked up
 * in PATH), `arguments` the full argv — argv[0] is taken from `value` (the launcher exec's by
 * path), the rest from `arguments[1..]`.
 */
export function commandArgv(command: CommandInfo): string[] {
  if (command.shell ?? true) {
    if (command.value === undefined || command.value === "") throw new CommandError("Command value is required for a shell command");
    return plainCommandArgv(command.value) ?? ["/bin/sh", "-c", command.value];
  }
  if (command.value === undefined || command.value === "") throw new CommandError("Command value (the executable) is required when shell is false");
  return [command.value, ...(command.arguments ?? []).slice(1)];
}

export interface TaskEnvContext {
  frameworkId: string;
  executorId: string;
  agentId: string;
  sandbox: string;
  /** ip:port of the agent's HTTP endpoint. */
  agentEndpoint: string;
  framework: FrameworkInfo;
  /** The task (command tasks), whose role and command environment are added. */
  task?: TaskInfo;
  /** The executor's command (custom executors), whose environment is added. */
  command?: CommandInfo;
  executorShutdownGraceMs: number;
  recoveryTimeoutMs: number;
  /** `--executor_reregistration_timeout`: MESOS_SUBSCRIPTION_BACKOFF_MAX. Default 2 s. */
  subscriptionBackoffMaxMs?: number;
  /** The agent's own environment (inherited, minus Plateau's configuration variables). */
  base: NodeJS.ProcessEnv;
}

/** The role the task's resources are allocated to (MESOS_ALLOCATION_ROLE). */
export function allocationRole(task: TaskInfo, framework: FrameworkInfo): string {
  for (const r of task.resources ?? []) {
    const role = r.allocation_info?.role;
    if (role !== undefined) return role;
  }
  return framework.roles?.[0] ?? framework.role ?? "*";
}

/** The environment of an executor's (or command task's) process (agent-executor.md §2). */
export function taskEnvironment(ctx: TaskEnvContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.base)) if (v !== undefined && !k.startsWith("PLATEAU_")) env[k] = v;
  const checkpoint = ctx.framework.checkpoint === true;
  Object.assign(env, {
    MESOS_FRAMEWORK_ID: ctx.frameworkId,
    MESOS_EXECUTOR_ID: ctx.executorId,
    MESOS_DIRECTORY: ctx.sandbox,
    MESOS_SANDBOX: ctx.sandbox,
    MESOS_AGENT_ENDPOINT: ctx.agentEndpoint,
    MESOS_SLAVE_ID: ctx.agentId,
    MESOS_SLAVE_PID: `slave(1)@${ctx.agentEndpoint}`,
    MESOS_CHECKPOINT: checkpoint ? "1" : "0",
    MESOS_HTTP_COMMAND_EXECUTOR: "0",
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: formatDuration(ctx.executorShutdownGraceMs),
    LIBPROCESS_PORT: "0",
  });
  if (ctx.task !== undefined) env.MESOS_ALLOCATION_ROLE = allocationRole(ctx.task, ctx.framework);
  if (checkpoint) {
    env.MESOS_RECOVERY_TIMEOUT = formatDuration(ctx.recoveryTimeoutMs);
    env.MESOS_SUBSCRIPTION_BACKOFF_MAX = formatDuration(ctx.subscriptionBackoffMaxMs ?? 2000);
  }
  for (const v of (ctx.command ?? ctx.task?.command)?.environment?.variables ?? []) {
    // SECRET variables need a secret resolver (not implemented): they are left out.
    if ((v.type === undefined || v.type === "VALUE") && v.value !== undefined) env[v.name] = v.value;
  }
  return env;
}
