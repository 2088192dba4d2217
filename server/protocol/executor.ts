// Mesos v1 executor HTTP API (include/mesos/v1/executor/executor.proto; agent-executor.md §1):
// calls an executor POSTs to the agent's /api/v1/executor, and the events the agent streams
// back on the SUBSCRIBE connection (RecordIO, JSON).
import { z } from "zod";
import { describeIssues } from "./errors";
import { ExecutorInfo, FrameworkInfo, KillPolicy, TaskInfo, TaskStatus } from "./mesos";
import { Id, bytes, requiredEnum } from "./values";

export const EXECUTOR_CALL_TYPES = ["UNKNOWN", "SUBSCRIBE", "UPDATE", "MESSAGE", "HEARTBEAT"] as const;

export const ExecutorCall = z.object({
  executor_id: Id,
  framework_id: Id,
  type: requiredEnum(EXECUTOR_CALL_TYPES),
  subscribe: z
    .object({
      unacknowledged_tasks: z.array(TaskInfo).optional(),
      unacknowledged_updates: z.array(z.object({ status: TaskStatus })).optional(),
    })
    .optional(),
  update: z.object({ status: TaskStatus }).optional(),
  message: z.object({ data: bytes }).optional(),
});
export type ExecutorCall = z.infer<typeof ExecutorCall>;

export function parseExecutorCall(json: unknown): { ok: true; value: ExecutorCall } | { ok: false; error: string } {
  const r = ExecutorCall.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: describeIssues(r.error) };
}

/** Mesos's validation of executor calls (common/validation.cpp, executor::call::validate). */
export function validateExecutorCall(call: ExecutorCall): string | null {
  switch (call.type) {
    case "SUBSCRIBE":
      if (call.subscribe === undefined) return "Expecting 'subscribe' to be present";
      return null;
    case "UPDATE": {
      if (call.update === undefined) return "Expecting 'update' to be present";
      const status = call.update.status;
      if (status.uuid === undefined) return "Expecting 'uuid' to be present";
      if (Buffer.from(status.uuid, "base64").length !== 16) return `Invalid 'uuid': expected 16 bytes`;
      if (status.state === "TASK_STAGING") return "Received TASK_STAGING from executor";
      if (status.source !== undefined && status.source !== "SOURCE_EXECUTOR") return `Received wrong status update source: ${status.source}`;
      if (status.executor_id !== undefined && status.executor_id.value !== call.executor_id.value) {
        return `ExecutorID in Call: ${call.executor_id.value} does not match ExecutorID in TaskStatus: ${status.executor_id.value}`;
      }
      return null;
    }
    case "MESSAGE":
      return call.message === undefined ? "Expecting 'message' to be present" : null;
    default:
      return null;
  }
}

/** Events the agent sends an executor (serialised as JSON, one RecordIO record each). */
export type ExecutorEvent =
  | {
      type: "SUBSCRIBED";
      subscribed: { executor_info: ExecutorInfo; framework_info: FrameworkInfo; agent_info: Record<string, unknown>; container_id: Id };
    }
  | { type: "LAUNCH"; launch: { task: TaskInfo } }
  | { type: "LAUNCH_GROUP"; launch_group: { task_group: { tasks: TaskInfo[] } } }
  | { type: "KILL"; kill: { task_id: Id; kill_policy?: KillPolicy } }
  | { type: "ACKNOWLEDGED"; acknowledged: { task_id: Id; uuid: string } }
  | { type: "MESSAGE"; message: { data: string } }
  | { type: "ERROR"; error: { message: string } }
  | { type: "SHUTDOWN" }
  | { type: "HEARTBEAT" };
