// Building task status updates, and the command executor's mapping from how a task ended to its
// terminal state (Mesos src/launcher/executor.cpp; agent-executor.md §7–8). Pure.
import { randomBytes } from "node:crypto";
import type { StatusUpdateMessage } from "../protocol/internal";
import type { Resource, TaskReason, TaskSource, TaskState, TaskStatus } from "../protocol/mesos";
import type { Termination } from "./containerizer/types";

export interface StatusFields {
  frameworkId: string;
  agentId: string;
  executorId?: string;
  taskId: string;
  state: TaskState;
  source: TaskSource;
  message?: string;
  reason?: TaskReason;
  containerStatus?: Record<string, unknown>;
  healthy?: boolean;
  limitation?: { resources?: Resource[] };
}

/** A fresh 16-byte update uuid, base64 (protobuf `bytes` in JSON). */
export const newUpdateUuid = () => randomBytes(16).toString("base64");

export function makeStatusUpdate(f: StatusFields, nowMs = Date.now()): StatusUpdateMessage {
  const status: TaskStatus = {
    task_id: { value: f.taskId },
    state: f.state,
    source: f.source,
    agent_id: { value: f.agentId },
    timestamp: nowMs / 1000,
    uuid: newUpdateUuid(),
  };
  if (f.executorId !== undefined) status.executor_id = { value: f.executorId };
  if (f.message !== undefined) status.message = f.message;
  if (f.reason !== undefined) status.reason = f.reason;
  if (f.containerStatus !== undefined) status.container_status = f.containerStatus;
  if (f.healthy !== undefined) status.healthy = f.healthy;
  if (f.limitation !== undefined) status.limitation = f.limitation;
  const update: StatusUpdateMessage = { framework_id: { value: f.frameworkId }, agent_id: { value: f.agentId }, status };
  if (f.executorId !== undefined) update.executor_id = { value: f.executorId };
  return update;
}

export interface TerminalOutcome {
  state: TaskState;
  source: TaskSource;
  message: string;
  reason?: TaskReason;
  healthy?: boolean;
  limitation?: { resources?: Resource[] };
}

/**
 * How a command task's container ended → its terminal update (Mesos's command executor and
 * containerizer): a resource limitation ⇒ TASK_FAILED from the agent with the limitation's
 * reason; a container that could not be set up ⇒ TASK_FAILED / REASON_CONTAINER_LAUNCH_FAILED;
 * killed on request ⇒ TASK_KILLED (with `healthy: false` when its health checks killed it);
 * exit 0 ⇒ TASK_FINISHED; otherwise TASK_FAILED. Messages: "Command exited with status N" /
 * "Command terminated with signal SIGxxx". A supervisor that vanished ⇒ TASK_FAILED /
 * REASON_EXECUTOR_TERMINATED from the agent.
 */
export function terminalOutcome(termination: Termination, killRequested: boolean, killedUnhealthy = false): TerminalOutcome {
  if (termination.limitation !== undefined) {
    return {
      state: "TASK_FAILED",
      source: "SOURCE_AGENT",
      reason: termination.limitation.reason,
      message: termination.limitation.message,
      limitation: { resources: termination.limitation.resources },
    };
  }
  if (termination.kind === "launch_failed") {
    return { state: "TASK_FAILED", source: "SOURCE_AGENT", reason: "REASON_CONTAINER_LAUNCH_FAILED", message: `Failed to launch container: ${termination.message}` };
  }
  if (termination.kind === "lost") {
    return {
      state: killRequested ? "TASK_KILLED" : "TASK_FAILED",
      source: "SOURCE_AGENT",
      reason: "REASON_EXECUTOR_TERMINATED",
      message: `Executor terminated: ${termination.message}`,
    };
  }
  const message =
    termination.kind === "exited"
      ? `Command exited with status ${termination.code}`
      : `Command terminated with signal ${termination.signal}`;
  const state: TaskState = killRequested
    ? "TASK_KILLED"
    : termination.kind === "exited" && termination.code === 0
      ? "TASK_FINISHED"
      : "TASK_FAILED";
  return { state, source: "SOURCE_EXECUTOR", message, ...(killedUnhealthy ? { healthy: false } : {}) };
}
