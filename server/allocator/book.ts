// The hierarchical allocator's books: agents, frameworks and their per-role clients, the role
// tree and sorters, offer filters and quota headroom — and the two mutations everything else is
// built from, `allocateTo` and `release`, which keep all of them consistent:
//
//   agent.available + Σ agent.allocations (unallocated) = agent.total
//   client sorter allocation = Σ over agents of its scalar allocation; role sorter likewise
//   role consumption = reservations + unreserved non-revocable allocations (subtrees)
//   availableHeadroom = Σ over active agents of unreserved non-revocable available scalars
import { Resources } from "../resources";
import { FilterIndex } from "./filter-index";
import { addInto, isNonScalarName, isZero, learnTypes, nameIndex, scalarsOf, subtractInto, type QVec } from "./quantities";
import { RoleTree, type RoleEntry } from "./role-tree";
import { DRFSorter, type SharedTotals } from "./sorter";
import {
  KIND_GPU, KIND_REFINED, KIND_RESERVED, KIND_REVOCABLE, KIND_SHARED,
  Holdings, type AgentEntry, type Client, type FrameworkEntry, type Holding, type MinAllocatable,
} from "./state";
import type { AllocatorAgent, AllocatorFramework, OfferPlan } from "./types";

const EMPTY = Resources.empty();
/** Kinds that make part of an agent's resources not count as quota headroom. */
const FREE_KINDS = KIND_RESERVED | KIND_REVOCABLE;

export interface BookOptions {
  minAllocatable: Record<string, number>[];
  filterGpuResources: boolean;
  fairnessExcludedNames: string[];
}

export function compileMinAllocatable(alternatives: readonly Record<string, number>[]): MinAllocatable {
  return alternatives.map((alt) =>
    Object.entries(alt).map(([name, amount]) => ({ index: nameIndex(name), milli: Math.round(amount * 1000), scalar: true, name })),
  );
}

/** Does `resources` (scalars `q`) meet one of the alternatives? An empty list accepts anything. */
export function meetsMinimum(min: MinAllocatable, q: QVec, resources: Resources): boolean {
  if (min.length === 0) return !resources.isEmpty();
  let counts: Map<string, number> | undefined;
  for (const alt of min) {
    let ok = true;
    for (const req of alt) {
      let have = q[req.index] ?? 0;
      if (have < req.milli && isNonScalarName(req.name)) {
        counts ??= resources.quantities();
        have = Math.round((counts.get(req.name) ?? 0) * 1000);
      }
      if (have < req.milli) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

function kindsOf(total: Resources, filterGpu: boolean): number {
  let kinds = 0;
  if (!total.reserved().isEmpty()) kinds |= KIND_RESERVED;
  if (!total.revocable().isEmpty()) kinds |= KIND_REVOCABLE;
  if (!total.shared().isEmpty()) kinds |= KIND_SHARED;
  if (!total.filter((r) => (r.reservations?.length ?? 0) > 1).isEmpty()) kinds |= KIND_REFINED;
  if (filterGpu && total.scalar("gpus") > 0) kinds |= KIND_GPU;
  return kinds;
}

function reservationsByRole(total: Resources): Map<string, QVec> {
  const out = new Map<string, QVec>();
  for (const r of total.reserved().nonRevocable().toArray()) {
    if (r.type !== "SCALAR" || r.scalar === undefined) continue;
    const role = r.reservations!.at(-1)!.role ?? "*";
    const q = out.get(role) ?? [];
    const i = nameIndex(r.name);
    while (q.length <= i) q.push(0);
    q[i] = q[i]! + Math.round(r.scalar.value * 1000);
    out.set(role, q);
  }
  return out;
}

export class AllocatorBook {
  readonly agents = new Map<string, AgentEntry>();
  readonly agentList: AgentEntry[] = [];
  readonly frameworks = new Map<string, FrameworkEntry>();
  readonly roles: RoleTree;
  readonly roleSorter: DRFSorter<RoleEntry>;
  /** Scalar totals of all agents: what every share is a fraction of. */
  readonly totals: SharedTotals = { vec: [], epoch: 0 };
  readonly filters = new FilterIndex();
  /** Unallocated unreserved non-revocable scalars on active agents. */
  readonly availableHeadroom: QVec = [];
  readonly minAllocatable: MinAllocatable;
  readonly filterGpu: boolean;
  private readonly excludedNames: number[];
  private readonly freeAgentSlots: number[] = [];
  private agentSlots = 0;
  private readonly freeClientSlots: number[] = [];
  private clientSlots = 0;

  constructor(options: BookOptions) {
    this.minAllocatable = compileMinAllocatable(options.minAllocatable);
    this.filterGpu = options.filterGpuResources;
    this.excludedNames = options.fairnessExcludedNames.map(nameIndex);
    this.roleSorter = new DRFSorter<RoleEntry>({ hierarchical: true, excludedNames: this.excludedNames, totals: this.totals });
    this.roles = new RoleTree(this.totals, this.excludedNames);
  }

  // ── agents ──────────────────────────────────────────────────────────────────────────────

  addAgent(id: string, info: AllocatorAgent): AgentEntry {
    const slot = this.freeAgentSlots.pop() ?? this.agentSlots++;
    this.filters.ensureCapacity(this.agentSlots, this.clientSlots);
    this.filters.unmarkAgent(slot);
    const agent: AgentEntry = {
      id, slot, hostname: info.hostname, total: EMPTY, available: EMPTY, ref: EMPTY, active: false,
      unavailability: info.unavailability, kinds: 0, totalQ: [], reservedByRole: new Map(),
      allocations: new Holdings(), orphans: new Map(), listIndex: this.agentList.length,
      memoPlain: undefined, memoRole: "", memoAllocated: undefined, qRes: undefined, q: [],
    };
    this.agents.set(id, agent);
    this.agentList.push(agent);
    this.setTotal(agent, info.total);
    this.setActive(agent, info.active);
    return agent;
  }

  /** Replaces an agent's total; available = total − allocations (never negative). */
  setTotal(agent: AgentEntry, total: Resources): void {
    const wasActive = agent.active;
    this.setActive(agent, false);
    subtractInto(this.totals.vec as QVec, agent.totalQ);
    for (const [role, q] of agent.reservedByRole) {
      const entry = this.roles.ensure(role);
      this.roles.addReserved(entry, q, -1);
      this.roles.gc(entry);
    }

    learnTypes(total);
    agent.total = total;
    agent.kinds = kindsOf(total, this.filterGpu);
    agent.totalQ = scalarsOf(total);
    agent.reservedByRole = reservationsByRole(total);
    let available = total;
    for (const held of agent.allocations.all()) available = available.subtract(held.plain);
    for (const used of agent.orphans.values()) available = available.subtract(used);
    agent.available = available;
    agent.ref = available;
    this.filters.unmarkAgent(agent.slot);

    addInto(this.totals.vec as QVec, agent.totalQ);
    this.totals.epoch++;
    for (const [role, q] of agent.reservedByRole) this.roles.addReserved(this.roles.ensure(role), q, 1);
    this.setActive(agent, wasActive);
  }

  setActive(agent: AgentEntry, active: boolean): void {
    if (agent.active === active) return;
    agent.active = active;
    const q = this.headroomOf(agent, agent.available);
    if (active) addInto(this.availableHeadroom, q);
    else subtractInto(this.availableHeadroom, q);
  }

  removeAgent(agent: AgentEntry): void {
    for (const held of agent.allocations.all()) this.untrack(agent, held.client, held, held.allocated, held.plain);
    agent.orphans.clear();
    this.setTotal(agent, EMPTY);
    this.setActive(agent, false);
    this.filters.clearAgent(agent.slot);
    this.agents.delete(agent.id);
    const last = this.agentList.pop()!;
    if (last !== agent) {
      this.agentList[agent.listIndex] = last;
      last.listIndex = agent.listIndex;
    }
    this.freeAgentSlots.push(agent.slot);
  }

  /** Scalar quantities of resources on `agent`, memoised per agent for the object last asked. */
  qOf(agent: AgentEntry, resources: Resources): QVec {
    if (agent.qRes === resources) return agent.q;
    const q = scalarsOf(resources);
    agent.qRes = resources;
    agent.q = q;
    return q;
  }

  /** Unreserved non-revocable scalars of `resources` on `agent` (quota's currency). */
  headroomOf(agent: AgentEntry, resources: Resources): QVec {
    if ((agent.kinds & FREE_KINDS) === 0) return this.qOf(agent, resources);
    return scalarsOf(resources.unreserved().nonRevocable());
  }

  // ── frameworks and clients ──────────────────────────────────────────────────────────────

  addFramework(id: string, info: AllocatorFramework): FrameworkEntry {
    const fw: FrameworkEntry = { id, info, active: info.active, clients: new Map(), clientList: [], suppressed: new Set(info.suppressedRoles) };
    this.frameworks.set(id, fw);
    this.syncClients(fw);
    return fw;
  }

  /** Brings the framework's clients in line with its roles, suppression, activity and capabilities. */
  syncClients(fw: FrameworkEntry): void {
    const roles = new Set(fw.info.roles);
    for (const role of roles) if (!fw.clients.has(role)) this.addClient(fw, role);
    for (const client of [...fw.clients.values()]) {
      client.subscribed = roles.has(client.role.name);
      client.caps = this.capsOf(fw.info);
      const min = fw.info.minAllocatableResources?.[client.role.name];
      client.minAllocatable = min === undefined ? undefined : compileMinAllocatable(min);
      if (!client.subscribed) this.filters.clearClient(client.slot);
      if (!client.subscribed && client.holdings === 0) this.removeClient(client);
      else this.syncActivity(client);
    }
  }

  capsOf(info: AllocatorFramework): number {
    let caps = KIND_RESERVED;
    if (info.capabilities.revocableResources) caps |= KIND_REVOCABLE;
    if (info.capabilities.sharedResources) caps |= KIND_SHARED;
    if (info.capabilities.reservationRefinement) caps |= KIND_REFINED;
    if (info.capabilities.gpuResources || !this.filterGpu) caps |= KIND_GPU;
    return caps;
  }

  addClient(fw: FrameworkEntry, roleName: string): Client {
    const role = this.roles.ensure(roleName);
    const slot = this.freeClientSlots.pop() ?? this.clientSlots++;
    this.filters.ensureCapacity(this.agentSlots, this.clientSlots);
    if (role.clients === 0) {
      this.roleSorter.add(roleName, role);
      this.roleSorter.activate(roleName);
      role.node = this.roleSorter.node(roleName);
    }
    role.clients++;
    role.frameworks.add(fw.id, undefined as unknown as Client);
    const node = role.frameworks.node(fw.id)!;
    const client: Client = {
      slot, framework: fw, role, node, subscribed: true, caps: this.capsOf(fw.info), minAllocatable: undefined, holdings: 0,
    };
    (node as { payload: Client }).payload = client;
    node.tag = slot;
    fw.clients.set(roleName, client);
    fw.clientList.push(client);
    return client;
  }

  removeClient(client: Client): void {
    if (client.holdings > 0) {
      for (const agent of this.agentList) {
        const held = agent.allocations.get(client);
        if (held) this.release(agent, client, held.allocated);
      }
    }
    this.filters.clearClient(client.slot);
    const role = client.role;
    role.frameworks.remove(client.framework.id);
    client.framework.clients.delete(role.name);
    client.framework.clientList.splice(client.framework.clientList.indexOf(client), 1);
    this.freeClientSlots.push(client.slot);
    role.clients--;
    if (role.clients === 0) {
      this.roleSorter.remove(role.name);
      role.node = undefined;
      this.roles.gc(role);
    }
  }

  syncActivity(client: Client): void {
    const fw = client.framework;
    const active = fw.active && client.subscribed && !fw.suppressed.has(client.role.name);
    if (active) client.role.frameworks.activate(fw.id);
    else client.role.frameworks.deactivate(fw.id);
  }

  /** Client for resources a framework holds in `role` (created, unsubscribed, if needed). */
  clientFor(fw: FrameworkEntry, role: string): Client {
    const existing = fw.clients.get(role);
    if (existing) return existing;
    const client = this.addClient(fw, role);
    client.subscribed = false;
    this.syncActivity(client);
    return client;
  }

  /** Splits resources by allocation role; items without allocation_info go to `defaultRole`. */
  byRole(resources: Resources, defaultRole: string): Map<string, Resources> {
    const groups = resources.allocations();
    let counted = 0;
    for (const part of groups.values()) counted += part.size;
    if (counted < resources.size) {
      const bare = resources.filter((r) => r.allocation_info === undefined).allocate(defaultRole);
      const existing = groups.get(defaultRole);
      groups.set(defaultRole, existing ? existing.add(bare) : bare);
    }
    return groups;
  }

  // ── the two mutations ───────────────────────────────────────────────────────────────────

  /**
   * Records `plain` (unallocated, ⊆ agent.available) as allocated to `client` on `agent`.
   * Returns the allocated form (allocation_info set).
   */
  allocateTo(agent: AgentEntry, client: Client, plain: Resources): Resources {
    agent.available = plain === agent.available ? EMPTY : agent.available.subtract(plain);
    const role = client.role.name;
    let allocated: Resources;
    if (agent.memoPlain === plain && agent.memoRole === role) allocated = agent.memoAllocated!;
    else {
      allocated = plain.allocate(role);
      agent.memoPlain = plain;
      agent.memoRole = role;
      agent.memoAllocated = allocated;
    }
    this.track(agent, client, allocated, plain);
    if (agent.active) subtractInto(this.availableHeadroom, this.headroomOf(agent, plain));
    return allocated;
  }

  /** Takes back what `client` holds of `allocated` on `agent`; returns what was actually held (plain). */
  release(agent: AgentEntry, client: Client, allocated: Resources): Resources {
    const held = agent.allocations.get(client);
    if (held === undefined) return EMPTY;
    let taken: Resources;
    let plain: Resources;
    if (held.allocated === allocated) {
      taken = allocated;
      plain = held.plain;
    } else {
      taken = held.allocated.contains(allocated) ? allocated : held.allocated.subtract(held.allocated.subtract(allocated));
      if (taken.isEmpty()) return EMPTY;
      plain = taken.unallocate();
    }
    this.untrack(agent, client, held, taken, plain);
    const available = agent.available.add(plain);
    agent.available = available;
    if (agent.ref !== available && !agent.ref.contains(available)) {
      agent.ref = available;
      this.filters.unmarkAgent(agent.slot);
    }
    if (agent.active) addInto(this.availableHeadroom, this.headroomOf(agent, plain));
    return plain;
  }

  /** Sorter, role and per-agent accounting of an allocation (the agent's available is the caller's). */
  track(agent: AgentEntry, client: Client, allocated: Resources, plain = allocated.unallocate()): void {
    const held = agent.allocations.get(client);
    if (held === undefined) {
      agent.allocations.add(client, allocated, plain);
      client.holdings++;
    } else {
      held.allocated = held.allocated.add(allocated);
      held.plain = held.plain.add(plain);
    }
    const q = this.qOf(agent, plain);
    const role = client.role;
    role.frameworks.allocatedTo(client.node, q);
    if (role.node) this.roleSorter.allocatedTo(role.node, q);
    const u = this.headroomOf(agent, plain);
    if (!isZero(u)) this.roles.addAllocatedUnreserved(role, u, 1);
  }

  /** Drops `taken` (⊆ the holding) from a client's holding without giving it back to available. */
  untrackHolding(agent: AgentEntry, client: Client, taken: Resources, plain: Resources): void {
    const held = agent.allocations.get(client);
    if (held) this.untrack(agent, client, held, taken, plain);
  }

  private untrack(agent: AgentEntry, client: Client, held: Holding, taken: Resources, plain: Resources): void {
    if (taken === held.allocated) {
      agent.allocations.delete(held);
      client.holdings--;
    } else {
      held.allocated = held.allocated.subtract(taken);
      held.plain = held.plain.subtract(plain);
      if (held.allocated.isEmpty()) {
        agent.allocations.delete(held);
        client.holdings--;
      }
    }
    const q = this.qOf(agent, plain);
    const role = client.role;
    role.frameworks.unallocatedFrom(client.node, q);
    if (role.node) this.roleSorter.unallocatedFrom(role.node, q);
    const u = this.headroomOf(agent, plain);
    if (!isZero(u)) this.roles.addAllocatedUnreserved(role, u, -1);
  }

  /** Allocations `used` on an agent by a framework (addAgent / addFramework): take them from available. */
  adoptUsed(agent: AgentEntry, fw: FrameworkEntry, used: Resources): void {
    for (const [role, part] of this.byRole(used, fw.info.roles[0] ?? "*")) {
      const plain = part.unallocate();
      agent.available = agent.available.subtract(plain);
      if (agent.active) subtractInto(this.availableHeadroom, this.headroomOf(agent, plain));
      this.track(agent, this.clientFor(fw, role), part, plain);
    }
  }

  plan(agent: AgentEntry, client: Client, allocated: Resources): OfferPlan {
    return { frameworkId: client.framework.id, agentId: agent.id, role: client.role.name, resources: allocated };
  }
}
