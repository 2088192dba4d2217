// Roles as the allocator tracks them: a tree ("eng" above "eng/backend") holding, per role, its
// framework sorter and the quantities quota works with. A role exists while it has clients,
// reservations, allocations, quota or descendants.
//
// Quota consumption (Mesos ≥ 1.10): a role subtree consumes its reservations (allocated or not)
// plus the unreserved, non-revocable resources allocated to it (offered or in use). Limits cap
// that; guarantees not yet consumed are "unsatisfied" and their sum over the top-most guaranteed
// roles is the headroom the allocator must keep free. All vectors are QVecs (milli units).
import type { Client } from "./state";
import { DRFSorter, type SharedTotals, type SorterNode } from "./sorter";
import { addInto, fromRecord, isZero, nameIndex, subtractInto, zeros, type QVec } from "./quantities";
import { isDefaultQuota } from "./quota";
import type { QuotaConfig } from "./types";

export interface RoleQuota {
  config: QuotaConfig;
  guarantees: QVec;
  limits: QVec;
  /** Name indices with a limit. */
  limitNames: number[];
  guaranteeNames: number[];
}

export class RoleEntry {
  readonly children = new Set<RoleEntry>();
  /** Frameworks (clients) in this role, by DRF over their allocations in this role. */
  readonly frameworks: DRFSorter<Client>;
  /** Clients tracked in this role (subscribed, or unsubscribed but still holding resources). */
  clients = 0;
  /** This role's leaf in the role sorter, while it has clients. */
  node: SorterNode<RoleEntry> | undefined;
  /** Reserved for exactly this role on agents (scalar, non-revocable). */
  readonly reserved: QVec = [];
  /** Unreserved non-revocable resources allocated to exactly this role. */
  readonly allocatedUnreserved: QVec = [];
  /** Subtree consumption: Σ over the subtree of reserved + allocatedUnreserved. */
  readonly consumed: QVec = [];
  quota: RoleQuota | undefined;
  /** This role or an ancestor has limits. */
  limited = false;

  constructor(
    readonly name: string,
    readonly parent: RoleEntry | null,
    totals: SharedTotals,
    excludedNames: readonly number[],
  ) {
    this.frameworks = new DRFSorter<Client>({ totals, excludedNames });
  }
}

function parentName(role: string): string | null {
  const i = role.lastIndexOf("/");
  return i < 0 ? null : role.slice(0, i);
}

export class RoleTree {
  constructor(
    private readonly totals: SharedTotals,
    private readonly excludedNames: readonly number[] = [],
  ) {}

  private readonly roles = new Map<string, RoleEntry>();
  /** Roles with a quota config. */
  readonly quotaRoles = new Set<RoleEntry>();
  private guaranteeRoots: RoleEntry[] = [];

  get(role: string): RoleEntry | undefined {
    return this.roles.get(role);
  }

  all(): IterableIterator<RoleEntry> {
    return this.roles.values();
  }

  ensure(role: string): RoleEntry {
    let entry = this.roles.get(role);
    if (entry) return entry;
    const p = parentName(role);
    const parent: RoleEntry | null = p === null ? null : this.ensure(p);
    entry = new RoleEntry(role, parent, this.totals, this.excludedNames);
    entry.limited = parent?.limited ?? false;
    parent?.children.add(entry);
    this.roles.set(role, entry);
    return entry;
  }

  /** Drops the role (and empty ancestors) if nothing keeps it. */
  gc(entry: RoleEntry): void {
    for (let e: RoleEntry | null = entry; e !== null; ) {
      if (e.clients > 0 || e.children.size > 0 || e.quota || !isZero(e.reserved) || !isZero(e.allocatedUnreserved)) return;
      this.roles.delete(e.name);
      const parent: RoleEntry | null = e.parent;
      parent?.children.delete(e);
      e = parent;
    }
  }

  /** Reservations for `entry` changed by ±q. */
  addReserved(entry: RoleEntry, q: QVec, sign: 1 | -1): void {
    if (sign > 0) addInto(entry.reserved, q);
    else subtractInto(entry.reserved, q);
    this.propagate(entry, q, sign);
  }

  addAllocatedUnreserved(entry: RoleEntry, q: QVec, sign: 1 | -1): void {
    if (sign > 0) addInto(entry.allocatedUnreserved, q);
    else subtractInto(entry.allocatedUnreserved, q);
    this.propagate(entry, q, sign);
  }

  private propagate(entry: RoleEntry, q: QVec, sign: 1 | -1): void {
    for (let e: RoleEntry | null = entry; e !== null; e = e.parent) {
      if (sign > 0) addInto(e.consumed, q);
      else subtractInto(e.consumed, q);
    }
  }

  /** Sets (or, for a default config, removes) a role's quota. */
  setQuota(config: QuotaConfig): RoleEntry {
    const entry = this.ensure(config.role);
    if (isDefaultQuota(config)) {
      entry.quota = undefined;
      this.quotaRoles.delete(entry);
    } else {
      const names = (r: Record<string, number>) => Object.keys(r).map(nameIndex);
      entry.quota = {
        config: { role: config.role, guarantees: { ...config.guarantees }, limits: { ...config.limits } },
        guarantees: fromRecord(config.guarantees),
        limits: fromRecord(config.limits),
        limitNames: names(config.limits),
        guaranteeNames: names(config.guarantees).filter((i) => (fromRecord(config.guarantees)[i] ?? 0) > 0),
      };
      this.quotaRoles.add(entry);
    }
    this.relink();
    this.gc(entry);
    return entry;
  }

  private relink(): void {
    const mark = (e: RoleEntry, limited: boolean): void => {
      e.limited = limited || (e.quota?.limitNames.length ?? 0) > 0;
      for (const c of e.children) mark(c, e.limited);
    };
    for (const e of this.roles.values()) if (e.parent === null) mark(e, false);
    this.guaranteeRoots = [...this.quotaRoles].filter((e) => {
      if (e.quota!.guaranteeNames.length === 0) return false;
      for (let p = e.parent; p !== null; p = p.parent) if ((p.quota?.guaranteeNames.length ?? 0) > 0) return false;
      return true;
    });
  }

  get hasQuota(): boolean {
    return this.quotaRoles.size > 0;
  }

  get hasGuarantees(): boolean {
    return this.guaranteeRoots.length > 0;
  }

  /** Guarantees of `entry` not yet consumed (zero vector when it has none). */
  unsatisfied(entry: RoleEntry): QVec {
    const out = zeros();
    const q = entry.quota;
    if (!q) return out;
    for (const i of q.guaranteeNames) {
      while (out.length <= i) out.push(0);
      out[i] = Math.max(0, q.guarantees[i]! - (entry.consumed[i] ?? 0));
    }
    return out;
  }

  /** Σ over top-most guaranteed roles of their unsatisfied guarantees. */
  requiredHeadroom(): QVec {
    const out = zeros();
    for (const e of this.guaranteeRoots) addInto(out, this.unsatisfied(e));
    return out;
  }

  /** Nearest guaranteed ancestor-or-self that is a top-most guaranteed role. */
  guaranteeRootOf(entry: RoleEntry): RoleEntry | undefined {
    let found: RoleEntry | undefined;
    for (let e: RoleEntry | null = entry; e !== null; e = e.parent) if (this.guaranteeRoots.includes(e)) found = e;
    return found;
  }

  /**
   * Room left under the limits of `entry` and its ancestors: per limited name, the smallest
   * (limit − consumed) along the chain. `names` receives the limited name indices.
   */
  limitRoom(entry: RoleEntry, names: number[]): QVec {
    const room = zeros();
    const seen = new Set<number>();
    for (let e: RoleEntry | null = entry; e !== null; e = e.parent) {
      const q = e.quota;
      if (!q) continue;
      for (const i of q.limitNames) {
        const left = Math.max(0, q.limits[i]! - (e.consumed[i] ?? 0));
        while (room.length <= i) room.push(0);
        if (!seen.has(i)) {
          seen.add(i);
          names.push(i);
          room[i] = left;
        } else room[i] = Math.min(room[i]!, left);
      }
    }
    return room;
  }
}
