// What a command task runs: its argv and environment, built the way Mesos's agent and command
// executor build them (agent-executor.md §2). Pure.
import type { CommandInfo, FrameworkInfo, TaskInfo } from "../protocol/mesos";
import { formatDuration } from "../cli/flags";

export class CommandError extends Error {}

/**
 * Shell form (`shell` true or absent): `/bin/sh -c <value>`. Exec form (`shell: false`): `value`
 * is the program (looked up in PATH), `arguments` the full argv — argv[0] is taken from `value`
 * (the launcher exec's by path), the rest from `arguments[1..]`.
 */
export function commandArgv(command: CommandInfo): string[] {
  if (command.shell ?? true) {
    if (command.value === undefined || command.value === "") throw new CommandError("Command value is required for a shell command");
    return ["/bin/sh", "-c", command.value];
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
