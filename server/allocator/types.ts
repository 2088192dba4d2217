// The allocator port: the master tells the allocator what exists and what was used; the allocator
// answers `allocate(now)` with offer plans. Pure policy: no timers, no I/O — time comes in as an
// argument and nothing here calls back into the master (Mesos's allocator interface, minus the
// callbacks: plans are return values).
//
// Resource accounting contract: every resource the allocator hands out in a plan counts as
// allocated to that framework on that agent until the master gives it back with
// `recoverResources` (declined, rescinded, unused part of an ACCEPT, or a task's resources once
// the task is terminal). Resources in plans carry `allocation_info.role`.
import type { Resources } from "../resources";

export interface FrameworkCapabilities {
  multiRole: boolean;
  revocableResources: boolean;
  gpuResources: boolean;
  reservationRefinement: boolean;
  sharedResources: boolean;
  partitionAware: boolean;
  regionAware: boolean;
}

export interface AllocatorFramework {
  /** Roles the framework is subscribed to (one for non-MULTI_ROLE frameworks). */
  roles: string[];
  suppressedRoles: string[];
  capabilities: FrameworkCapabilities;
  active: boolean;
  /**
   * FrameworkInfo.offer_filters: per role, the minimum offer shape (alternatives of
   * `{name: quantity}`, one of which an offer must meet). Absent: the cluster default
   * (--min_allocatable_resources).
   */
  minAllocatableResources?: Record<string, Record<string, number>[]>;
}

export interface AllocatorAgent {
  hostname: string;
  total: Resources;
  active: boolean;
  /** Set while the agent's machine has a maintenance window (ns since epoch). */
  unavailability?: { startNs: number; durationNs?: number };
}

export interface OfferPlan {
  frameworkId: string;
  agentId: string;
  role: string;
  /** Allocated to `role` (allocation_info set). */
  resources: Resources;
}

export interface WeightInfo {
  role: string;
  weight: number;
}

export interface QuotaConfig {
  role: string;
  /** name → amount (scalars only). */
  guarantees: Record<string, number>;
  limits: Record<string, number>;
}

export interface Allocator {
  addFramework(frameworkId: string, framework: AllocatorFramework, used: ReadonlyMap<string, Resources>): void;
  updateFramework(frameworkId: string, framework: AllocatorFramework): void;
  removeFramework(frameworkId: string): void;
  activateFramework(frameworkId: string): void;
  deactivateFramework(frameworkId: string): void;

  addAgent(agentId: string, agent: AllocatorAgent, used: ReadonlyMap<string, Resources>): void;
  /** Replace an agent's total (e.g. after a reservation changed it). */
  updateAgent(agentId: string, total: Resources): void;
  removeAgent(agentId: string): void;
  activateAgent(agentId: string): void;
  deactivateAgent(agentId: string): void;
  updateUnavailability(agentId: string, unavailability: AllocatorAgent["unavailability"]): void;

  /**
   * Give resources back. `refuseSeconds` (already defaulted/capped by the master; undefined or 0
   * means no filter) hides these resources on this agent from this framework's role until
   * `now + refuseSeconds`.
   */
  recoverResources(frameworkId: string, agentId: string, resources: Resources, refuseSeconds: number | undefined, now: number): void;

  /** Stop offering to these roles of the framework (all of its roles when `roles` is empty). */
  suppressOffers(frameworkId: string, roles: string[]): void;
  /** Resume offering to these roles (all when empty) and clear their offer filters. */
  reviveOffers(frameworkId: string, roles: string[]): void;

  updateWeights(weights: WeightInfo[]): void;
  updateQuota(config: QuotaConfig): void;

  /**
   * One allocation round at time `now` (ms since epoch), over every agent or only `agentIds`
   * (Mesos's allocate(slaveIds): a round triggered by agents arriving looks at them alone).
   */
  allocate(now: number, agentIds?: ReadonlySet<string>): OfferPlan[];

  /**
   * RESERVE/UNRESERVE/CREATE/DESTROY inside an ACCEPT (server/master/operations.ts): the framework's allocated
   * `from` (allocated form, ⊆ what it holds on the agent) becomes `to` (allocated form, same
   * quantities, e.g. now reserved); the agent's total changes accordingly. Optional.
   */
  updateAllocation?(frameworkId: string, agentId: string, from: Resources, to: Resources): void;
  /**
   * Operator RESERVE_RESOURCES etc.: unallocated `from` on the agent becomes `to`
   * (both without allocation_info). Returns false, changing nothing, when `from` is not available.
   */
  updateAvailable?(agentId: string, from: Resources, to: Resources): boolean;

  /** Read-only view of roles, weights, quota and shares (dashboard, GET_ROLES). Optional. */
  snapshot?(): AllocatorSnapshot;
  /**
   * Live quota consumption of a role subtree: its reservations plus the unreserved,
   * non-revocable resources allocated to it (offered or used). Optional.
   */
  consumedQuota?(role: string): Record<string, number>;
}

export interface AllocatorFrameworkShare {
  frameworkId: string;
  /** Dominant share of the framework's allocation in this role (unweighted). */
  dominantShare: number;
  active: boolean;
  suppressed: boolean;
  /** Still subscribed to the role (false: only holding resources allocated earlier). */
  subscribed: boolean;
}

export interface AllocatorRoleSnapshot {
  role: string;
  weight: number;
  quota?: QuotaConfig;
  /** Scalars allocated to exactly this role (offered or used). */
  allocated: Record<string, number>;
  /** Scalars reserved for exactly this role on registered agents. */
  reserved: Record<string, number>;
  /** Quota consumption of the role subtree (see consumedQuota). */
  consumed: Record<string, number>;
  /** Dominant share of the role among roles (unweighted; divide by weight for the sort key). */
  dominantShare: number;
  frameworks: AllocatorFrameworkShare[];
}

export interface AllocatorSnapshot {
  /** Scalar totals of all registered agents. */
  totals: Record<string, number>;
  roles: AllocatorRoleSnapshot[];
  weights: WeightInfo[];
  quotas: QuotaConfig[];
}
