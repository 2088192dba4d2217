// Agent configuration. `AgentOptions` is what `startAgent` takes (from flags or from code);
// `resolveOptions` fills defaults. Durations are milliseconds.
import type { Clock } from "./clock";
import type { Logger } from "./log";
import type { Credential } from "../security/credentials";

export type RecoverMode = "reconnect" | "cleanup";

export interface AgentOptions {
  /**
   * The master as `host:port` (an `http://` prefix is tolerated), or a ZooKeeper URL
   * (`zk://host:port/path`, `file:///path`) to follow the elected leader.
   */
  master: string;
  /** ZooKeeper session timeout when `master` is a ZooKeeper URL. Default 10 s. */
  zkSessionTimeoutMs?: number;
  /** Sandboxes and checkpoints live here. */
  workDir: string;
  /** What the agent presents to the master (--credential); needed when the master has --credentials. */
  credential?: Credential;
  /** Principals allowed on the agent's HTTP endpoints (--http_credentials); undefined = open (loopback only by default). */
  httpCredentials?: Credential[];
  /** Require executors to present their MESOS_EXECUTOR_AUTHENTICATION_TOKEN (default: on when `credential` is set). */
  authenticateHttpExecutors?: boolean;
  /** Key signing executor tokens (set by startAgent from <work_dir>/executor-token.key). */
  executorTokenKey?: Buffer;
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
  /**
   * `--isolation` list (e.g. `cgroups/cpu,cgroups/mem,namespaces/pid`). Default: chosen by what
   * the host supports — cgroups (v1 or v2) when writable, else posix (monitoring only).
   */
  isolation?: string;
  /**
   * Per-container runtime files (launch script, pids, exit status). Default: a tmpfs dir
   * (`/run/plateau/<key>` or `/dev/shm/plateau/<key>`), else `<work_dir>/runtime`.
   */
  runtimeDir?: string;
  /** Where the cgroup hierarchies are mounted. Default `/sys/fs/cgroup`. */
  cgroupsHierarchy?: string;
  /**
   * Parent cgroup of this agent's containers. Default `plateau/<hash of work_dir>` (one root per
   * agent, so several agents on one host never adopt or destroy each other's containers).
   */
  cgroupsRoot?: string;
  /** Hard CPU limit with CFS quota (cpu.cfs_quota_us / cpu.max). Default false (shares only). */
  cgroupsEnableCfs?: boolean;
  /** Limit memory + swap (cgroups v1 memory.memsw, v2 memory.swap.max = 0). Default false. */
  cgroupsLimitSwap?: boolean;
  /** How often container disk usage is measured (ms). Default 15 s. */
  containerDiskWatchIntervalMs?: number;
  /** Fail containers whose sandbox exceeds their `disk` resource. Default false. */
  enforceContainerDiskQuota?: boolean;
  /** How often running containers are checked for a memory limitation (OOM kill) (ms). Default 500. */
  limitationPollIntervalMs?: number;
  executorRegistrationTimeoutMs?: number;
  executorReregistrationTimeoutMs?: number;
  /** What to do with tasks found at start-up. Default `reconnect`. */
  recover?: RecoverMode;
  /** Recovery errors are fatal (true) or logged and skipped (false). Default true. */
  strict?: boolean;
  registrationBackoffFactorMs?: number;
  executorShutdownGracePeriodMs?: number;
  /** Sandboxes of terminated executors are removed this long after they last changed. */
  gcDelayMs?: number;
  /** Free-disk headroom for sandbox GC: max age = gc_delay × max(0, 1 − headroom − disk usage). */
  gcDiskHeadroom?: number;
  /** How often sandbox GC checks disk usage and removes expired sandboxes (ms). Default 1 min. */
  diskWatchIntervalMs?: number;
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
  isolation: "",
  runtimeDir: "",
  cgroupsHierarchy: "/sys/fs/cgroup",
  cgroupsRoot: "",
  cgroupsEnableCfs: false,
  cgroupsLimitSwap: false,
  containerDiskWatchIntervalMs: 15_000,
  enforceContainerDiskQuota: false,
  limitationPollIntervalMs: 500,
  executorRegistrationTimeoutMs: 60_000,
  executorReregistrationTimeoutMs: 2000,
  gcDiskHeadroom: 0.1,
  diskWatchIntervalMs: 60_000,
  recover: "reconnect" as RecoverMode,
  strict: true,
  registrationBackoffFactorMs: 1000,
  executorShutdownGracePeriodMs: 5000,
  gcDelayMs: 7 * 24 * 3_600_000,
  recoveryTimeoutMs: 15 * 60_000,
  statusUpdateRetryIntervalMinMs: 10_000,
  statusUpdateRetryIntervalMaxMs: 10 * 60_000,
  containerPollIntervalMs: 1000,
  zkSessionTimeoutMs: 10_000,
};

export type ResolvedOptions = Required<Omit<AgentOptions, "resources" | "attributes" | "hostname" | "log" | "clock" | "flags" | "credential" | "authenticateHttpExecutors" | "executorTokenKey" | "httpCredentials">> &
  Pick<AgentOptions, "resources" | "attributes" | "credential" | "authenticateHttpExecutors" | "executorTokenKey" | "httpCredentials"> & { hostname: string; flags: Record<string, string> };

export function resolveOptions(options: AgentOptions): ResolvedOptions {
  const d = AGENT_DEFAULTS;
  const ip = options.ip ?? d.ip;
  const master = options.master.replace(/^https?:\/\//, "").replace(/\/+$/, "");
  return {
    master,
    workDir: options.workDir,
    credential: options.credential,
    authenticateHttpExecutors: options.authenticateHttpExecutors ?? options.credential !== undefined,
    executorTokenKey: options.executorTokenKey,
    httpCredentials: options.httpCredentials,
    ip,
    port: options.port ?? d.port,
    hostname: options.hostname ?? ip,
    resources: options.resources,
    attributes: options.attributes,
    defaultRole: options.defaultRole ?? d.defaultRole,
    isolation: options.isolation ?? d.isolation,
    runtimeDir: options.runtimeDir ?? d.runtimeDir,
    cgroupsHierarchy: options.cgroupsHierarchy ?? d.cgroupsHierarchy,
    cgroupsRoot: options.cgroupsRoot ?? d.cgroupsRoot,
    cgroupsEnableCfs: options.cgroupsEnableCfs ?? d.cgroupsEnableCfs,
    cgroupsLimitSwap: options.cgroupsLimitSwap ?? d.cgroupsLimitSwap,
    containerDiskWatchIntervalMs: options.containerDiskWatchIntervalMs ?? d.containerDiskWatchIntervalMs,
    enforceContainerDiskQuota: options.enforceContainerDiskQuota ?? d.enforceContainerDiskQuota,
    limitationPollIntervalMs: options.limitationPollIntervalMs ?? d.limitationPollIntervalMs,
    executorRegistrationTimeoutMs: options.executorRegistrationTimeoutMs ?? d.executorRegistrationTimeoutMs,
    // Mesos caps the re-registration timeout at 15 s.
    executorReregistrationTimeoutMs: Math.min(options.executorReregistrationTimeoutMs ?? d.executorReregistrationTimeoutMs, 15_000),
    gcDiskHeadroom: options.gcDiskHeadroom ?? d.gcDiskHeadroom,
    diskWatchIntervalMs: options.diskWatchIntervalMs ?? d.diskWatchIntervalMs,
    recover: options.recover ?? d.recover,
    strict: options.strict ?? d.strict,
    registrationBackoffFactorMs: options.registrationBackoffFactorMs ?? d.registrationBackoffFactorMs,
    executorShutdownGracePeriodMs: options.executorShutdownGracePeriodMs ?? d.executorShutdownGracePeriodMs,
    gcDelayMs: options.gcDelayMs ?? d.gcDelayMs,
    recoveryTimeoutMs: options.recoveryTimeoutMs ?? d.recoveryTimeoutMs,
    statusUpdateRetryIntervalMinMs: options.statusUpdateRetryIntervalMinMs ?? d.statusUpdateRetryIntervalMinMs,
    statusUpdateRetryIntervalMaxMs: options.statusUpdateRetryIntervalMaxMs ?? d.statusUpdateRetryIntervalMaxMs,
    containerPollIntervalMs: options.containerPollIntervalMs ?? d.containerPollIntervalMs,
    zkSessionTimeoutMs: options.zkSessionTimeoutMs ?? d.zkSessionTimeoutMs,
    flags: options.flags ?? {},
  };
}
