// Mesos v1 scheduler API (include/mesos/v1/scheduler/scheduler.proto): calls in, events out.
import { z } from "zod";
import { describeIssues } from "./errors";
import {
  FrameworkInfo, Filters, Id, KillPolicy, OfferOperation, Resource, TaskStatus,
  type MasterInfo, type Offer, type Unavailability,
} from "./mesos";
import { bytes, requiredEnum } from "./values";

export const SCHEDULER_CALL_TYPES = [
  "UNKNOWN", "SUBSCRIBE", "TEARDOWN", "ACCEPT", "DECLINE", "ACCEPT_INVERSE_OFFERS", "DECLINE_INVERSE_OFFERS",
  "REVIVE", "KILL", "SHUTDOWN", "ACKNOWLEDGE", "ACKNOWLEDGE_OPERATION_STATUS", "RECONCILE",
  "RECONCILE_OPERATIONS", "MESSAGE", "REQUEST", "SUPPRESS", "UPDATE_FRAMEWORK",
] as const;
export type SchedulerCallType = (typeof SCHEDULER_CALL_TYPES)[number];

const Subscribe = z.object({
  framework_info: FrameworkInfo,
  suppressed_roles: z.array(z.string()).optional(),
  offer_constraints: z.record(z.string(), z.unknown()).optional(),
});

export const SchedulerCall = z.object({
  framework_id: Id.optional(),
  type: requiredEnum(SCHEDULER_CALL_TYPES),
  subscribe: Subscribe.optional(),
  accept: z
    .object({ offer_ids: z.array(Id).optional(), operations: z.array(OfferOperation).optional(), filters: Filters.optional() })
    .optional(),
  decline: z.object({ offer_ids: z.array(Id).optional(), filters: Filters.optional() }).optional(),
  accept_inverse_offers: z.object({ inverse_offer_ids: z.array(Id).optional(), filters: Filters.optional() }).optional(),
  decline_inverse_offers: z.object({ inverse_offer_ids: z.array(Id).optional(), filters: Filters.optional() }).optional(),
  revive: z.object({ roles: z.array(z.string()).optional() }).optional(),
  suppress: z.object({ roles: z.array(z.string()).optional() }).optional(),
  kill: z.object({ task_id: Id, agent_id: Id.optional(), kill_policy: KillPolicy.optional() }).optional(),
  shutdown: z.object({ executor_id: Id, agent_id: Id }).optional(),
  acknowledge: z.object({ agent_id: Id, task_id: Id, uuid: bytes }).optional(),
  acknowledge_operation_status: z
    .object({ agent_id: Id.optional(), resource_provider_id: Id.optional(), uuid: bytes, operation_id: Id })
    .optional(),
  reconcile: z.object({ tasks: z.array(z.object({ task_id: Id, agent_id: Id.optional() })).optional() }).optional(),
  reconcile_operations: z
    .object({
      operations: z
        .array(z.object({ operation_id: Id, agent_id: Id.optional(), resource_provider_id: Id.optional() }))
        .optional(),
    })
    .optional(),
  message: z.object({ agent_id: Id, executor_id: Id, data: bytes }).optional(),
  request: z.object({ requests: z.array(z.object({ agent_id: Id.optional(), resources: z.array(Resource).optional() })).optional() }).optional(),
  update_framework: Subscribe.optional(),
});
export type SchedulerCall = z.infer<typeof SchedulerCall>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Converts parsed JSON into a Call (the "JSON → protobuf" step). */
export function parseSchedulerCall(json: unknown): ParseResult<SchedulerCall> {
  const r = SchedulerCall.safeParse(json);
  if (!r.success) return { ok: false, error: describeIssues(r.error) };
  return { ok: true, value: r.data };
}

const BODY_REQUIRED: Partial<Record<SchedulerCallType, keyof SchedulerCall>> = {
  ACCEPT: "accept",
  DECLINE: "decline",
  ACCEPT_INVERSE_OFFERS: "accept_inverse_offers",
  DECLINE_INVERSE_OFFERS: "decline_inverse_offers",
  KILL: "kill",
  SHUTDOWN: "shutdown",
  ACKNOWLEDGE: "acknowledge",
  ACKNOWLEDGE_OPERATION_STATUS: "acknowledge_operation_status",
  RECONCILE: "reconcile",
  RECONCILE_OPERATIONS: "reconcile_operations",
  MESSAGE: "message",
  REQUEST: "request",
  UPDATE_FRAMEWORK: "update_framework",
};

/** Mesos `validation::scheduler::call::validate`: structural checks after parsing.
 *  Returns an error message or null. */
export function validateSchedulerCall(call: SchedulerCall): string | null {
  if (call.type === "SUBSCRIBE") {
    if (!call.subscribe) return "Expecting 'subscribe' to be present";
    const infoId = call.subscribe.framework_info.id?.value;
    if (infoId !== call.framework_id?.value) return "'framework_id' differs from 'subscribe.framework_info.id'";
    return null;
  }
  if (call.type === "UNKNOWN") return null;
  if (!call.framework_id) return "Expecting 'framework_id' to be present";
  const body = BODY_REQUIRED[call.type];
  if (body && call[body] === undefined) return `Expecting '${body}' to be present`;
  if (call.type === "ACKNOWLEDGE" && call.acknowledge) {
    if (Buffer.from(call.acknowledge.uuid, "base64").length !== 16) {
      return "Invalid UUID: 'uuid' must be 16 bytes";
    }
  }
  if (call.type === "UPDATE_FRAMEWORK" && call.update_framework) {
    if (call.update_framework.framework_info.id?.value !== call.framework_id.value) {
      return "'framework_id' differs from 'update_framework.framework_info.id'";
    }
  }
  return null;
}

// ---- Events (output) ----

export interface InverseOffer {
  id: Id;
  url: Offer["url"];
  framework_id: Id;
  agent_id: Id;
  unavailability: Unavailability;
  resources?: Resource[];
}

export type SchedulerEvent =
  | { type: "SUBSCRIBED"; subscribed: { framework_id: Id; heartbeat_interval_seconds: number; master_info: MasterInfo } }
  | { type: "OFFERS"; offers: { offers: Offer[] } }
  | { type: "INVERSE_OFFERS"; inverse_offers: { inverse_offers: InverseOffer[] } }
  | { type: "RESCIND"; rescind: { offer_id: Id } }
  | { type: "RESCIND_INVERSE_OFFER"; rescind_inverse_offer: { inverse_offer_id: Id } }
  | { type: "UPDATE"; update: { status: TaskStatus } }
  | { type: "MESSAGE"; message: { agent_id: Id; executor_id: Id; data: string } }
  | { type: "FAILURE"; failure: { agent_id?: Id; executor_id?: Id; status?: number } }
  | { type: "ERROR"; error: { message: string } }
  | { type: "UPDATE_OPERATION_STATUS"; update_operation_status: { status: OperationStatus } }
  | { type: "HEARTBEAT" };

/** Feedback on an offer operation that carried an `id` (scheduler-api.md §8). */
export interface OperationStatus {
  operation_id: Id;
  state: "OPERATION_PENDING" | "OPERATION_FINISHED" | "OPERATION_FAILED" | "OPERATION_ERROR" | "OPERATION_DROPPED";
  message?: string;
  agent_id?: Id;
  uuid?: string;
}

export type { Id };
