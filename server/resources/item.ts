// One canonical resource item: a meta (identity) plus a value. Immutable.
// Values: SCALAR in integer thousandths; RANGES as canonical Intervals; SET as distinct strings
// in insertion order. Atomic items (see Meta.atomic) carry a multiplicity `count` instead of
// merging values.
import type { Resource } from "../protocol/mesos";
import { fromMilli, toMilli } from "./fixed";
import { copyReservation, normalizeResource } from "./format";
import { deepFreeze, metaOfResource, type Meta } from "./meta";
import {
  canonicalRanges, containsRanges, rangesCount, rangesEqual, subtractRanges, toWireRanges, unionRanges,
  type Intervals,
} from "./ranges";

const NO_RANGES: Intervals = Object.freeze([]);
const NO_ITEMS: readonly string[] = Object.freeze([]);

export class Item {
  /** Identity: items with equal ids combine; at most one item per id in a Resources. */
  readonly id: string;
  private view: Readonly<Resource> | undefined;

  constructor(
    readonly meta: Meta,
    readonly milli: number,
    readonly ranges: Intervals,
    readonly set: readonly string[],
    readonly count: number,
  ) {
    this.id = meta.atomic ? meta.key + "#" + valueKey(this) : meta.key;
  }

  /** Number of copies of this item in the wire form (shared resources appear once). */
  get copies(): number {
    return this.meta.shared ? 1 : this.count;
  }

  isEmpty(): boolean {
    if (this.count <= 0) return true;
    switch (this.meta.type) {
      case "SCALAR":
        return this.milli <= 0;
      case "RANGES":
        return this.ranges.length === 0;
      case "SET":
        return this.set.length === 0;
    }
  }

  /** The scalar amount / number of range points / number of set items, for one copy. */
  quantity(): number {
    switch (this.meta.type) {
      case "SCALAR":
        return fromMilli(this.milli);
      case "RANGES":
        return rangesCount(this.ranges);
      case "SET":
        return this.set.length;
    }
  }

  withMeta(meta: Meta): Item {
    return meta === this.meta ? this : new Item(meta, this.milli, this.ranges, this.set, this.count);
  }

  /** A fresh wire object (one copy), normalized, scalar rounded to 3 places. */
  toWire(): Resource {
    const m = this.meta;
    const out: Resource = { name: m.name, type: m.type };
    if (m.providerId !== undefined) out.provider_id = { value: m.providerId };
    if (m.type === "SCALAR") out.scalar = { value: fromMilli(this.milli) };
    else if (m.type === "RANGES") out.ranges = { range: toWireRanges(this.ranges) };
    else out.set = { item: [...this.set] };
    if (m.allocation !== undefined) out.allocation_info = { ...m.allocation };
    if (m.reservations.length > 0) out.reservations = m.reservations.map(copyReservation);
    if (m.disk !== undefined) out.disk = structuredClone(m.disk);
    if (m.revocable) out.revocable = {};
    if (m.shared) out.shared = {};
    return out;
  }

  /** A cached, deeply frozen wire view (for predicates; never handed out for mutation). */
  asView(): Readonly<Resource> {
    this.view ??= deepFreeze(this.toWire());
    return this.view;
  }
}

function valueKey(item: Item): string {
  switch (item.meta.type) {
    case "SCALAR":
      return String(item.milli);
    case "RANGES":
      return item.ranges.join(",");
    case "SET":
      return [...item.set].sort().map((s) => `${s.length}:${s}`).join("");
  }
}

/** The canonical item of a wire resource in either format; null when its value is empty. */
export function itemFromResource(r: Resource): Item | null {
  const normalized = r.role === undefined && r.reservation === undefined ? r : normalizeResource(r);
  const meta = metaOfResource(normalized);
  let item: Item;
  switch (meta.type) {
    case "SCALAR":
      item = new Item(meta, toMilli(r.scalar?.value ?? 0), NO_RANGES, NO_ITEMS, 1);
      break;
    case "RANGES":
      item = new Item(meta, 0, canonicalRanges(r.ranges?.range ?? []), NO_ITEMS, 1);
      break;
    case "SET":
      item = new Item(meta, 0, NO_RANGES, [...new Set(r.set?.item ?? [])], 1);
      break;
  }
  return Number.isFinite(item.milli) && !item.isEmpty() ? item : null;
}

/** a + b for items with equal ids. */
export function addItem(a: Item, b: Item): Item {
  if (a.meta.atomic) return new Item(a.meta, a.milli, a.ranges, a.set, a.count + b.count);
  switch (a.meta.type) {
    case "SCALAR":
      return new Item(a.meta, a.milli + b.milli, NO_RANGES, NO_ITEMS, 1);
    case "RANGES":
      return new Item(a.meta, 0, unionRanges(a.ranges, b.ranges), NO_ITEMS, 1);
    case "SET":
      return new Item(a.meta, 0, NO_RANGES, unionSet(a.set, b.set), 1);
  }
}

/** a − b for items with equal ids, clamped at nothing; null when nothing is left. */
export function subtractItem(a: Item, b: Item): Item | null {
  let out: Item;
  if (a.meta.atomic) {
    out = new Item(a.meta, a.milli, a.ranges, a.set, a.count - b.count);
  } else {
    switch (a.meta.type) {
      case "SCALAR":
        out = new Item(a.meta, a.milli - b.milli, NO_RANGES, NO_ITEMS, 1);
        break;
      case "RANGES":
        out = new Item(a.meta, 0, subtractRanges(a.ranges, b.ranges), NO_ITEMS, 1);
        break;
      case "SET":
        out = new Item(a.meta, 0, NO_RANGES, differenceSet(a.set, b.set), 1);
        break;
    }
  }
  return out.isEmpty() ? null : out;
}

/** a ⊇ b for items with equal ids. */
export function itemContains(a: Item, b: Item): boolean {
  if (a.meta.atomic) return a.count >= b.count;
  switch (a.meta.type) {
    case "SCALAR":
      return a.milli >= b.milli;
    case "RANGES":
      return containsRanges(a.ranges, b.ranges);
    case "SET":
      return isSubset(b.set, a.set);
  }
}

/** Same id, value and multiplicity. */
export function itemEquals(a: Item, b: Item): boolean {
  if (a.id !== b.id || a.count !== b.count) return false;
  if (a.meta.atomic) return true;
  switch (a.meta.type) {
    case "SCALAR":
      return a.milli === b.milli;
    case "RANGES":
      return rangesEqual(a.ranges, b.ranges);
    case "SET":
      return a.set.length === b.set.length && isSubset(a.set, b.set);
  }
}

function membership(items: readonly string[]): { has(s: string): boolean } {
  return items.length > 8 ? new Set(items) : { has: (s) => items.includes(s) };
}

function unionSet(a: readonly string[], b: readonly string[]): string[] {
  const inA = membership(a);
  const out = [...a];
  for (const s of b) if (!inA.has(s)) out.push(s);
  return out;
}

function differenceSet(a: readonly string[], b: readonly string[]): string[] {
  const inB = membership(b);
  return a.filter((s) => !inB.has(s));
}

function isSubset(sub: readonly string[], sup: readonly string[]): boolean {
  const inSup = membership(sup);
  return sub.every((s) => inSup.has(s));
}
