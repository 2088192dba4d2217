// `plateau master` flags (Mesos names and defaults where Mesos has the flag).
import type { FlagSpecs, FlagValue } from "./flags";
import { FlagError, flagsForDisplay } from "./flags";
import { parseMinAllocatable, parseWeightsFlag } from "../allocator/quota";
import { defaultMasterConfig, type MasterConfig } from "../master/config";
import type { OperatorOptions } from "../master/operator";
import { MASTER_SECURITY_FLAGS } from "../security/flags";

export const MASTER_FLAGS: FlagSpecs = {
  ip: { type: "string", default: "127.0.0.1", help: "IP address to listen on. Loopback by default; a non-loopback address exposes the\nmaster to the network." },
  port: { type: "int", default: 5050, help: "Port to listen on (HTTP: Mesos APIs, dashboard, tRPC and the agents' link)." },
  hostname: { type: "string", placeholder: "host", help: "Hostname advertised in MasterInfo and used in redirects (default: the --ip)." },
  work_dir: { type: "string", default: ".plateau/master", placeholder: "dir", help: "Directory for the master's own files (SQLite registry, log)." },
  registry: {
    type: "string",
    placeholder: "url",
    help: "Where the registry lives: a SQLite file path or file: URL (default <work_dir>/registry.db),\n'in_memory' (nothing survives a restart), or postgresql://user@host:port/db (shared by\nall masters for high availability).",
  },
  cluster: { type: "string", placeholder: "name", help: "Human-readable cluster name shown in the dashboard and /master/state." },
  allocation_interval: { type: "duration", default: "1secs", help: "Period of batch allocation; events (new agent, freed resources, REVIVE) also trigger\na prompt round." },
  offer_timeout: { type: "duration", placeholder: "duration", help: "Rescind offers held longer than this (default: offers never time out)." },
  weights: { type: "string", placeholder: "role=weight,...", help: "Initial role weights, e.g. 'eng=2,ops=0.5' (deprecated in Mesos: ignored once weights have\nbeen set with UPDATE_WEIGHTS, which persists them)." },
  min_allocatable_resources: { type: "string", default: "cpus:0.01|mem:32", help: "Offer an agent's resources only if they reach one of these '|'-separated sets of\nquantities (';' joins quantities within a set)." },
  agent_ping_timeout: { type: "duration", default: "15secs", aliases: ["slave_ping_timeout"], help: "Interval of master→agent pings; an agent must answer before the next one." },
  max_agent_ping_timeouts: { type: "int", default: 5, aliases: ["max_slave_ping_timeouts"], help: "Consecutive missed pings after which an agent is marked unreachable." },
  agent_reregister_timeout: { type: "duration", default: "10mins", aliases: ["slave_reregister_timeout"], help: "After a master failover, time agents have to re-register before they are\nmarked unreachable." },
  max_completed_frameworks: { type: "int", default: 50, help: "Completed frameworks kept in memory." },
  max_completed_tasks_per_framework: { type: "int", default: 1000, help: "Completed tasks kept in memory per framework." },
  max_unreachable_tasks_per_framework: { type: "int", default: 1000, help: "Unreachable tasks kept in memory per framework." },
  heartbeat_interval: { type: "duration", default: "15secs", help: "Plateau extension: interval of HEARTBEAT events on scheduler streams (Mesos: fixed 15secs)." },
  dashboard: { type: "bool", default: true, help: "Serve the operations dashboard (Next.js) on the same port." },
  zk: {
    type: "string",
    placeholder: "zk://host:port/path",
    help: "ZooKeeper URL for leader election among several masters, e.g.\nzk://127.0.0.1:2181/plateau, zk://user:pass@h1:2181,h2:2181/plateau, or file:///path holding\nsuch a URL. Masters contend as Mesos masters do (ephemeral sequential json.info_ nodes with\nMasterInfo JSON; lowest sequence leads). Use with --registry=postgresql://… shared by all\nmasters. Omit for a standalone master.",
  },
  max_operator_event_stream_subscribers: { type: "int", default: 1000, help: "Operator API SUBSCRIBE streams kept open at once; the oldest is closed beyond this." },
  timeline_max_entries: { type: "int", default: 10000, help: "Plateau extension: event timeline entries kept in the registry (the dashboard's history)." },
  metrics_sample_interval: { type: "duration", default: "5secs", help: "Plateau extension: interval of the cluster metric samples behind the dashboard's charts." },
  metrics_history: { type: "duration", default: "1days", help: "Plateau extension: how long metric samples are kept (in memory and in the registry)." },
  zk_session_timeout: { type: "duration", default: "10secs", help: "ZooKeeper session timeout. A leader whose session expires, or that is cut off from\nZooKeeper for longer than this, stops leading at once and contends again." },
  ...MASTER_SECURITY_FLAGS,
};

export function masterConfigFromFlags(values: Record<string, FlagValue>): MasterConfig {
  const ip = String(values.ip);
  return defaultMasterConfig({
    ip,
    port: Number(values.port),
    hostname: (values.hostname as string | undefined) ?? ip,
    cluster: values.cluster as string | undefined,
    allocationIntervalMs: Number(values.allocation_interval),
    offerTimeoutMs: values.offer_timeout as number | undefined,
    agentPingTimeoutMs: Number(values.agent_ping_timeout),
    maxAgentPingTimeouts: Number(values.max_agent_ping_timeouts),
    agentReregisterTimeoutMs: Number(values.agent_reregister_timeout),
    maxCompletedFrameworks: Number(values.max_completed_frameworks),
    maxCompletedTasksPerFramework: Number(values.max_completed_tasks_per_framework),
    maxUnreachableTasksPerFramework: Number(values.max_unreachable_tasks_per_framework),
    heartbeatIntervalMs: Number(values.heartbeat_interval),
    displayFlags: flagsForDisplay(MASTER_FLAGS, values),
    weights: values.weights ? flagParse("weights", () => parseWeightsFlag(String(values.weights))) : undefined,
    minAllocatableResources: flagParse("min_allocatable_resources", () => parseMinAllocatable(String(values.min_allocatable_resources))),
  });
}

/** Operator layer options from flags (the master's log file is added by the caller). */
export function operatorOptionsFromFlags(values: Record<string, FlagValue>): OperatorOptions {
  return {
    maxOperatorSubscribers: Number(values.max_operator_event_stream_subscribers),
    timelineMaxEntries: Number(values.timeline_max_entries),
    metricsSampleIntervalMs: Number(values.metrics_sample_interval),
    metricsRetentionMs: Number(values.metrics_history),
  };
}

function flagParse<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new FlagError(`Failed to load flag '${name}': ${(err as Error).message}`);
  }
}
