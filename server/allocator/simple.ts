// A simple fair allocator: each round, every active agent's available resources go, whole, to the
// eligible framework role with the smallest dominant share of the cluster. It honours roles
// (reserved resources only to their role), suppression, offer filters and weights. Quota is not
// enforced here (see the hierarchical DRF allocator for quota and hierarchical roles).
import { Resources } from "../resources";
import type { Allocator, AllocatorAgent, AllocatorFramework, OfferPlan, QuotaConfig, WeightInfo } from "./types";
import { OfferFilters } from "./filters";

interface AgentEntry {
  info: AllocatorAgent;
  allocated: Resources;
}

interface FrameworkEntry {
  info: AllocatorFramework;
  suppressed: Set<string>;
  /** Sum of everything allocated to this framework, by role. */
  allocated: Map<string, Resources>;
}

/** Smallest offer worth making (Mesos --min_allocatable_resources default cpus:0.01|mem:32). */
function isAllocatable(r: Resources): boolean {
  return r.scalar("cpus") >= 0.01 || r.scalar("mem") >= 32;
}

export class SimpleAllocator implements Allocator {
  private readonly agents = new Map<string, AgentEntry>();
  private readonly frameworks = new Map<string, FrameworkEntry>();
  private readonly filters = new OfferFilters();
  private readonly weights = new Map<string, number>();
  private rotation = 0;

  addFramework(id: string, info: AllocatorFramework, used: ReadonlyMap<string, Resources>): void {
    const entry: FrameworkEntry = { info, suppressed: new Set(info.suppressedRoles), allocated: new Map() };
    this.frameworks.set(id, entry);
    for (const [agentId, resources] of used) this.track(id, agentId, resources, +1);
  }

  updateFramework(id: string, info: AllocatorFramework): void {
    const entry = this.frameworks.get(id);
    if (!entry) return;
    entry.info = info;
    entry.suppressed = new Set(info.suppressedRoles);
  }

  removeFramework(id: string): void {
    this.frameworks.delete(id);
    this.filters.clearFramework(id);
  }

  activateFramework(id: string): void {
    const entry = this.frameworks.get(id);
    if (entry) entry.info = { ...entry.info, active: true };
  }

  deactivateFramework(id: string): void {
    const entry = this.frameworks.get(id);
    if (entry) entry.info = { ...entry.info, active: false };
  }

  addAgent(id: string, info: AllocatorAgent, used: ReadonlyMap<string, Resources>): void {
    this.agents.set(id, { info, allocated: Resources.empty() });
    for (const [frameworkId, resources] of used) this.track(frameworkId, id, resources, +1);
  }

  updateAgent(id: string, total: Resources): void {
    const entry = this.agents.get(id);
    if (entry) entry.info = { ...entry.info, total };
  }

  removeAgent(id: string): void {
    this.agents.delete(id);
    this.filters.clearAgent(id);
  }

  activateAgent(id: string): void {
    const entry = this.agents.get(id);
    if (entry) entry.info = { ...entry.info, active: true };
  }

  deactivateAgent(id: string): void {
    const entry = this.agents.get(id);
    if (entry) entry.info = { ...entry.info, active: false };
  }

  updateUnavailability(id: string, unavailability: AllocatorAgent["unavailability"]): void {
    const entry = this.agents.get(id);
    if (entry) entry.info = { ...entry.info, unavailability };
  }

  recoverResources(frameworkId: string, agentId: string, resources: Resources, refuseSeconds: number | undefined, now: number): void {
    this.track(frameworkId, agentId, resources, -1);
    if (refuseSeconds && refuseSeconds > 0 && this.agents.has(agentId) && this.frameworks.has(frameworkId)) {
      for (const [role, part] of resources.allocations()) {
        this.filters.add(frameworkId, role, agentId, part.unallocate(), now + refuseSeconds * 1000);
      }
    }
  }

  suppressOffers(frameworkId: string, roles: string[]): void {
    const entry = this.frameworks.get(frameworkId);
    if (!entry) return;
    for (const role of roles.length > 0 ? roles : entry.info.roles) entry.suppressed.add(role);
  }

  reviveOffers(frameworkId: string, roles: string[]): void {
    const entry = this.frameworks.get(frameworkId);
    if (!entry) return;
    const revived = new Set(roles.length > 0 ? roles : entry.info.roles);
    for (const role of revived) entry.suppressed.delete(role);
    this.filters.clearFramework(frameworkId, revived);
  }

  updateWeights(weights: WeightInfo[]): void {
    for (const w of weights) this.weights.set(w.role, w.weight);
  }

  updateQuota(_config: QuotaConfig): void {
    // Not enforced by the simple allocator.
  }

  allocate(now: number): OfferPlan[] {
    const plans: OfferPlan[] = [];
    const clusterTotal = this.clusterTotals();
    const agentIds = [...this.agents.keys()];
    if (agentIds.length === 0) return plans;
    this.rotation = (this.rotation + 1) % agentIds.length;
    for (let i = 0; i < agentIds.length; i++) {
      const agentId = agentIds[(i + this.rotation) % agentIds.length]!;
      const agent = this.agents.get(agentId)!;
      if (!agent.info.active) continue;
      const available = agent.info.total.subtract(agent.allocated);
      if (available.isEmpty()) continue;
      const choice = this.pickFramework(agentId, available, clusterTotal, now);
      if (!choice) continue;
      const resources = choice.resources.allocate(choice.role);
      this.track(choice.frameworkId, agentId, resources, +1);
      plans.push({ frameworkId: choice.frameworkId, agentId, role: choice.role, resources });
    }
    return plans;
  }

  private pickFramework(agentId: string, available: Resources, totals: Map<string, number>, now: number) {
    let best: { frameworkId: string; role: string; resources: Resources; share: number } | null = null;
    for (const [frameworkId, fw] of this.frameworks) {
      if (!fw.info.active) continue;
      for (const role of fw.info.roles) {
        if (fw.suppressed.has(role)) continue;
        const offerable = available.allocatableTo(role).filter((r) => !r.revocable || fw.info.capabilities.revocableResources);
        if (offerable.isEmpty() || !isAllocatable(offerable)) continue;
        if (this.filters.isFiltered(frameworkId, role, agentId, offerable, now)) continue;
        const share = this.dominantShare(fw, totals) / (this.weights.get(role) ?? 1);
        if (!best || share < best.share || (share === best.share && frameworkId < best.frameworkId)) {
          best = { frameworkId, role, resources: offerable, share };
        }
      }
    }
    return best;
  }

  private dominantShare(fw: FrameworkEntry, totals: Map<string, number>): number {
    let share = 0;
    for (const resources of fw.allocated.values()) {
      for (const [name, amount] of resources.quantities()) {
        const total = totals.get(name);
        if (total && total > 0) share = Math.max(share, amount / total);
      }
    }
    return share;
  }

  private clusterTotals(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const agent of this.agents.values()) {
      for (const [name, amount] of agent.info.total.quantities()) totals.set(name, (totals.get(name) ?? 0) + amount);
    }
    return totals;
  }

  private track(frameworkId: string, agentId: string, resources: Resources, sign: 1 | -1): void {
    const agent = this.agents.get(agentId);
    // Agent totals carry no allocation_info, so the agent's allocated sum is kept unallocated.
    const plain = resources.unallocate();
    if (agent) agent.allocated = sign > 0 ? agent.allocated.add(plain) : agent.allocated.subtract(plain);
    const fw = this.frameworks.get(frameworkId);
    if (!fw) return;
    for (const [role, part] of resources.allocations()) {
      const current = fw.allocated.get(role) ?? Resources.empty();
      fw.allocated.set(role, sign > 0 ? current.add(part) : current.subtract(part));
    }
  }
}
