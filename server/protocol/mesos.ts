// Common Mesos v1 messages (include/mesos/v1/mesos.proto) as zod schemas. Field names are the
// proto names. Schemas strip unknown keys; sub-messages Plateau only echoes are `Opaque`.
import { z } from "zod";
import { Id, Labels, Nanos, Opaque, bool, bytes, double, int64, optionalEnum, requiredEnum, uint32, uint64 } from "./values";

export const Scalar = z.object({ value: double });
export const Range = z.object({ begin: uint64, end: uint64 });
export const Ranges = z.object({ range: z.array(Range).optional() });
export const ValueSet = z.object({ item: z.array(z.string()).optional() });
export const Text = z.object({ value: z.string() });

export const ReservationInfo = z.object({
  type: optionalEnum(["UNKNOWN", "STATIC", "DYNAMIC"]),
  role: z.string().optional(),
  principal: z.string().optional(),
  labels: Labels.optional(),
});
export type ReservationInfo = z.infer<typeof ReservationInfo>;

export const DiskInfo = z.object({
  persistence: z.object({ id: z.string(), principal: z.string().optional() }).optional(),
  volume: z
    .object({
      mode: requiredEnum(["RW", "RO"]),
      container_path: z.string(),
      host_path: z.string().optional(),
      image: Opaque.optional(),
      source: Opaque.optional(),
    })
    .optional(),
  source: z
    .object({
      type: requiredEnum(["UNKNOWN", "PATH", "MOUNT", "BLOCK", "RAW"]),
      path: z.object({ root: z.string().optional() }).optional(),
      mount: z.object({ root: z.string().optional() }).optional(),
      vendor: z.string().optional(),
      id: z.string().optional(),
      metadata: Labels.optional(),
      profile: z.string().optional(),
    })
    .optional(),
});
export type DiskInfo = z.infer<typeof DiskInfo>;

export const Resource = z.object({
  provider_id: Id.optional(),
  name: z.string(),
  type: requiredEnum(["SCALAR", "RANGES", "SET"]),
  scalar: Scalar.optional(),
  ranges: Ranges.optional(),
  set: ValueSet.optional(),
  role: z.string().optional(),
  allocation_info: z.object({ role: z.string().optional() }).optional(),
  reservation: ReservationInfo.optional(),
  reservations: z.array(ReservationInfo).optional(),
  disk: DiskInfo.optional(),
  revocable: z.object({}).optional(),
  shared: z.object({}).optional(),
});
export type Resource = z.infer<typeof Resource>;

export const Attribute = z.object({
  name: z.string(),
  type: requiredEnum(["SCALAR", "RANGES", "SET", "TEXT"]),
  scalar: Scalar.optional(),
  ranges: Ranges.optional(),
  set: ValueSet.optional(),
  text: Text.optional(),
});
export type Attribute = z.infer<typeof Attribute>;

export const DomainInfo = z.object({
  fault_domain: z
    .object({ region: z.object({ name: z.string() }), zone: z.object({ name: z.string() }) })
    .optional(),
});
export type DomainInfo = z.infer<typeof DomainInfo>;

export const Environment = z.object({
  variables: z
    .array(
      z.object({
        name: z.string(),
        type: optionalEnum(["UNKNOWN", "VALUE", "SECRET"]),
        value: z.string().optional(),
        secret: Opaque.optional(),
      }),
    )
    .optional(),
});

export const CommandInfo = z.object({
  uris: z
    .array(
      z.object({
        value: z.string(),
        executable: bool.optional(),
        extract: bool.optional(),
        cache: bool.optional(),
        output_file: z.string().optional(),
      }),
    )
    .optional(),
  environment: Environment.optional(),
  shell: bool.optional(),
  value: z.string().optional(),
  arguments: z.array(z.string()).optional(),
  user: z.string().optional(),
});
export type CommandInfo = z.infer<typeof CommandInfo>;

export const KillPolicy = z.object({ grace_period: Nanos.optional() });
export type KillPolicy = z.infer<typeof KillPolicy>;

export const HealthCheck = z.object({
  type: optionalEnum(["UNKNOWN", "COMMAND", "HTTP", "TCP"]),
  command: CommandInfo.optional(),
  http: z
    .object({
      port: uint32,
      path: z.string().optional(),
      scheme: z.string().optional(),
      statuses: z.array(uint32).optional(),
      protocol: optionalEnum(["IPv4", "IPv6"]),
    })
    .optional(),
  tcp: z.object({ port: uint32, protocol: optionalEnum(["IPv4", "IPv6"]) }).optional(),
  delay_seconds: double.optional(),
  interval_seconds: double.optional(),
  timeout_seconds: double.optional(),
  consecutive_failures: uint32.optional(),
  grace_period_seconds: double.optional(),
});
export type HealthCheck = z.infer<typeof HealthCheck>;

export const ExecutorInfo = z.object({
  type: optionalEnum(["UNKNOWN", "DEFAULT", "CUSTOM"]),
  executor_id: Id,
  framework_id: Id.optional(),
  command: CommandInfo.optional(),
  container: Opaque.optional(),
  resources: z.array(Resource).optional(),
  name: z.string().optional(),
  source: z.string().optional(),
  data: bytes.optional(),
  discovery: Opaque.optional(),
  shutdown_grace_period: Nanos.optional(),
  labels: Labels.optional(),
});
export type ExecutorInfo = z.infer<typeof ExecutorInfo>;

export const TaskInfo = z.object({
  name: z.string(),
  task_id: Id,
  agent_id: Id,
  resources: z.array(Resource).optional(),
  executor: ExecutorInfo.optional(),
  command: CommandInfo.optional(),
  container: Opaque.optional(),
  health_check: HealthCheck.optional(),
  check: Opaque.optional(),
  kill_policy: KillPolicy.optional(),
  data: bytes.optional(),
  labels: Labels.optional(),
  discovery: Opaque.optional(),
  max_completion_time: Nanos.optional(),
  limits: z.record(z.string(), Scalar).optional(),
});
export type TaskInfo = z.infer<typeof TaskInfo>;

export const TASK_STATES = [
  "TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_FINISHED", "TASK_FAILED",
  "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_UNREACHABLE", "TASK_GONE",
  "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN",
] as const;
export type TaskState = (typeof TASK_STATES)[number];

const TERMINAL = new Set<TaskState>([
  "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE",
  "TASK_GONE_BY_OPERATOR",
]);
export function isTerminalState(state: TaskState): boolean {
  return TERMINAL.has(state);
}

export const TASK_SOURCES = ["SOURCE_MASTER", "SOURCE_AGENT", "SOURCE_EXECUTOR"] as const;
export type TaskSource = (typeof TASK_SOURCES)[number];

export const TASK_REASONS = [
  "REASON_COMMAND_EXECUTOR_FAILED", "REASON_EXECUTOR_TERMINATED", "REASON_EXECUTOR_UNREGISTERED",
  "REASON_FRAMEWORK_REMOVED", "REASON_GC_ERROR", "REASON_INVALID_FRAMEWORKID", "REASON_INVALID_OFFERS",
  "REASON_MASTER_DISCONNECTED", "REASON_CONTAINER_LIMITATION_MEMORY", "REASON_RECONCILIATION",
  "REASON_AGENT_DISCONNECTED", "REASON_AGENT_REMOVED", "REASON_AGENT_RESTARTED", "REASON_AGENT_UNKNOWN",
  "REASON_TASK_INVALID", "REASON_TASK_UNAUTHORIZED", "REASON_TASK_UNKNOWN", "REASON_CONTAINER_PREEMPTED",
  "REASON_RESOURCES_UNKNOWN", "REASON_CONTAINER_LIMITATION", "REASON_CONTAINER_LIMITATION_DISK",
  "REASON_CONTAINER_LAUNCH_FAILED", "REASON_CONTAINER_UPDATE_FAILED", "REASON_EXECUTOR_REGISTRATION_TIMEOUT",
  "REASON_EXECUTOR_REREGISTRATION_TIMEOUT", "REASON_TASK_GROUP_INVALID", "REASON_TASK_GROUP_UNAUTHORIZED",
  "REASON_IO_SWITCHBOARD_EXITED", "REASON_TASK_CHECK_STATUS_UPDATED", "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED",
  "REASON_TASK_KILLED_DURING_LAUNCH", "REASON_AGENT_REMOVED_BY_OPERATOR", "REASON_AGENT_REREGISTERED",
  "REASON_MAX_COMPLETION_TIME_REACHED", "REASON_AGENT_DRAINING",
] as const;
export type TaskReason = (typeof TASK_REASONS)[number];

export const TaskStatus = z.object({
  task_id: Id,
  state: requiredEnum(TASK_STATES),
  message: z.string().optional(),
  source: optionalEnum(TASK_SOURCES),
  reason: optionalEnum(TASK_REASONS),
  data: bytes.optional(),
  agent_id: Id.optional(),
  executor_id: Id.optional(),
  timestamp: double.optional(),
  uuid: bytes.optional(),
  healthy: bool.optional(),
  check_status: Opaque.optional(),
  labels: Labels.optional(),
  container_status: Opaque.optional(),
  unreachable_time: Nanos.optional(),
  limitation: z.object({ resources: z.array(Resource).optional() }).optional(),
});
export type TaskStatus = z.infer<typeof TaskStatus>;

export const FRAMEWORK_CAPABILITIES = [
  "UNKNOWN", "REVOCABLE_RESOURCES", "TASK_KILLING_STATE", "GPU_RESOURCES", "SHARED_RESOURCES",
  "PARTITION_AWARE", "MULTI_ROLE", "RESERVATION_REFINEMENT", "REGION_AWARE",
] as const;
export type FrameworkCapability = (typeof FRAMEWORK_CAPABILITIES)[number];

export const FrameworkInfo = z.object({
  user: z.string(),
  name: z.string(),
  id: Id.optional(),
  failover_timeout: double.optional(),
  checkpoint: bool.optional(),
  role: z.string().optional(),
  roles: z.array(z.string()).optional(),
  hostname: z.string().optional(),
  principal: z.string().optional(),
  webui_url: z.string().optional(),
  capabilities: z.array(z.object({ type: optionalEnum(FRAMEWORK_CAPABILITIES) })).optional(),
  labels: Labels.optional(),
  offer_filters: Opaque.optional(),
});
export type FrameworkInfo = z.infer<typeof FrameworkInfo>;

export const Filters = z.object({ refuse_seconds: double.optional() });
export type Filters = z.infer<typeof Filters>;

export const OPERATION_TYPES = [
  "UNKNOWN", "LAUNCH", "LAUNCH_GROUP", "RESERVE", "UNRESERVE", "CREATE", "DESTROY", "GROW_VOLUME",
  "SHRINK_VOLUME", "CREATE_DISK", "DESTROY_DISK",
] as const;

export const OfferOperation = z.object({
  type: requiredEnum(OPERATION_TYPES),
  id: Id.optional(),
  launch: z.object({ task_infos: z.array(TaskInfo).optional() }).optional(),
  launch_group: z
    .object({ executor: ExecutorInfo, task_group: z.object({ tasks: z.array(TaskInfo).optional() }) })
    .optional(),
  reserve: z.object({ source: z.array(Resource).optional(), resources: z.array(Resource).optional() }).optional(),
  unreserve: z.object({ resources: z.array(Resource).optional() }).optional(),
  create: z.object({ volumes: z.array(Resource).optional() }).optional(),
  destroy: z.object({ volumes: z.array(Resource).optional() }).optional(),
  grow_volume: Opaque.optional(),
  shrink_volume: Opaque.optional(),
  create_disk: Opaque.optional(),
  destroy_disk: Opaque.optional(),
});
export type OfferOperation = z.infer<typeof OfferOperation>;

export const Unavailability = z.object({ start: Nanos, duration: Nanos.optional() });
export type Unavailability = z.infer<typeof Unavailability>;

export const MachineID = z.object({ hostname: z.string().optional(), ip: z.string().optional() });
export type MachineID = z.infer<typeof MachineID>;

// ---- Output-only shapes (written by Plateau, so plain interfaces) ----

export interface Address {
  hostname?: string;
  ip?: string;
  port: number;
}

export interface MasterInfo {
  id: string;
  ip: number;
  port: number;
  pid: string;
  hostname: string;
  version: string;
  address: Address;
  domain?: DomainInfo;
  capabilities?: { type: string }[];
}

export interface AgentInfo {
  hostname: string;
  port: number;
  resources: Resource[];
  attributes: Attribute[];
  id?: Id;
  domain?: DomainInfo;
}

export interface URL {
  scheme: string;
  address: Address;
  path?: string;
  query?: { key: string; value?: string }[];
  fragment?: string;
}

export interface Offer {
  id: Id;
  framework_id: Id;
  agent_id: Id;
  hostname: string;
  url: URL;
  domain?: DomainInfo;
  resources: Resource[];
  attributes?: Attribute[];
  executor_ids?: Id[];
  unavailability?: Unavailability;
  allocation_info: { role: string };
}

export { Id, Labels, Nanos, int64 };
