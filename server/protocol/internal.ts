// The internal master ⇄ agent protocol (Plateau's own; Mesos uses libprocess messages here).
//
// Transport: one WebSocket per agent, opened by the agent to the leading master at
// `/internal/agent` (the master's HTTP port). Each frame is one JSON message `{type, ...}`.
// The socket is the agent's link: its loss is an agent disconnection; PING/PONG over it is
// the master's health check. Messages are validated with these schemas on receipt, by both
// sides, so a misbehaving peer gets an ERROR frame, never a crash.
import { z } from "zod";
import {
  Attribute, DomainInfo, ExecutorInfo, FrameworkInfo, KillPolicy, Resource, TASK_STATES, TaskInfo, TaskStatus,
} from "./mesos";
import { describeIssues } from "./errors";
import { parseJsonBody } from "./json";
import { Id, bytes, int64, uint32 } from "./values";

export const INTERNAL_AGENT_PATH = "/internal/agent";
/** Bumped when the internal protocol changes incompatibly. */
export const INTERNAL_PROTOCOL_VERSION = 1;

export const AgentInfoSchema = z.object({
  hostname: z.string(),
  port: uint32,
  resources: z.array(Resource),
  attributes: z.array(Attribute),
  id: Id.optional(),
  domain: DomainInfo.optional(),
});

/** A task as the agent reports it when re-registering. */
export const AgentTask = z.object({
  framework_id: Id,
  executor_id: Id,
  task: TaskInfo,
  state: z.enum(TASK_STATES),
  /** Latest status the agent holds for the task (acknowledged or not). */
  statuses: z.array(TaskStatus),
  /** State of the oldest update not yet acknowledged by the scheduler, if any. */
  status_update_state: z.enum(TASK_STATES).optional(),
  status_update_uuid: bytes.optional(),
});
export type AgentTask = z.infer<typeof AgentTask>;

export const StatusUpdateMessage = z.object({
  framework_id: Id,
  executor_id: Id.optional(),
  agent_id: Id,
  status: TaskStatus,
  /** Latest state the agent knows for the task (may be newer than status.state). */
  latest_state: z.enum(TASK_STATES).optional(),
});
export type StatusUpdateMessage = z.infer<typeof StatusUpdateMessage>;

export const AgentToMaster = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("REGISTER_AGENT"),
    protocol_version: z.number(),
    agent_info: AgentInfoSchema,
    version: z.string(),
    capabilities: z.array(z.string()),
    /** Plateau extension: advertised HTTP endpoint of the agent (ip:port). */
    endpoint: z.string(),
    /** Dynamically reserved resources and persistent volumes from the agent's checkpoint. */
    checkpointed_resources: z.array(Resource).optional(),
  }),
  z.object({
    type: z.literal("REREGISTER_AGENT"),
    protocol_version: z.number(),
    agent_info: AgentInfoSchema,
    version: z.string(),
    capabilities: z.array(z.string()),
    endpoint: z.string(),
    checkpointed_resources: z.array(Resource).optional(),
    frameworks: z.array(FrameworkInfo),
    executors: z.array(ExecutorInfo),
    tasks: z.array(AgentTask),
  }),
  z.object({ type: z.literal("STATUS_UPDATE"), update: StatusUpdateMessage }),
  z.object({ type: z.literal("PONG"), seq: int64 }),
  z.object({ type: z.literal("EXECUTOR_TO_FRAMEWORK"), agent_id: Id, framework_id: Id, executor_id: Id, data: bytes }),
  z.object({ type: z.literal("EXITED_EXECUTOR"), agent_id: Id, framework_id: Id, executor_id: Id, status: int64 }),
  z.object({ type: z.literal("UNREGISTER_AGENT"), agent_id: Id }),
]);
export type AgentToMaster = z.infer<typeof AgentToMaster>;

export const MasterInfoSchema = z.object({
  id: z.string(),
  ip: z.number(),
  port: z.number(),
  pid: z.string(),
  hostname: z.string(),
  version: z.string(),
  address: z.object({ hostname: z.string().optional(), ip: z.string().optional(), port: z.number() }),
  capabilities: z.array(z.object({ type: z.string() })).optional(),
});

export const MasterToAgent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("AGENT_REGISTERED"),
    agent_id: Id,
    master_info: MasterInfoSchema,
    ping_interval_ms: z.number(),
  }),
  z.object({
    type: z.literal("AGENT_REREGISTERED"),
    agent_id: Id,
    master_info: MasterInfoSchema,
    ping_interval_ms: z.number(),
    /** Tasks the master believes run on this agent that the agent did not report. */
    unknown_tasks: z.array(z.object({ framework_id: Id, task_id: Id })).optional(),
  }),
  z.object({
    type: z.literal("RUN_TASK"),
    framework: FrameworkInfo,
    task: TaskInfo,
  }),
  /** LAUNCH_GROUP: the tasks (without `executor`) go to `executor` together (LAUNCH_GROUP event / default executor). */
  z.object({
    type: z.literal("RUN_TASK_GROUP"),
    framework: FrameworkInfo,
    executor: ExecutorInfo,
    task_group: z.object({ tasks: z.array(TaskInfo) }),
  }),
  z.object({ type: z.literal("KILL_TASK"), framework_id: Id, task_id: Id, kill_policy: KillPolicy.optional() }),
  z.object({
    type: z.literal("STATUS_UPDATE_ACKNOWLEDGEMENT"),
    agent_id: Id,
    framework_id: Id,
    task_id: Id,
    uuid: bytes,
  }),
  z.object({ type: z.literal("PING"), seq: int64 }),
  z.object({ type: z.literal("SHUTDOWN_FRAMEWORK"), framework_id: Id }),
  z.object({ type: z.literal("UPDATE_FRAMEWORK"), framework_id: Id, framework_info: FrameworkInfo }),
  z.object({ type: z.literal("SHUTDOWN_AGENT"), message: z.string() }),
  z.object({ type: z.literal("FRAMEWORK_TO_EXECUTOR"), framework_id: Id, executor_id: Id, data: bytes }),
  /** Scheduler SHUTDOWN call: the executor gets SHUTDOWN (command executors: their task is killed). */
  z.object({ type: z.literal("SHUTDOWN_EXECUTOR"), framework_id: Id, executor_id: Id }),
  z.object({ type: z.literal("ERROR"), message: z.string() }),
  /**
   * The agent's complete checkpointed resources (dynamic reservations and persistent volumes)
   * after a RESERVE/UNRESERVE/CREATE/DESTROY (Mesos's CheckpointResourcesMessage): the agent
   * checkpoints them and creates/removes volume directories.
   */
  z.object({ type: z.literal("CHECKPOINT_RESOURCES"), resources: z.array(Resource) }),
]);
export type MasterToAgent = z.infer<typeof MasterToAgent>;

export type InternalParse<T> = { ok: true; message: T } | { ok: false; error: string };

function parseFrame<T>(schema: z.ZodType<T>, text: string): InternalParse<T> {
  let json: unknown;
  try {
    json = parseJsonBody(text);
  } catch (err) {
    return { ok: false, error: `Malformed JSON: ${(err as Error).message}` };
  }
  const r = schema.safeParse(json);
  return r.success ? { ok: true, message: r.data } : { ok: false, error: describeIssues(r.error) };
}

export const parseAgentMessage = (text: string) => parseFrame(AgentToMaster, text);
export const parseMasterMessage = (text: string) => parseFrame(MasterToAgent, text);

export { ExecutorInfo, FrameworkInfo };
