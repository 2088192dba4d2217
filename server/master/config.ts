// Master configuration (from flags; see ../cli/master-flags.ts). Durations in ms.
export interface MasterConfig {
  ip: string;
  port: number;
  hostname: string;
  /** Advertised cluster name (Mesos --cluster). */
  cluster?: string;
  version: string;
  heartbeatIntervalMs: number;
  allocationIntervalMs: number;
  /** Rescind offers held longer than this; undefined = never. */
  offerTimeoutMs?: number;
  agentPingTimeoutMs: number;
  maxAgentPingTimeouts: number;
  agentReregisterTimeoutMs: number;
  maxCompletedFrameworks: number;
  maxCompletedTasksPerFramework: number;
  maxUnreachableTasksPerFramework: number;
  /** Flags as shown by /master/flags and GET_FLAGS. */
  displayFlags: Record<string, string>;
  /** --weights (role=weight,…): used until weights are persisted by UPDATE_WEIGHTS. */
  weights?: { role: string; weight: number }[];
  /** --min_allocatable_resources alternatives (undefined: cpus:0.01 | mem:32). */
  minAllocatableResources?: Record<string, number>[];
}

export const PLATEAU_VERSION = "1.11.0";

export function defaultMasterConfig(overrides: Partial<MasterConfig> = {}): MasterConfig {
  return {
    ip: "127.0.0.1",
    port: 5050,
    hostname: overrides.ip ?? "127.0.0.1",
    version: PLATEAU_VERSION,
    heartbeatIntervalMs: 15_000,
    allocationIntervalMs: 1_000,
    agentPingTimeoutMs: 15_000,
    maxAgentPingTimeouts: 5,
    agentReregisterTimeoutMs: 600_000,
    maxCompletedFrameworks: 50,
    maxCompletedTasksPerFramework: 1000,
    maxUnreachableTasksPerFramework: 1000,
    displayFlags: {},
    ...overrides,
  };
}

/** IPv4 in network byte order read as a host-order uint32 (MasterInfo.ip). */
export function ipToUint32(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return 0;
  return ((parts[0]! | (parts[1]! << 8) | (parts[2]! << 16) | (parts[3]! << 24)) >>> 0);
}
