// `plateau agent` command-line flags (Mesos agent names and defaults; agent-executor.md §4).
import { FlagError, formatDuration, type FlagSpecs, type FlagValue } from "../cli/flags";
import { isZkUrl, parseZkUrl } from "../ha/zk/url";
import { CredentialsError, parseCredential, parseCredentials, readFlagFile, type Credential } from "../security/credentials";
import { checkPosture } from "../security/flags";
import { AGENT_DEFAULTS as D, type AgentOptions, type RecoverMode } from "./options";

export const AGENT_FLAGS: FlagSpecs = {
  master: {
    type: "string",
    placeholder: "host:port|zk://host:port/path",
    help: "The master (required): host:port, e.g. 127.0.0.1:5050, or a ZooKeeper URL such as\nzk://127.0.0.1:2181/plateau (or file:///path holding one) to follow the elected leader and\nre-register with each new one.",
  },
  zk_session_timeout: {
    type: "duration",
    default: formatDuration(D.zkSessionTimeoutMs),
    help: "ZooKeeper session timeout when --master is a ZooKeeper URL.",
  },
  work_dir: {
    type: "string",
    placeholder: "path",
    help: "Directory for sandboxes and checkpointed state (required). Restarting an agent on the\nsame work_dir recovers its tasks.",
  },
  ip: { type: "string", default: D.ip, help: "IP address to listen on and advertise. Loopback by default; a non-loopback address\nneeds --http_credentials (or --insecure)." },
  credential: {
    type: "string",
    placeholder: "file",
    help: "Path (or file:// URL) of the credential this agent presents to the master: JSON\n{\"principal\":\"p\",\"secret\":\"s\"} or one 'principal secret' line. Required when the master has\n--credentials.",
  },
  http_credentials: {
    type: "string",
    placeholder: "file",
    help: "Principals allowed on this agent's HTTP endpoints (Mesos JSON credentials or 'principal secret'\nlines): with it every endpoint but /health and the executor API needs HTTP Basic. Give the\nmaster one of them with its --agent_http_credential.",
  },
  authenticate_http_executors: {
    type: "bool",
    help: "Executors must present the token the agent gives them (MESOS_EXECUTOR_AUTHENTICATION_TOKEN,\nan HS256 token bound to framework, executor and container) on the executor API.\nDefault: on when --credential is given.",
  },
  insecure: { type: "bool", default: false, help: "Serve a non-loopback --ip without --http_credentials (then the log says so loudly)." },
  port: { type: "int", default: D.port, help: "Port to listen on (agent HTTP endpoints)." },
  hostname: { type: "string", placeholder: "name", help: "Hostname the agent advertises. Default: the --ip value." },
  resources: {
    type: "string",
    placeholder: "resources",
    help:
      "Total consumable resources: 'cpus:4;mem:8192;disk:100000;ports:[31000-32000];gpus(role):1'\n" +
      "or a JSON array of Resource objects (inline or file:///path). Names left out are detected:\n" +
      "cpus = online CPUs; mem = RAM - 1GB (half of RAM below 2GB); disk = size of the work_dir\n" +
      "filesystem - 5GB (half below 10GB); ports = [31000-32000].",
  },
  attributes: {
    type: "string",
    placeholder: "attributes",
    help: "Attributes of the machine, e.g. 'rack:r1;zone:us-east-1a;ssd:1' (or file:///path).",
  },
  default_role: { type: "string", default: D.defaultRole, help: "Role of resources given without one, and of detected resources." },
  isolation: {
    type: "string",
    placeholder: "isolators",
    help:
      "Comma-separated isolators: cgroups/cpu, cgroups/mem, cgroups/pids (cgroups v1 or v2,\n" +
      "detected at run time; limits enforced, OOM → TASK_FAILED), posix/cpu, posix/mem\n" +
      "(monitoring only, nothing enforced), namespaces/pid (each task in its own pid namespace),\n" +
      "disk/du (sandbox usage watched; see --enforce_container_disk_quota). Default: cgroups when\n" +
      "the host has writable cgroups, else posix; the choice is logged at start and shown in /state.",
  },
  runtime_dir: {
    type: "string",
    placeholder: "path",
    help: "Per-container runtime files (launch script, pids, exit status). Default: plateau/<key>\nunder /run or /dev/shm when tmpfs (cleared at reboot, fast), else <work_dir>/runtime.",
  },
  cgroups_hierarchy: { type: "string", default: D.cgroupsHierarchy, help: "Where the cgroup hierarchies are mounted." },
  cgroups_root: {
    type: "string",
    placeholder: "name",
    help: "Parent cgroup of this agent's containers. Default: plateau/<hash of work_dir>, so several\nagents on one host keep apart.",
  },
  cgroups_enable_cfs: { type: "bool", default: D.cgroupsEnableCfs, help: "Enforce CPU limits with CFS bandwidth control (quota = cpus x 100ms per 100ms)." },
  cgroups_limit_swap: { type: "bool", default: D.cgroupsLimitSwap, help: "Limit memory plus swap (not only memory)." },
  container_disk_watch_interval: {
    type: "duration",
    default: formatDuration(D.containerDiskWatchIntervalMs),
    help: "How often the disk usage of each container's sandbox is measured (disk/du).",
  },
  enforce_container_disk_quota: {
    type: "bool",
    default: D.enforceContainerDiskQuota,
    help: "Fail a container whose sandbox grows beyond its disk resource\n(TASK_FAILED, REASON_CONTAINER_LIMITATION_DISK).",
  },
  executor_registration_timeout: {
    type: "duration",
    default: formatDuration(D.executorRegistrationTimeoutMs),
    help: "How long a custom executor has to SUBSCRIBE after launch before it is destroyed.",
  },
  executor_reregistration_timeout: {
    type: "duration",
    default: formatDuration(D.executorReregistrationTimeoutMs),
    help: "How long executors have to re-subscribe after an agent restart (at most 15secs).",
  },
  recover: {
    type: "string",
    default: D.recover,
    placeholder: "reconnect|cleanup",
    help: "reconnect: re-adopt tasks that survived an agent restart. cleanup: kill them\n(reported TASK_KILLED) and start afresh.",
  },
  strict: {
    type: "bool",
    default: D.strict,
    help: "Make recovery errors fatal. With --no-strict unreadable checkpoints are skipped.",
  },
  registration_backoff_factor: {
    type: "duration",
    default: formatDuration(D.registrationBackoffFactorMs),
    help: "(Re)registration attempts wait a random time in [0, b*2^n], n = failed attempts,\ncapped at 1mins.",
  },
  executor_shutdown_grace_period: {
    type: "duration",
    default: formatDuration(D.executorShutdownGracePeriodMs),
    help: "Time tasks get to exit after SIGTERM when their framework or the agent shuts down.",
  },
  gc_delay: {
    type: "duration",
    default: formatDuration(D.gcDelayMs),
    help: "Sandboxes of terminated executors are removed this long after their last change\n(sooner when the work_dir disk fills up; see --gc_disk_headroom).",
  },
  gc_disk_headroom: {
    type: "number",
    default: D.gcDiskHeadroom,
    help: "Sandbox GC age = gc_delay x max(0, 1 - headroom - disk usage of the work_dir filesystem).",
  },
  disk_watch_interval: { type: "duration", default: formatDuration(D.diskWatchIntervalMs), help: "How often sandbox GC runs." },
  recovery_timeout: {
    type: "duration",
    default: formatDuration(D.recoveryTimeoutMs),
    help: "Passed to checkpointing tasks as MESOS_RECOVERY_TIMEOUT.",
  },
  status_update_retry_interval_min: {
    type: "duration",
    default: formatDuration(D.statusUpdateRetryIntervalMinMs),
    help: "First retry of an unacknowledged status update (Plateau extension; doubles each retry).",
  },
  status_update_retry_interval_max: {
    type: "duration",
    default: formatDuration(D.statusUpdateRetryIntervalMaxMs),
    help: "Longest interval between status update retries (Plateau extension).",
  },
  exit_on_stdin_eof: {
    type: "bool",
    default: false,
    help: "Plateau extension: shut down, killing all tasks, when standard input reaches end-of-file\n(the parent process exited). Used when an agent is a managed child, e.g. `plateau local`.",
  },
  kill_tasks_on_shutdown: {
    type: "bool",
    default: false,
    help: "Plateau extension: on SIGTERM/SIGINT kill all tasks before exiting. By default tasks keep\nrunning and the next agent on the same work_dir re-adopts them. SIGUSR1 always kills them.",
  },
};

const str = (v: FlagValue) => (typeof v === "string" ? v : undefined);
const num = (v: FlagValue) => (typeof v === "number" ? v : undefined);
const bool = (v: FlagValue) => (typeof v === "boolean" ? v : undefined);

/** AgentOptions from parsed flag values; throws FlagError for missing/invalid ones. */
export function agentOptionsFromFlags(values: Record<string, FlagValue>): AgentOptions {
  const master = str(values.master);
  if (!master) throw new FlagError("Missing required flag --master (e.g. --master=127.0.0.1:5050)");
  if (isZkUrl(master)) {
    try {
      parseZkUrl(master);
    } catch (err) {
      throw new FlagError(`Failed to load flag 'master': ${(err as Error).message}`);
    }
  }
  const workDir = str(values.work_dir);
  if (!workDir) throw new FlagError("Missing required flag --work_dir");
  const recover = str(values.recover) ?? D.recover;
  if (recover !== "reconnect" && recover !== "cleanup") {
    throw new FlagError(`Failed to load flag 'recover': expected reconnect or cleanup, got '${recover}'`);
  }
  const port = num(values.port) ?? D.port;
  if (port < 0 || port > 65535) throw new FlagError(`Failed to load flag 'port': ${port} is not a port`);
  const ip = str(values.ip) ?? D.ip;
  let httpCredentials: Credential[] | undefined;
  if (values.http_credentials) {
    try {
      httpCredentials = parseCredentials(readFlagFile(String(values.http_credentials), "http_credentials"));
    } catch (err) {
      throw new FlagError(err instanceof CredentialsError && err.message.startsWith("Failed to load flag") ? err.message : `Failed to load flag 'http_credentials': ${(err as Error).message}`);
    }
  }
  checkPosture(ip, httpCredentials !== undefined, values.insecure === true, "--http_credentials", (line) => console.error(line));
  let credential: Credential | undefined;
  if (values.credential) {
    try {
      credential = parseCredential(readFlagFile(String(values.credential), "credential"));
    } catch (err) {
      throw new FlagError(err instanceof CredentialsError && err.message.startsWith("Failed to load flag") ? err.message : `Failed to load flag 'credential': ${(err as Error).message}`);
    }
  }
  return {
    master,
    workDir,
    credential,
    authenticateHttpExecutors: values.authenticate_http_executors as boolean | undefined,
    httpCredentials,
    ip: str(values.ip),
    port,
    hostname: str(values.hostname),
    resources: str(values.resources),
    attributes: str(values.attributes),
    defaultRole: str(values.default_role),
    isolation: str(values.isolation),
    runtimeDir: str(values.runtime_dir),
    cgroupsHierarchy: str(values.cgroups_hierarchy),
    cgroupsRoot: str(values.cgroups_root),
    cgroupsEnableCfs: bool(values.cgroups_enable_cfs),
    cgroupsLimitSwap: bool(values.cgroups_limit_swap),
    containerDiskWatchIntervalMs: num(values.container_disk_watch_interval),
    enforceContainerDiskQuota: bool(values.enforce_container_disk_quota),
    executorRegistrationTimeoutMs: num(values.executor_registration_timeout),
    executorReregistrationTimeoutMs: num(values.executor_reregistration_timeout),
    gcDiskHeadroom: num(values.gc_disk_headroom),
    diskWatchIntervalMs: num(values.disk_watch_interval),
    recover: recover as RecoverMode,
    strict: bool(values.strict),
    registrationBackoffFactorMs: num(values.registration_backoff_factor),
    executorShutdownGracePeriodMs: num(values.executor_shutdown_grace_period),
    gcDelayMs: num(values.gc_delay),
    recoveryTimeoutMs: num(values.recovery_timeout),
    statusUpdateRetryIntervalMinMs: num(values.status_update_retry_interval_min),
    statusUpdateRetryIntervalMaxMs: num(values.status_update_retry_interval_max),
    zkSessionTimeoutMs: num(values.zk_session_timeout),
  };
}
