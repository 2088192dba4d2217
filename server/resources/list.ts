// Operations on canonical item lists (at most one item per id, no empty items). Lists hold
// few items per agent, so small lists are scanned linearly; larger ones get a Map index, which
// keeps every operation O(n + m).
import type { Resource } from "../protocol/mesos";
import { addItem, itemContains, itemEquals, itemFromResource, subtractItem, type Item } from "./item";

/** Lists at most this long are searched linearly. */
const LINEAR_LIMIT = 12;

export type ItemList = readonly Item[];

/** Index of the item with `id`, or -1. `index` is an optional id → position map. */
export function findItem(items: ItemList, id: string, index?: ReadonlyMap<string, number>): number {
  if (index !== undefined) return index.get(id) ?? -1;
  for (let i = 0; i < items.length; i++) if (items[i]!.id === id) return i;
  return -1;
}

export function buildIndex(items: ItemList): Map<string, number> {
  const index = new Map<string, number>();
  items.forEach((item, i) => index.set(item.id, i));
  return index;
}

/** base + extra. `extra` need not be canonical (duplicate ids are combined). */
export function addItems(base: ItemList, extra: Iterable<Item>): Item[] {
  const out = base.slice();
  let index = out.length > LINEAR_LIMIT ? buildIndex(out) : undefined;
  for (const item of extra) {
    const at = findItem(out, item.id, index);
    if (at >= 0) {
      out[at] = addItem(out[at]!, item);
    } else {
      out.push(item);
      if (index !== undefined) index.set(item.id, out.length - 1);
      else if (out.length > LINEAR_LIMIT) index = buildIndex(out);
    }
  }
  return out;
}

/** base − minus, item by item, never below nothing. `minus` must be canonical. */
export function subtractItems(base: ItemList, minus: ItemList, baseIndex?: ReadonlyMap<string, number>): Item[] {
  const out: (Item | null)[] = base.slice();
  let removed = false;
  for (const item of minus) {
    const at = findItem(base, item.id, baseIndex);
    const current = at >= 0 ? out[at] : null;
    if (current === null || current === undefined) continue;
    const left = subtractItem(current, item);
    out[at] = left;
    if (left === null) removed = true;
  }
  return removed ? out.filter((i): i is Item => i !== null) : (out as Item[]);
}

/** Every item of `sub` is contained in the matching item of `sup`. */
export function containsItems(sup: ItemList, sub: ItemList, supIndex?: ReadonlyMap<string, number>): boolean {
  for (const item of sub) {
    const at = findItem(sup, item.id, supIndex);
    if (at < 0 || !itemContains(sup[at]!, item)) return false;
  }
  return true;
}

export function equalItems(a: ItemList, b: ItemList, aIndex?: ReadonlyMap<string, number>): boolean {
  if (a.length !== b.length) return false;
  for (const item of b) {
    const at = findItem(a, item.id, aIndex);
    if (at < 0 || !itemEquals(a[at]!, item)) return false;
  }
  return true;
}

export function shouldIndex(items: ItemList): boolean {
  return items.length > LINEAR_LIMIT;
}

/** Canonical item list of wire resources (either format); empty values are skipped. */
export function itemsOf(list: Iterable<Resource>): Item[] {
  const items: Item[] = [];
  for (const r of list) {
    const item = itemFromResource(r);
    if (item !== null) items.push(item);
  }
  return addItems([], items);
}

/** Fresh wire objects; non-shared atomic items appear once per copy. */
export function toWireList(items: ItemList): Resource[] {
  const out: Resource[] = [];
  for (const item of items) for (let i = 0; i < item.copies; i++) out.push(item.toWire());
  return out;
}
