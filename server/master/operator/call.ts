// The Mesos v1 master operator Call (include/mesos/v1/master/master.proto) as a zod schema, plus
// the structural validation Mesos runs after parsing (validation::master::call::validate).
// Plateau extensions: KILL_TASK (kill one task on behalf of an operator; Mesos has no such call)
// and GET_ELECTIONS (role, ZooKeeper session and election history; see ../../ha/wire.ts).
import { z } from "zod";
import { describeIssues } from "../../protocol/errors";
import { Id, KillPolicy, Nanos, Resource } from "../../protocol/mesos";
import { bool, double, Opaque, requiredEnum, uint32, uint64 } from "../../protocol/values";

export const MESOS_CALL_TYPES = [
  "UNKNOWN", "GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_METRICS", "GET_LOGGING_LEVEL", "SET_LOGGING_LEVEL",
  "LIST_FILES", "READ_FILE", "GET_STATE", "GET_AGENTS", "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_OPERATIONS",
  "GET_TASKS", "GET_ROLES", "GET_WEIGHTS", "UPDATE_WEIGHTS", "GET_MASTER", "SUBSCRIBE", "RESERVE_RESOURCES",
  "UNRESERVE_RESOURCES", "CREATE_VOLUMES", "DESTROY_VOLUMES", "GROW_VOLUME", "SHRINK_VOLUME",
  "GET_MAINTENANCE_STATUS", "GET_MAINTENANCE_SCHEDULE", "UPDATE_MAINTENANCE_SCHEDULE", "START_MAINTENANCE",
  "STOP_MAINTENANCE", "DRAIN_AGENT", "DEACTIVATE_AGENT", "REACTIVATE_AGENT", "GET_QUOTA", "UPDATE_QUOTA",
  "SET_QUOTA", "REMOVE_QUOTA", "TEARDOWN", "MARK_AGENT_GONE",
] as const;

/** Calls Plateau adds to the operator API (documented as Plateau-specific). */
export const PLATEAU_CALL_TYPES = ["KILL_TASK", "GET_ELECTIONS"] as const;

export const OPERATOR_CALL_TYPES = [...MESOS_CALL_TYPES, ...PLATEAU_CALL_TYPES] as const;
export type OperatorCallType = (typeof OPERATOR_CALL_TYPES)[number];

const Resources = z.array(Resource);
const QuotaAmounts = z.record(z.string(), z.object({ value: double }));

export const OperatorCall = z.object({
  type: requiredEnum(OPERATOR_CALL_TYPES),
  get_metrics: z.object({ timeout: Nanos.optional() }).optional(),
  set_logging_level: z.object({ level: uint32, duration: Nanos }).optional(),
  list_files: z.object({ path: z.string() }).optional(),
  read_file: z.object({ path: z.string(), offset: uint64, length: uint64.optional() }).optional(),
  update_weights: z.object({ weight_infos: z.array(z.object({ weight: double, role: z.string().optional() })).optional() }).optional(),
  reserve_resources: z.object({ agent_id: Id, source: Resources.optional(), resources: Resources.optional() }).optional(),
  unreserve_resources: z.object({ agent_id: Id, resources: Resources.optional() }).optional(),
  create_volumes: z.object({ agent_id: Id, volumes: Resources.optional() }).optional(),
  destroy_volumes: z.object({ agent_id: Id, volumes: Resources.optional() }).optional(),
  update_quota: z
    .object({
      force: bool.optional(),
      quota_configs: z.array(z.object({ role: z.string(), guarantees: QuotaAmounts.optional(), limits: QuotaAmounts.optional() })).optional(),
    })
    .optional(),
  teardown: z.object({ framework_id: Id }).optional(),
  kill_task: z.object({ framework_id: Id, task_id: Id, agent_id: Id.optional(), kill_policy: KillPolicy.optional() }).optional(),
  // Bodies of calls this layer does not implement (maintenance and drain calls are issue #7):
  // accepted loosely so that a handler installed later sees them.
  grow_volume: Opaque.optional(),
  shrink_volume: Opaque.optional(),
  update_maintenance_schedule: Opaque.optional(),
  start_maintenance: Opaque.optional(),
  stop_maintenance: Opaque.optional(),
  drain_agent: Opaque.optional(),
  deactivate_agent: Opaque.optional(),
  reactivate_agent: Opaque.optional(),
  set_quota: Opaque.optional(),
  remove_quota: Opaque.optional(),
  mark_agent_gone: Opaque.optional(),
});
export type OperatorCall = z.infer<typeof OperatorCall>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** JSON → Call (the "JSON → protobuf" step): unknown keys ignored, unknown call types refused. */
export function parseOperatorCall(json: unknown): ParseResult<OperatorCall> {
  const r = OperatorCall.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  // An unknown call type: stout's message for an unknown enum name.
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type === "string" && r.error.issues.some((i) => i.path.length === 1 && i.path[0] === "type" && i.code === "invalid_value")) {
    return { ok: false, error: `Failed to find enum for '${type}'` };
  }
  return { ok: false, error: describeIssues(r.error) };
}

/** The call's body key: the lower-cased call name (`GET_METRICS` → `get_metrics`). */
export function bodyKey(type: OperatorCallType): string {
  return type.toLowerCase();
}

/** Calls whose body message must be present (Mesos: "Expecting '<body>' to be present"). */
const BODY_REQUIRED = new Set<OperatorCallType>([
  "GET_METRICS", "SET_LOGGING_LEVEL", "LIST_FILES", "READ_FILE", "UPDATE_WEIGHTS", "RESERVE_RESOURCES",
  "UNRESERVE_RESOURCES", "CREATE_VOLUMES", "DESTROY_VOLUMES", "GROW_VOLUME", "SHRINK_VOLUME",
  "UPDATE_MAINTENANCE_SCHEDULE", "START_MAINTENANCE", "STOP_MAINTENANCE", "DRAIN_AGENT", "DEACTIVATE_AGENT",
  "REACTIVATE_AGENT", "UPDATE_QUOTA", "SET_QUOTA", "REMOVE_QUOTA", "TEARDOWN", "MARK_AGENT_GONE", "KILL_TASK",
]);

/** Structural checks after parsing; returns an error message (→ 400) or null. */
export function validateOperatorCall(call: OperatorCall): string | null {
  if (BODY_REQUIRED.has(call.type)) {
    const key = bodyKey(call.type);
    if ((call as Record<string, unknown>)[key] === undefined) return `Expecting '${key}' to be present`;
  }
  return null;
}
