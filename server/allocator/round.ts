// One allocation round (Mesos's HierarchicalAllocatorProcess::__allocate), pure over the books:
//
//   stage 1 (only when some role has unsatisfied guarantees): for each agent, each guaranteed
//     role, each of its frameworks in DRF order — offer the role's reserved resources plus
//     unreserved resources up to the role's unsatisfied guarantee (and other resources the role
//     has no guarantee for, as far as the headroom allows);
//   stage 2: for each agent, each role in hierarchical DRF order, each framework of the role in
//     DRF order — offer what the agent has for the role, minus what quota limits and the
//     headroom held back for other roles' guarantees forbid.
//
// A candidate is skipped as cheaply as possible, in this order: the offer-filter bit (no
// Resources work at all), capabilities, quota, the minimum offer size, the exact filter check.
import { Resources } from "../resources";
import type { AllocatorBook } from "./book";
import { meetsMinimum } from "./book";
import { isZero, nameOf, scalarsOf, shrinkTo, zeros, type QVec } from "./quantities";
import type { RoleEntry } from "./role-tree";
import {
  KIND_GPU, KIND_REFINED, KIND_RESERVED, KIND_REVOCABLE, KIND_SHARED, type AgentEntry, type Client,
} from "./state";
import type { OfferPlan } from "./types";

const EMPTY = Resources.empty();
// Module-local copies of the kind flags for the hot loop.
const RESERVED = KIND_RESERVED;

/** What of `resources` a client lacking the capabilities in `deny` (KIND_* flags) may be offered. */
export function restrict(resources: Resources, deny: number): Resources {
  if (deny & KIND_GPU) return EMPTY;
  let r = resources;
  if (deny & KIND_REVOCABLE) r = r.nonRevocable();
  if (deny & KIND_SHARED) r = r.filter((x) => x.shared === undefined);
  if (deny & KIND_REFINED) r = r.filter((x) => (x.reservations?.length ?? 0) <= 1);
  return r;
}

/** Everything `agent` could currently offer `client` (for deciding whether a filter covers it). */
export function offerable(agent: AgentEntry, client: Client, from: Resources): Resources {
  const forRole = (agent.kinds & KIND_RESERVED) === 0 ? from : from.allocatableTo(client.role.name);
  const deny = agent.kinds & ~client.caps;
  return deny === 0 ? forRole : restrict(forRole, deny);
}

/** Exact check of partial filters; a filter covering all the agent may offer the client becomes full. */
function isFiltered(book: AllocatorBook, agent: AgentEntry, client: Client, offer: Resources, now: number): boolean {
  const f = book.filters.partialFilter(client.slot, agent.slot, offer, now);
  if (f === undefined) return false;
  if (f.resources.contains(offerable(agent, client, agent.ref))) book.filters.addFull(client.slot, agent.slot, f.expiresAt);
  return true;
}

/** The unreserved, non-revocable part of `offer` (what quota limits and headroom apply to). */
function splitFree(agent: AgentEntry, offer: Resources): [free: Resources, rest: Resources] {
  if ((agent.kinds & (KIND_RESERVED | KIND_REVOCABLE)) === 0) return [offer, EMPTY];
  const free = offer.unreserved().nonRevocable();
  return [free, offer.subtract(free)];
}

/** Room for unreserved scalars under the role's limits and the headroom others' guarantees need. */
function quotaRoom(book: AllocatorBook, role: RoleEntry, names: number[]): QVec {
  const roles = book.roles;
  const room = role.limited ? roles.limitRoom(role, names) : zeros();
  if (!roles.hasGuarantees) return room;
  const required = roles.requiredHeadroom();
  const root = roles.guaranteeRootOf(role);
  const mine = root ? roles.unsatisfied(root) : undefined;
  for (let i = 0; i < required.length; i++) {
    const need = required[i]!;
    if (need <= 0) continue;
    const allowed = Math.max(0, (book.availableHeadroom[i] ?? 0) - need) + (mine?.[i] ?? 0);
    if (names.includes(i)) room[i] = Math.min(room[i]!, allowed);
    else {
      names.push(i);
      room[i] = allowed;
    }
  }
  return room;
}

function fitQuota(book: AllocatorBook, agent: AgentEntry, role: RoleEntry, offer: Resources): Resources {
  const names: number[] = [];
  const room = quotaRoom(book, role, names);
  if (names.length === 0) return offer;
  const [free, rest] = splitFree(agent, offer);
  const fitted = shrinkTo(free, room, names);
  return fitted === free ? offer : rest.add(fitted);
}

class PlanSink {
  readonly plans: OfferPlan[] = [];
  /** client slot:agent slot → index in plans (only when a round has two stages). */
  private readonly index = new Map<string, number>();
  constructor(private readonly merge: boolean) {}

  add(book: AllocatorBook, agent: AgentEntry, client: Client, allocated: Resources): void {
    if (this.merge) {
      const key = `${client.slot}:${agent.slot}`;
      const at = this.index.get(key);
      if (at !== undefined) {
        const plan = this.plans[at]!;
        plan.resources = plan.resources.add(allocated);
        return;
      }
      this.index.set(key, this.plans.length);
    }
    this.plans.push(book.plan(agent, client, allocated));
  }
}

export function allocationRound(book: AllocatorBook, order: readonly AgentEntry[], now: number): OfferPlan[] {
  const stageOne = book.roles.hasGuarantees;
  const sink = new PlanSink(stageOne);
  if (stageOne) guaranteeStage(book, order, now, sink);
  fairShareStage(book, order, now, sink);
  return sink.plans;
}

function fairShareStage(book: AllocatorBook, order: readonly AgentEntry[], now: number, sink: PlanSink): void {
  const bits = book.filters.bits;
  const words = book.filters.words;
  const quota = book.roles.hasQuota;
  const defaultMin = book.minAllocatable;
  for (let a = 0; a < order.length; a++) {
    const agent = order[a]!;
    if (!agent.active || agent.available.isEmpty()) continue;
    const rowBase = agent.slot * words;
    const reserved = (agent.kinds & RESERVED) !== 0;
    const roles = book.roleSorter.leaves();
    roles: for (let r = 0; r < roles.length; r++) {
      const role = roles[r]!.payload;
      const sorter = role.frameworks;
      if (sorter.activeCount === 0) continue;
      let roleAvail = reserved ? agent.available.allocatableTo(role.name) : agent.available;
      if (roleAvail.isEmpty()) continue;
      const blocks = sorter.blocks();
      for (let b = 0; b < blocks.length; b++) {
        const block = blocks[b]!;
        for (let c = 0; c < block.length; c++) {
          const node = block[c]!;
          const slot = node.tag;
          if ((bits[rowBase + (slot >>> 5)]! >>> (slot & 31)) & 1) continue;
          const client = node.payload;
          let offer = roleAvail;
          const deny = agent.kinds & ~client.caps;
          if (deny !== 0) {
            offer = restrict(offer, deny);
            if (offer.isEmpty()) continue;
          }
          if (quota) {
            offer = fitQuota(book, agent, role, offer);
            if (offer.isEmpty()) continue;
          }
          if (!meetsMinimum(client.minAllocatable ?? defaultMin, book.qOf(agent, offer), offer)) continue;
          if (book.filters.hasPartial(slot) && isFiltered(book, agent, client, offer, now)) continue;
          sink.add(book, agent, client, book.allocateTo(agent, client, offer));
          if (agent.available.isEmpty()) break roles;
          roleAvail = reserved ? agent.available.allocatableTo(role.name) : agent.available;
          if (roleAvail.isEmpty()) continue roles;
        }
      }
    }
  }
}

function guaranteeStage(book: AllocatorBook, order: readonly AgentEntry[], now: number, sink: PlanSink): void {
  const roles = book.roles;
  const quotaRoles = book.roleSorter.leaves().map((n) => n.payload).filter((r) => (r.quota?.guaranteeNames.length ?? 0) > 0);
  if (quotaRoles.length === 0) return;
  const defaultMin = book.minAllocatable;
  for (const agent of order) {
    if (!agent.active || agent.available.isEmpty()) continue;
    for (const role of quotaRoles) {
      if (role.frameworks.activeCount === 0) continue;
      const guaranteedNames = new Set(role.quota!.guaranteeNames.map(nameOf));
      for (const node of role.frameworks.leaves()) {
        const client = node.payload;
        if (book.filters.isMarked(client.slot, agent.slot)) continue;
        const unsatisfied = roles.unsatisfied(role);
        if (isZero(unsatisfied)) break;
        const avail = offerable(agent, client, agent.available);
        if (avail.isEmpty()) continue;
        const [free] = splitFree(agent, avail);
        const unsatisfiedNames = role.quota!.guaranteeNames.filter((i) => unsatisfied[i]! > 0);
        const guaranteed = shrinkTo(free.filter((r) => unsatisfiedNames.some((i) => nameOf(i) === r.name)), unsatisfied, unsatisfiedNames);
        if (guaranteed.isEmpty()) continue;
        // Resources the role has no guarantee for come along as far as the headroom allows.
        const required = roles.requiredHeadroom();
        const surplus = zeros();
        const held: number[] = [];
        for (let i = 0; i < required.length; i++) {
          if (required[i]! <= 0) continue;
          held.push(i);
          // This allocation itself satisfies part of the requirement.
          surplus[i] = Math.max(0, (book.availableHeadroom[i] ?? 0) - required[i]!);
        }
        const other = shrinkTo(free.filter((r) => !guaranteedNames.has(r.name)), surplus, held);
        let unreservedPart = guaranteed.add(other);
        if (role.limited) {
          const names: number[] = [];
          unreservedPart = shrinkTo(unreservedPart, roles.limitRoom(role, names), names);
        }
        const offer = avail.reserved().add(unreservedPart);
        if (offer.isEmpty() || !meetsMinimum(client.minAllocatable ?? defaultMin, scalarsOf(offer), offer)) continue;
        if (book.filters.hasPartial(client.slot) && isFiltered(book, agent, client, offer, now)) continue;
        sink.add(book, agent, client, book.allocateTo(agent, client, offer));
        if (agent.available.isEmpty()) break;
      }
    }
  }
}
