// The master core: owns the cluster model (frameworks, agents, tasks, offers), the allocator and
// the registrar, and applies calls and agent messages through the handlers in this folder
// (frameworks.ts, offers.ts, accept.ts, tasks.ts, agents.ts). Everything here runs on the event
// loop; handlers mutate state synchronously and publish MasterEvents after each change.
import { randomUUID } from "node:crypto";
import type { Allocator } from "../allocator/types";
import type { MasterInfo, TaskStatus } from "../protocol/mesos";
import type { SchedulerCall, SchedulerEvent } from "../protocol/scheduler";
import type { Clock } from "./clock";
import type { MasterConfig } from "./config";
import { ipToUint32 } from "./config";
import { MasterEventBus } from "./events";
import type { Registrar } from "./registrar";
import type { Agent, CompletedFramework, Framework, Offer, Task, UnreachableAgent } from "./state";
import { MasterCounters, MetricsHistory } from "./metrics";
import { Timeline } from "./timeline";
import type { OfferOperationHandler } from "./accept";
import type { OfferOperation } from "../protocol/mesos";
import type { HaStatus } from "../ha/types";
import type { Maintenance } from "./maintenance/service";

export type MasterPhase = "recovering" | "leading" | "stopped";

export interface RecoveredAgent {
  id: string;
  info: Agent["info"];
}

export class Master {
  readonly id = randomUUID();
  readonly info: MasterInfo;
  readonly startTime: number;
  electedTime?: number;
  phase: MasterPhase = "recovering";

  readonly frameworks = new Map<string, Framework>();
  readonly completedFrameworks: CompletedFramework[] = [];
  readonly agents = new Map<string, Agent>();
  /** Admitted in the registry, not re-registered since this master took over. */
  readonly recoveredAgents = new Map<string, RecoveredAgent>();
  readonly unreachableAgents = new Map<string, UnreachableAgent>();
  readonly goneAgents = new Map<string, number>();
  readonly offers = new Map<string, Offer>();

  readonly events = new MasterEventBus();
  readonly counters = new MasterCounters();
  readonly timeline = new Timeline();
  /** Periodic cluster samples for the dashboard (filled by ./operator/history.ts). */
  readonly metricsHistory = new MetricsHistory();

  private frameworkSeq = 0;
  private agentSeq = 0;
  private offerSeq = 0;
  private allocationScheduled = false;
  allocationRuns = 0;
  allocationRunMs: number[] = [];

  constructor(
    readonly config: MasterConfig,
    readonly clock: Clock,
    readonly allocator: Allocator,
    readonly registrar: Registrar,
  ) {
    this.startTime = clock.now();
    this.info = {
      id: this.id,
      ip: ipToUint32(config.ip),
      port: config.port,
      pid: `master@${config.ip}:${config.port}`,
      hostname: config.hostname,
      version: config.version,
      address: { hostname: config.hostname, ip: config.ip, port: config.port },
      capabilities: [{ type: "AGENT_UPDATE" }, { type: "AGENT_DRAINING" }, { type: "QUOTA_V2" }],
    };
  }

  get isLeading(): boolean {
    return this.phase === "leading";
  }

  nextFrameworkId(): string {
    return `${this.id}-${String(this.frameworkSeq++).padStart(4, "0")}`;
  }

  nextAgentId(): string {
    return `${this.id}-S${this.agentSeq++}`;
  }

  nextOfferId(): string {
    return `${this.id}-O${this.offerSeq++}`;
  }

  /** Sends an event on the framework's subscription stream, if it has one. */
  sendToFramework(framework: Framework, event: SchedulerEvent): boolean {
    if (!framework.stream || framework.stream.isClosed) return false;
    this.counters.countEvent(framework.id, event.type);
    return framework.stream.send(event);
  }

  sendStatusUpdate(framework: Framework, status: TaskStatus): void {
    this.sendToFramework(framework, { type: "UPDATE", update: { status } });
  }

  findTask(frameworkId: string, taskId: string): Task | undefined {
    return this.frameworks.get(frameworkId)?.tasks.get(taskId);
  }

  /**
   * Asks for an allocation round soon (events such as a new agent, freed resources or REVIVE
   * should not wait a full allocation interval). Rounds are batched: many requests in the same
   * tick give one round.
   */
  requestAllocation(agentId?: string): void {
    if (!this.isLeading) return;
    // A round for specific agents (they arrived) unless a full round is already asked for.
    if (agentId !== undefined) {
      if (this.allocationScope === undefined) this.allocationScope = new Set([agentId]);
      else if (this.allocationScope !== "all") this.allocationScope.add(agentId);
    } else {
      this.allocationScope = "all";
    }
    if (this.allocationScheduled) return;
    this.allocationScheduled = true;
    this.clock.setTimeout(() => {
      const scope = this.allocationScope;
      this.allocationScheduled = false;
      this.allocationScope = undefined;
      this.runAllocation?.(scope === "all" ? undefined : scope);
    }, 0);
  }

  /** Agents the pending prompt round is for ("all": a full round). */
  private allocationScope: Set<string> | "all" | undefined;

  /** Installed by offers.ts (keeps this file free of the offer machinery). */
  runAllocation?: (agentIds?: ReadonlySet<string>) => void;

  /** Maintenance (inverse offers) plugs in here. */
  inverseOfferResponse?: (framework: Framework, call: SchedulerCall) => void;

  /** Maintenance schedule, machine modes and agent draining (./maintenance), installed while leading. */
  maintenance?: Maintenance;

  /** Handlers for non-LAUNCH offer operations (RESERVE, CREATE, …), by operation type. */
  readonly offerOperations = new Map<string, OfferOperationHandler>();

  /**
   * Operator-initiated operations on an agent's resources (RESERVE_RESOURCES, UNRESERVE_RESOURCES,
   * CREATE_VOLUMES, DESTROY_VOLUMES), installed together with agent-side support. The operator
   * API validates the request first; `apply` resolves once the operation is accepted and rejects
   * with the reason it cannot be applied (answered 409 Conflict). Absent: answered 501.
   */
  operatorOperations?: { apply(agentId: string, operation: OfferOperation, principal: string): Promise<void> };

  /**
   * High availability as this master sees it (role, ZooKeeper session, leader, election history),
   * installed by the process lifecycle (./lifecycle.ts). Answered by leaders and followers alike.
   */
  highAvailability?: () => Promise<HaStatus>;
}
