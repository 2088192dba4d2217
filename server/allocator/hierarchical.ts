// The hierarchical DRF allocator (Mesos's HierarchicalDRFAllocator) behind the Allocator port:
// roles sorted by weighted DRF over the role tree, frameworks sorted by DRF within each role,
// quota guarantees (with headroom held back) and limits, reservations offered only to their role
// subtree, per-(framework, role, agent) refusal filters, SUPPRESS/REVIVE per role.
//
// Pure: no timers, no I/O; time comes in as `now` (ms). The master calls `allocate(now)` every
// allocation interval and after events; plans are returned, one per (framework, role, agent).
import type { Resources } from "../resources";
import { AllocatorBook } from "./book";
import { toRecord } from "./quantities";
import { allocationRound, offerable } from "./round";
import type { AgentEntry, Client } from "./state";
import type {
  Allocator, AllocatorAgent, AllocatorFramework, AllocatorRoleSnapshot, AllocatorSnapshot, OfferPlan, QuotaConfig,
  WeightInfo,
} from "./types";

export interface HierarchicalAllocatorOptions {
  /** --min_allocatable_resources alternatives (default cpus:0.01 | mem:32). */
  minAllocatableResources?: Record<string, number>[];
  /** --filter_gpu_resources (default true): GPU agents only for GPU_RESOURCES frameworks. */
  filterGpuResources?: boolean;
  /** --fair_sharing_excluded_resource_names. */
  fairSharingExcludedResourceNames?: string[];
  /**
   * Order in which agents are visited each round: "shuffle" (default; like Mesos, so no agent is
   * always first — a deterministic PRNG keeps the module pure and runs reproducible) or
   * "sequential" (registration order; for tests that assert on placement).
   */
  agentOrder?: "shuffle" | "sequential";
  seed?: number;
  /** Initial weights (--weights); UPDATE_WEIGHTS replaces them role by role. */
  weights?: WeightInfo[];
}

export const DEFAULT_MIN_ALLOCATABLE: Record<string, number>[] = [{ cpus: 0.01 }, { mem: 32 }];

export class HierarchicalAllocator implements Allocator {
  readonly book: AllocatorBook;
  private readonly shuffle: boolean;
  private rng: number;
  private readonly weights = new Map<string, number>();
  /** Rounds run (for metrics). */
  rounds = 0;

  constructor(options: HierarchicalAllocatorOptions = {}) {
    this.book = new AllocatorBook({
      minAllocatable: options.minAllocatableResources ?? DEFAULT_MIN_ALLOCATABLE,
      filterGpuResources: options.filterGpuResources ?? true,
      fairnessExcludedNames: options.fairSharingExcludedResourceNames ?? [],
    });
    this.shuffle = (options.agentOrder ?? "shuffle") === "shuffle";
    this.rng = (options.seed ?? 0x9e3779b9) >>> 0 || 1;
    if (options.weights) this.updateWeights(options.weights);
  }

  // ── frameworks ──────────────────────────────────────────────────────────────────────────

  addFramework(frameworkId: string, framework: AllocatorFramework, used: ReadonlyMap<string, Resources>): void {
    const book = this.book;
    if (book.frameworks.has(frameworkId)) return this.updateFramework(frameworkId, framework);
    const fw = book.addFramework(frameworkId, framework);
    for (const [agentId, resources] of used) {
      const agent = book.agents.get(agentId);
      if (!agent) continue;
      const orphan = agent.orphans.get(frameworkId);
      if (orphan) {
        // Counted in the agent's available when the agent was added; now attribute it.
        agent.orphans.delete(frameworkId);
        for (const [role, part] of book.byRole(orphan, framework.roles[0] ?? "*")) book.track(agent, book.clientFor(fw, role), part);
      } else book.adoptUsed(agent, fw, resources);
    }
  }

  updateFramework(frameworkId: string, framework: AllocatorFramework): void {
    const fw = this.book.frameworks.get(frameworkId);
    if (!fw) return;
    fw.info = framework;
    fw.active = framework.active;
    fw.suppressed = new Set(framework.suppressedRoles);
    this.book.syncClients(fw);
  }

  removeFramework(frameworkId: string): void {
    const fw = this.book.frameworks.get(frameworkId);
    if (!fw) return;
    for (const client of [...fw.clients.values()]) this.book.removeClient(client);
    this.book.frameworks.delete(frameworkId);
  }

  activateFramework(frameworkId: string): void {
    this.setFrameworkActive(frameworkId, true);
  }

  deactivateFramework(frameworkId: string): void {
    this.setFrameworkActive(frameworkId, false);
  }

  private setFrameworkActive(frameworkId: string, active: boolean): void {
    const fw = this.book.frameworks.get(frameworkId);
    if (!fw) return;
    fw.active = active;
    for (const client of fw.clients.values()) this.book.syncActivity(client);
  }

  suppressOffers(frameworkId: string, roles: string[]): void {
    const fw = this.book.frameworks.get(frameworkId);
    if (!fw) return;
    for (const role of roles.length > 0 ? roles : fw.info.roles) {
      fw.suppressed.add(role);
      const client = fw.clients.get(role);
      if (client) this.book.syncActivity(client);
    }
  }

  reviveOffers(frameworkId: string, roles: string[]): void {
    const fw = this.book.frameworks.get(frameworkId);
    if (!fw) return;
    for (const role of roles.length > 0 ? roles : fw.info.roles) {
      fw.suppressed.delete(role);
      const client = fw.clients.get(role);
      if (!client) continue;
      this.book.filters.clearClient(client.slot);
      this.book.syncActivity(client);
    }
  }

  // ── agents ──────────────────────────────────────────────────────────────────────────────

  addAgent(agentId: string, agent: AllocatorAgent, used: ReadonlyMap<string, Resources>): void {
    const book = this.book;
    if (book.agents.has(agentId)) this.removeAgent(agentId);
    // Added inactive so that taking `used` out of available leaves the headroom alone.
    const entry = book.addAgent(agentId, { ...agent, active: false });
    for (const [frameworkId, resources] of used) {
      const fw = book.frameworks.get(frameworkId);
      if (fw) book.adoptUsed(entry, fw, resources);
      else {
        // Not known yet (the master adds it right after): hold the resources back unattributed.
        const plain = resources.unallocate();
        entry.available = entry.available.subtract(plain);
        entry.orphans.set(frameworkId, plain);
      }
    }
    entry.ref = entry.available;
    book.setActive(entry, agent.active);
  }

  updateAgent(agentId: string, total: Resources): void {
    const agent = this.book.agents.get(agentId);
    if (agent) this.book.setTotal(agent, total);
  }

  removeAgent(agentId: string): void {
    const agent = this.book.agents.get(agentId);
    if (agent) this.book.removeAgent(agent);
  }

  activateAgent(agentId: string): void {
    const agent = this.book.agents.get(agentId);
    if (agent) this.book.setActive(agent, true);
  }

  deactivateAgent(agentId: string): void {
    const agent = this.book.agents.get(agentId);
    if (agent) this.book.setActive(agent, false);
  }

  updateUnavailability(agentId: string, unavailability: AllocatorAgent["unavailability"]): void {
    const agent = this.book.agents.get(agentId);
    if (agent) agent.unavailability = unavailability;
  }

  // ── resources ───────────────────────────────────────────────────────────────────────────

  recoverResources(frameworkId: string, agentId: string, resources: Resources, refuseSeconds: number | undefined, now: number): void {
    const book = this.book;
    const agent = book.agents.get(agentId);
    if (!agent || resources.isEmpty()) return;
    const fw = book.frameworks.get(frameworkId);
    if (!fw) {
      const orphan = agent.orphans.get(frameworkId);
      if (orphan) this.recoverOrphan(agent, frameworkId, orphan, resources.unallocate());
      return;
    }
    // Usually an offer coming back whole: the very object one of the clients holds.
    for (let i = 0; i < fw.clientList.length; i++) {
      const client = fw.clientList[i]!;
      if (agent.allocations.get(client)?.allocated === resources) return this.recoverPart(agent, client, resources, refuseSeconds, now);
    }
    for (const [role, part] of book.byRole(resources, fw.info.roles[0] ?? "*")) {
      const client = fw.clients.get(role);
      if (client) this.recoverPart(agent, client, part, refuseSeconds, now);
    }
  }

  private recoverPart(agent: AgentEntry, client: Client, part: Resources, refuseSeconds: number | undefined, now: number): void {
    const book = this.book;
    const plain = book.release(agent, client, part);
    if (refuseSeconds !== undefined && refuseSeconds > 0 && client.subscribed && !plain.isEmpty()) {
      const expiresAt = now + refuseSeconds * 1000;
      const all = offerable(agent, client, agent.ref);
      if (plain === all || plain.contains(all)) book.filters.addFull(client.slot, agent.slot, expiresAt);
      else book.filters.addPartial(client.slot, agent.slot, { resources: plain, expiresAt });
    }
    if (!client.subscribed && client.holdings === 0) book.removeClient(client);
  }

  private recoverOrphan(agent: AgentEntry, frameworkId: string, held: Resources, plain: Resources): void {
    const taken = held.subtract(held.subtract(plain));
    const left = held.subtract(taken);
    if (left.isEmpty()) agent.orphans.delete(frameworkId);
    else agent.orphans.set(frameworkId, left);
    const wasActive = agent.active;
    this.book.setActive(agent, false);
    agent.available = agent.available.add(taken);
    if (!agent.ref.contains(agent.available)) {
      agent.ref = agent.available;
      this.book.filters.unmarkAgent(agent.slot);
    }
    this.book.setActive(agent, wasActive);
  }

  updateAllocation(frameworkId: string, agentId: string, from: Resources, to: Resources): void {
    const book = this.book;
    const agent = book.agents.get(agentId);
    const fw = book.frameworks.get(frameworkId);
    if (!agent || !fw) return;
    const [role] = [...book.byRole(from, fw.info.roles[0] ?? "*").keys()];
    const client = role === undefined ? undefined : fw.clients.get(role);
    const held = client && agent.allocations.get(client);
    if (!client || !held || !held.allocated.contains(from)) throw new Error(`Framework ${frameworkId} does not hold ${from} on agent ${agentId}`);
    const fromPlain = from.unallocate();
    const toPlain = to.unallocate();
    book.untrackHolding(agent, client, from, fromPlain);
    book.track(agent, client, to.allocate(client.role.name), toPlain);
    book.setTotal(agent, agent.total.subtract(fromPlain).add(toPlain));
  }

  updateAvailable(agentId: string, from: Resources, to: Resources): boolean {
    const agent = this.book.agents.get(agentId);
    if (!agent || !agent.available.contains(from)) return false;
    this.book.setTotal(agent, agent.total.subtract(from).add(to));
    return true;
  }

  // ── roles ───────────────────────────────────────────────────────────────────────────────

  updateWeights(weights: WeightInfo[]): void {
    for (const w of weights) {
      if (w.weight === 1) this.weights.delete(w.role);
      else this.weights.set(w.role, w.weight);
      this.book.roleSorter.updateWeight(w.role, w.weight);
    }
  }

  updateQuota(config: QuotaConfig): void {
    this.book.roles.setQuota(config);
  }

  consumedQuota(role: string): Record<string, number> {
    return toRecord(this.book.roles.get(role)?.consumed ?? []);
  }

  // ── allocation ──────────────────────────────────────────────────────────────────────────

  allocate(now: number, agentIds?: ReadonlySet<string>): OfferPlan[] {
    const book = this.book;
    this.rounds++;
    book.filters.expire(now);
    if (book.agentList.length === 0 || book.frameworks.size === 0) return [];
    // Nobody to offer to (e.g. a new leader whose frameworks have not re-subscribed yet): no walk
    // over every agent.
    if (!book.roleSorter.leaves().some((r) => r.payload.frameworks.activeCount > 0)) return [];
    if (agentIds !== undefined) {
      const order: AgentEntry[] = [];
      for (const id of agentIds) {
        const entry = book.agents.get(id);
        if (entry !== undefined) order.push(entry);
      }
      return order.length === 0 ? [] : allocationRound(book, order, now);
    }
    return allocationRound(book, this.agentOrder(), now);
  }

  private agentOrder(): readonly AgentEntry[] {
    const list = this.book.agentList;
    if (!this.shuffle) return [...list].sort((a, b) => a.slot - b.slot);
    const order = list.slice();
    for (let i = order.length - 1; i > 0; i--) {
      // xorshift32
      let x = this.rng;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.rng = x >>> 0;
      const j = this.rng % (i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    return order;
  }

  // ── views ───────────────────────────────────────────────────────────────────────────────

  snapshot(): AllocatorSnapshot {
    const book = this.book;
    const roles: AllocatorRoleSnapshot[] = [];
    for (const entry of book.roles.all()) {
      const frameworks = [];
      for (const fw of book.frameworks.values()) {
        const client = fw.clients.get(entry.name);
        if (!client) continue;
        frameworks.push({
          frameworkId: fw.id,
          dominantShare: entry.frameworks.dominantShare(fw.id),
          active: entry.frameworks.isActive(fw.id),
          suppressed: fw.suppressed.has(entry.name),
          subscribed: client.subscribed,
        });
      }
      roles.push({
        role: entry.name,
        weight: this.weights.get(entry.name) ?? 1,
        quota: entry.quota ? { ...entry.quota.config } : undefined,
        allocated: toRecord(entry.node ? book.roleSorter.allocation(entry.name) : []),
        reserved: toRecord(entry.reserved),
        consumed: toRecord(entry.consumed),
        dominantShare: entry.node ? book.roleSorter.dominantShare(entry.name) : 0,
        frameworks,
      });
    }
    roles.sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
    return {
      totals: toRecord(book.totals.vec),
      roles,
      weights: [...this.weights].map(([role, weight]) => ({ role, weight })),
      quotas: [...book.roles.quotaRoles].map((e) => ({ ...e.quota!.config })),
    };
  }
}
