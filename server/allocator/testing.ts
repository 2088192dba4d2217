// A test harness for allocators: a simulated clock, agents and frameworks declared in one line
// each, and a record of every plan (offer) made. Outstanding offers are tracked the way the master
// tracks them, so tests can decline, launch on or rescind them and assert on what comes next.
import { Resources } from "../resources";
import { HierarchicalAllocator, type HierarchicalAllocatorOptions } from "./hierarchical";
import type { Allocator, AllocatorFramework, FrameworkCapabilities, OfferPlan } from "./types";

export const NO_CAPABILITIES: FrameworkCapabilities = {
  multiRole: true, revocableResources: false, gpuResources: false, reservationRefinement: true,
  sharedResources: false, partitionAware: true, regionAware: false,
};

export interface HarnessFramework {
  roles?: string[];
  suppressedRoles?: string[];
  capabilities?: Partial<FrameworkCapabilities>;
  active?: boolean;
  minAllocatableResources?: AllocatorFramework["minAllocatableResources"];
}

export interface RecordedOffer extends OfferPlan {
  id: number;
  time: number;
}

export class AllocatorHarness {
  now = Date.UTC(2026, 0, 1);
  readonly allocator: Allocator;
  /** Every plan ever made, in order. */
  readonly history: RecordedOffer[] = [];
  /** Offers not yet declined, used or rescinded. */
  readonly outstanding = new Map<number, RecordedOffer>();
  /** Resources in use by "tasks": frameworkId → agentId → resources (allocated form). */
  readonly used = new Map<string, Map<string, Resources>>();
  readonly totals = new Map<string, Resources>();
  private readonly frameworkInfo = new Map<string, AllocatorFramework>();
  private seq = 0;

  constructor(
    options: HierarchicalAllocatorOptions = {},
    readonly intervalMs = 1000,
  ) {
    this.allocator = new HierarchicalAllocator({ agentOrder: "sequential", ...options });
  }

  addAgent(id: string, resources: string | Resources, opts: { active?: boolean } = {}): void {
    const total = typeof resources === "string" ? Resources.parse(resources) : resources;
    this.totals.set(id, total);
    this.allocator.addAgent(id, { hostname: id, total, active: opts.active ?? true }, new Map());
  }

  addFramework(id: string, spec: HarnessFramework = {}): void {
    const info: AllocatorFramework = {
      roles: spec.roles ?? ["*"],
      suppressedRoles: spec.suppressedRoles ?? [],
      capabilities: { ...NO_CAPABILITIES, ...spec.capabilities },
      active: spec.active ?? true,
      minAllocatableResources: spec.minAllocatableResources,
    };
    this.frameworkInfo.set(id, info);
    this.allocator.addFramework(id, info, new Map());
  }

  updateFramework(id: string, spec: HarnessFramework): void {
    const info = { ...this.frameworkInfo.get(id)!, ...spec, capabilities: { ...this.frameworkInfo.get(id)!.capabilities, ...spec.capabilities } };
    this.frameworkInfo.set(id, info as AllocatorFramework);
    this.allocator.updateFramework(id, info as AllocatorFramework);
  }

  /** Advances the clock by `ms` (default one interval) and runs one allocation round. */
  tick(ms = this.intervalMs): RecordedOffer[] {
    this.now += ms;
    return this.allocate();
  }

  /** Runs a round at the current time (a prompt allocation). */
  allocate(): RecordedOffer[] {
    const plans = this.allocator.allocate(this.now).map((p) => ({ ...p, id: this.seq++, time: this.now }));
    for (const p of plans) {
      this.history.push(p);
      this.outstanding.set(p.id, p);
    }
    return plans;
  }

  decline(offer: RecordedOffer, refuseSeconds: number | undefined = 5): void {
    this.take(offer);
    this.allocator.recoverResources(offer.frameworkId, offer.agentId, offer.resources, refuseSeconds, this.now);
  }

  declineAll(refuseSeconds: number | undefined = 5): void {
    for (const offer of [...this.outstanding.values()]) this.decline(offer, refuseSeconds);
  }

  /** Rescind (or offer timeout): resources back without a filter. */
  rescind(offer: RecordedOffer): void {
    this.decline(offer, undefined);
  }

  /** ACCEPT launching a task on `resources` (text, unallocated); the rest goes back with a filter. */
  launch(offer: RecordedOffer, resources: string, refuseSeconds = 5): Resources {
    this.take(offer);
    const task = Resources.parse(resources).allocate(offer.role);
    if (!offer.resources.contains(task)) throw new Error(`task ${task} does not fit offer ${offer.resources}`);
    const byAgent = this.used.get(offer.frameworkId) ?? new Map<string, Resources>();
    byAgent.set(offer.agentId, (byAgent.get(offer.agentId) ?? Resources.empty()).add(task));
    this.used.set(offer.frameworkId, byAgent);
    const rest = offer.resources.subtract(task);
    if (!rest.isEmpty()) this.allocator.recoverResources(offer.frameworkId, offer.agentId, rest, refuseSeconds, this.now);
    return task;
  }

  /**
   * ACCEPT with a RESERVE/UNRESERVE-like conversion: `from` (allocated form, ⊆ the offer) becomes
   * `to`; the agent's total changes with it and the rest of the offer goes back with a filter.
   */
  convert(offer: RecordedOffer, from: Resources, to: Resources, refuseSeconds = 0): void {
    this.take(offer);
    if (!offer.resources.contains(from)) throw new Error(`${from} is not in offer ${offer.resources}`);
    this.allocator.updateAllocation!(offer.frameworkId, offer.agentId, from, to);
    this.totals.set(offer.agentId, this.totals.get(offer.agentId)!.subtract(from.unallocate()).add(to.unallocate()));
    const rest = offer.resources.subtract(from).add(to);
    this.allocator.recoverResources(offer.frameworkId, offer.agentId, rest, refuseSeconds, this.now);
  }

  /** Operator-initiated conversion of unallocated resources (RESERVE_RESOURCES…); false when not available. */
  convertAvailable(agentId: string, from: Resources, to: Resources): boolean {
    if (!this.allocator.updateAvailable!(agentId, from, to)) return false;
    this.totals.set(agentId, this.totals.get(agentId)!.subtract(from).add(to));
    return true;
  }

  /** A task ended: its resources go back (no filter). */
  finish(frameworkId: string, agentId: string, task: Resources): void {
    const byAgent = this.used.get(frameworkId)!;
    byAgent.set(agentId, byAgent.get(agentId)!.subtract(task));
    this.allocator.recoverResources(frameworkId, agentId, task, undefined, this.now);
  }

  private take(offer: RecordedOffer): void {
    if (!this.outstanding.delete(offer.id)) throw new Error(`offer ${offer.id} is not outstanding`);
  }

  /** Outstanding offers of a framework (optionally on one agent). */
  offersOf(frameworkId: string, agentId?: string): RecordedOffer[] {
    return [...this.outstanding.values()].filter((o) => o.frameworkId === frameworkId && (agentId === undefined || o.agentId === agentId));
  }

  /** "framework@agent(role)" for each plan, for compact assertions. */
  static summary(plans: readonly OfferPlan[]): string[] {
    return plans.map((p) => `${p.frameworkId}@${p.agentId}(${p.role})`);
  }

  /** Everything allocated on an agent: outstanding offers plus tasks (allocated form). */
  allocatedOn(agentId: string): Resources {
    let sum = Resources.empty();
    for (const o of this.outstanding.values()) if (o.agentId === agentId) sum = sum.add(o.resources);
    for (const byAgent of this.used.values()) sum = sum.add(byAgent.get(agentId) ?? Resources.empty());
    return sum;
  }
}

/** Canonical text of resources (parts sorted), e.g. "cpus(ops):2;cpus:4;mem:512". */
export function text(resources: Resources | string): string {
  const r = typeof resources === "string" ? Resources.parse(resources) : resources.unallocate();
  return r.toString().split(";").filter(Boolean).sort().join(";");
}
