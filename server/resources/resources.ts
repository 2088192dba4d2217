// The Resources value type: an immutable, canonical collection of resources (Mesos's
// Resources). Items with the same identity (name, type, reservation stack, disk, revocable,
// shared, allocation_info, provider_id) are combined — scalars add, ranges and sets union;
// indivisible items (persistent volumes, MOUNT/BLOCK disks, shared resources) are counted.
// Scalars are fixed-point (3 decimals). Every operation returns a new Resources.
//
// Contract: inputs are trusted. Callers validate untrusted wire resources with
// validateResources first; `from` only drops empty values (zero/negative scalars, empty
// ranges/sets) and canonicalises the rest.
import type { ReservationInfo, Resource } from "../protocol/mesos";
import { fromMilli } from "./fixed";
import { copyReservation } from "./format";
import type { Item } from "./item";
import {
  addItems, buildIndex, containsItems, equalItems, itemsOf, shouldIndex, subtractItems, toWireList, type ItemList,
} from "./list";
import { withAllocation, withReservations } from "./meta";
import { parseResourceList } from "./parse";
import { toPairs, unionRanges, type Intervals } from "./ranges";
import { formatText, summarize } from "./render";
import { isSubroleOrSelf } from "./roles";
import { validateReservationStack } from "./validate";

export type ResourcesLike = Resources | readonly Resource[];

export class Resources {
  private static readonly EMPTY = new Resources([]);
  private index: Map<string, number> | undefined;

  private constructor(private readonly items: ItemList) {}

  static empty(): Resources {
    return Resources.EMPTY;
  }

  /** Canonicalises wire resources in either reservation format (see the file contract). */
  static from(list: Iterable<Resource>): Resources {
    return Resources.of(itemsOf(list));
  }

  /** Parses agent `--resources` text or a JSON array; throws ResourcesParseError. */
  static parse(text: string, defaultRole = "*"): Resources {
    return Resources.from(parseResourceList(text, defaultRole));
  }

  private static of(items: ItemList): Resources {
    return items.length === 0 ? Resources.EMPTY : new Resources(items);
  }

  private static coerce(other: ResourcesLike): Resources {
    return other instanceof Resources ? other : Resources.from(other);
  }

  /** id → position, built once for large collections. */
  private lookup(): Map<string, number> | undefined {
    if (this.index === undefined && shouldIndex(this.items)) this.index = buildIndex(this.items);
    return this.index;
  }

  /** Number of canonical items (not wire copies). */
  get size(): number {
    return this.items.length;
  }

  isEmpty(): boolean {
    return this.items.length === 0;
  }

  /** Fresh wire objects, refined format, scalars rounded to 3 places, empty fields omitted. */
  toArray(): Resource[] {
    return toWireList(this.items);
  }

  add(other: ResourcesLike): Resources {
    const that = Resources.coerce(other);
    if (that.items.length === 0) return this;
    if (this.items.length === 0) return that;
    return new Resources(addItems(this.items, that.items));
  }

  /** Removes what `other` has in common with this, item by item; never negative. */
  subtract(other: ResourcesLike): Resources {
    const that = Resources.coerce(other);
    if (that.items.length === 0 || this.items.length === 0) return this;
    return Resources.of(subtractItems(this.items, that.items, this.lookup()));
  }

  contains(other: ResourcesLike): boolean {
    return containsItems(this.items, Resources.coerce(other).items, this.lookup());
  }

  equals(other: ResourcesLike): boolean {
    return equalItems(this.items, Resources.coerce(other).items, this.lookup());
  }

  /** Keeps the items whose (frozen) wire view satisfies `pred`. */
  filter(pred: (r: Readonly<Resource>) => boolean): Resources {
    return this.where((item) => pred(item.asView()));
  }

  private where(pred: (item: Item) => boolean): Resources {
    const kept = this.items.filter(pred);
    return kept.length === this.items.length ? this : Resources.of(kept);
  }

  /** Reserved resources, or (with `role`) those reserved for exactly `role`. */
  reserved(role?: string): Resources {
    return this.where((i) => i.meta.role !== "*" && (role === undefined || i.meta.role === role));
  }

  unreserved(): Resources {
    return this.where((i) => i.meta.role === "*");
  }

  /** Offerable to `role`: unreserved, or reserved for `role` or one of its ancestors. */
  allocatableTo(role: string): Resources {
    return this.where((i) => i.meta.role === "*" || isSubroleOrSelf(role, i.meta.role));
  }

  revocable(): Resources {
    return this.where((i) => i.meta.revocable);
  }

  nonRevocable(): Resources {
    return this.where((i) => !i.meta.revocable);
  }

  shared(): Resources {
    return this.where((i) => i.meta.shared);
  }

  persistentVolumes(): Resources {
    return this.where((i) => i.meta.persistent);
  }

  /** Sum of the scalar amounts named `name` (0 if none). */
  scalar(name: string): number {
    let milli = 0;
    for (const i of this.items) if (i.meta.name === name && i.meta.type === "SCALAR") milli += i.milli * i.copies;
    return fromMilli(milli);
  }

  /** Union of the ranges named `name`, as coalesced [begin, end] pairs. */
  ranges(name: string): [number, number][] {
    let all: Intervals = [];
    for (const i of this.items) if (i.meta.name === name && i.meta.type === "RANGES") all = unionRanges(all, i.ranges);
    return toPairs(all);
  }

  /** Union of the set items named `name`. */
  set(name: string): string[] {
    const out = new Set<string>();
    for (const i of this.items) if (i.meta.name === name && i.meta.type === "SET") for (const s of i.set) out.add(s);
    return [...out];
  }

  /** Distinct resource names, sorted. */
  names(): string[] {
    return [...new Set(this.items.map((i) => i.meta.name))].sort();
  }

  /** Scalars summed by name; ranges/sets counted by points/items (ports count). For DRF. */
  quantities(): Map<string, number> {
    // Accumulated in thousandths so scalar sums stay exact.
    const milli = new Map<string, number>();
    for (const i of this.items) {
      const per = i.meta.type === "SCALAR" ? i.milli : i.quantity() * 1000;
      milli.set(i.meta.name, (milli.get(i.meta.name) ?? 0) + per * i.copies);
    }
    for (const [name, m] of milli) milli.set(name, fromMilli(m));
    return milli;
  }

  /** Every item with allocation_info {role}. */
  allocate(role: string): Resources {
    return this.remeta((i) => i.withMeta(withAllocation(i.meta, role)));
  }

  /** Every item without allocation_info. */
  unallocate(): Resources {
    return this.remeta((i) => i.withMeta(withAllocation(i.meta, undefined)));
  }

  /** Items grouped by allocation_info.role; items without allocation_info are left out. */
  allocations(): Map<string, Resources> {
    const groups = new Map<string, Item[]>();
    for (const i of this.items) {
      const role = i.meta.allocation?.role;
      if (role === undefined) continue;
      const group = groups.get(role);
      if (group === undefined) groups.set(role, [i]);
      else group.push(i);
    }
    return new Map([...groups].map(([role, items]) => [role, new Resources(items)]));
  }

  /**
   * Pushes `reservation` onto every item's stack (RESERVE, including refinement). Throws when
   * the resulting stack is invalid (bad role, STATIC refinement, not a strict subrole).
   */
  pushReservation(reservation: ReservationInfo): Resources {
    const entry = copyReservation(reservation);
    return this.remeta((i) => {
      const stack = [...i.meta.reservations, entry];
      const error = validateReservationStack(stack);
      if (error !== null) throw new Error(`Cannot reserve '${i.meta.name}': ${error}`);
      return i.withMeta(withReservations(i.meta, stack));
    });
  }

  /** Pops the top reservation of every item (UNRESERVE). Throws if an item is unreserved. */
  popReservation(): Resources {
    return this.remeta((i) => {
      if (i.meta.reservations.length === 0) throw new Error(`Cannot unreserve unreserved '${i.meta.name}'`);
      return i.withMeta(withReservations(i.meta, i.meta.reservations.slice(0, -1)));
    });
  }

  /** Every item with its whole reservation stack removed. */
  toUnreserved(): Resources {
    return this.remeta((i) => (i.meta.reservations.length === 0 ? i : i.withMeta(withReservations(i.meta, []))));
  }

  /** Maps every item to a new identity and re-canonicalises (identities may now coincide). */
  private remeta(f: (item: Item) => Item): Resources {
    return Resources.of(addItems([], this.items.map(f)));
  }

  /** Mesos legacy JSON resource summary (see summarize). */
  summary(): Record<string, number | string> {
    return summarize(this.items);
  }

  /** Compact text form, e.g. "cpus:2;mem:1024;ports:[31000-32000];cpus(eng):1". */
  toString(): string {
    return formatText(this.items);
  }
}

/** `wanted` (canonicalised) when `available` contains it, otherwise null. */
export function findSubset(available: ResourcesLike, wanted: ResourcesLike): Resources | null {
  const want = wanted instanceof Resources ? wanted : Resources.from(wanted);
  const have = available instanceof Resources ? available : Resources.from(available);
  return have.contains(want) ? want : null;
}
