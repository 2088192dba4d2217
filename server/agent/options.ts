// Agent configuration. `AgentOptions` is what `startAgent` takes (from flags or from code);
// `resolveOptions` fills defaults. Durations are milliseconds.
import type { Clock } from "./clock";
import type { Logger } from "./log";

export type RecoverMode = "reconnect" | "cleanup";

export interface AgentOptions {
  /** Leading master as `host:port` (an `http://` prefix is tolerated). */
  master: string;
  /** Sandboxes and checkpoints live here. */
  workDir: string;
  /** Address the agent's HTTP server binds to and advertises. Default 127.0.0.1. */
  ip?: string;
  /** HTTP port; 0 picks a free one (tests). Default 5051. */
  port?: number;
  /** Advertised hostname. Default: `ip`. */
  hostname?: string;
  /** `--resources` text or JSON array; names left out are auto-detected. */
  resources?: string;
  /** `--attributes` text, e.g. `rack:r1;zone:a`. */
  attributes?: string;
  /** Role of resources given without one. Default `*`. */
  defaultRole?: string;
  /** `--isolation` list. Default `posix/cpu,posix/mem`. */
  isolation?: string;
  /** What to do with tasks found at start-up. Default `reconnect`. */
  recover?: RecoverMode;
  /** Recovery errors are fatal (true) or logged and skipped (false). Default true. */
  strict?: boolean;
  registrationBackoffFactorMs?: number;
  executorShutdownGracePeriodMs?: number;
  /** Accepted for compatibility; sandboxes are not garbage-collected yet. */
  gcDelayMs?: number;
  recoveryTimeoutMs?: number;
  statusUpdateRetryIntervalMinMs?: number;
  statusUpdateRetryIntervalMaxMs?: number;
  /** Liveness poll interval for tasks re-adopted after a restart. Default 1000 ms. */
  containerPollIntervalMs?: number;
  /** Flags as strings, reported by /state and /flags. */
  flags?: Record<string, string>;
  log?: Logger;
  clock?: Clock;
}

export const AGENT_DEFAULTS = {
  ip: "127.0.0.1",
  port: 5051,
  defaultRole: "*",
  isolation: "posix/cpu,posix/mem",
  recover: "reconnect" as RecoverMode,
  strict: true,
  registrationBackoffFactorMs: 1000,
  executorShutdownGracePeriodMs: 5000,
  gcDelayMs: 7 * 24 * 3_600_000,
  recoveryTimeoutMs: 15 * 60_000,
  statusUpdateRetryIntervalMinMs: 10_000,
  statusUpdateRetryIntervalMaxMs: 10 * 60_000,
  containerPollIntervalMs: 1000,
};

export type ResolvedOptions = Required<Omit<AgentOptions, "resources" | "attributes" | "hostname" | "log" | "clock" | "flags">> &
  Pick<AgentOptions, "resources" | "attributes"> & { hostname: string; flags: Record<string, string> };

export function resolveOptions(options: AgentOptions): ResolvedOptions {
  const d = AGENT_DEFAULTS;
  const ip = options.ip ?? d.ip;
  const master = options.master.replace(/^https?:\/\//, "").replace(/\/+$/, "");
  return {
    master,
    workDir: options.workDir,
    ip,
    port: options.port ?? d.port,
    hostname: options.hostname ?? ip,
    resources: options.resources,
    attributes: options.attributes,
    defaultRole: options.defaultRole ?? d.defaultRole,
    isolation: options.isolation ?? d.isolation,
    recover: options.recover ?? d.recover,
    strict: options.strict ?? d.strict,
    registrationBackoffFactorMs: options.registrationBackoffFactorMs ?? d.registrationBackoffFactorMs,
    executorShutdownGracePeriodMs: options.executorShutdownGracePeriodMs ?? d.executorShutdownGracePeriodMs,
    gcDelayMs: options.gcDelayMs ?? d.gcDelayMs,
    recoveryTimeoutMs: options.recoveryTimeoutMs ?? d.recoveryTimeoutMs,
    statusUpdateRetryIntervalMinMs: options.statusUpdateRetryIntervalMinMs ?? d.statusUpdateRetryIntervalMinMs,
    statusUpdateRetryIntervalMaxMs: options.statusUpdateRetryIntervalMaxMs ?? d.statusUpdateRetryIntervalMaxMs,
    containerPollIntervalMs: options.containerPollIntervalMs ?? d.containerPollIntervalMs,
    flags: options.flags ?? {},
  };
}
