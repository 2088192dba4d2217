// The master's in-memory model. Lifecycle states are explicit unions; what the master wants
// (desired: e.g. a kill was requested) is kept apart from what agents reported (observed state).
import type { Resources } from "../resources";
import type {
  AgentInfo, ExecutorInfo, FrameworkCapability, FrameworkInfo, Id, TaskInfo, TaskState, TaskStatus,
} from "../protocol/mesos";
import type { TimerHandle } from "./clock";
import type { SchedulerStream } from "./http/stream";
import type { AgentLink } from "./agent-link";

export type FrameworkLifecycle =
  | "connected" // subscribed over an open stream
  | "disconnected" // stream lost; failover timer running
  | "recovered"; // known only from agents' re-registration after a master failover

export interface Task {
  frameworkId: string;
  agentId: string;
  executorId: string;
  info: TaskInfo;
  /** Latest state the agent reported (may be newer than the last update the scheduler saw). */
  state: TaskState;
  /** State / uuid of the update awaiting the scheduler's acknowledgement, if any. */
  statusUpdateState?: TaskState;
  statusUpdateUuid?: string;
  statuses: TaskStatus[];
  resources: Resources;
  user: string;
  /** Desired: the master has asked the agent to kill the task. */
  killRequested: boolean;
  unreachableTime?: number;
}

export interface Framework {
  id: string;
  info: FrameworkInfo & { id: Id };
  roles: string[];
  capabilities: Set<FrameworkCapability>;
  lifecycle: FrameworkLifecycle;
  stream: SchedulerStream | null;
  registeredTime: number;
  reregisteredTime?: number;
  unregisteredTime?: number;
  failoverTimer?: TimerHandle;
  suppressedRoles: Set<string>;
  /** Non-terminal tasks plus terminal ones whose terminal update is not yet acknowledged. */
  tasks: Map<string, Task>;
  unreachableTasks: Map<string, Task>;
  completedTasks: Task[];
  executors: Map<string, { agentId: string; info: ExecutorInfo }>;
  offers: Set<string>;
}

export interface CompletedFramework {
  framework: Framework;
  removedTime: number;
}

export type AgentConnection =
  | "connected" // live link
  | "disconnected" // link lost, waiting for it to come back (health checks running)
  | "recovered"; // in the registry after a master (re)start, not yet re-registered

export interface Agent {
  id: string;
  info: AgentInfo & { id: Id };
  endpoint: string;
  version: string;
  capabilities: string[];
  connection: AgentConnection;
  link: AgentLink | null;
  registeredTime: number;
  reregisteredTime?: number;
  total: Resources;
  /** Resources held in outstanding offers, per offer. */
  offeredIds: Set<string>;
  /** Framework id → task id → task. */
  tasks: Map<string, Map<string, Task>>;
  executors: Map<string, Map<string, ExecutorInfo>>;
  /** Operator deactivation (DEACTIVATE_AGENT / draining): no offers. */
  deactivated: boolean;
  /** DRAIN_AGENT state (Mesos DrainInfo), kept by ./maintenance; absent when not draining. */
  drainInfo?: { state: "DRAINING" | "DRAINED"; config: { max_grace_period?: { nanoseconds: number }; mark_gone: boolean } };
  missedPings: number;
  lastPongSeq: number;
  pingSeq: number;
}

export interface Offer {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  resources: Resources;
  createdAt: number;
  timeoutTimer?: TimerHandle;
}

export interface UnreachableAgent {
  id: string;
  info: AgentInfo & { id: Id };
  since: number;
}
