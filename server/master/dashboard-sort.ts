// Sorting and paging for the dashboard's server-side lists: a locale-independent comparison, a
// decorate-sort-undecorate sort, clamped paging, and a small cache of sorted results.

/** Clamps paging arguments: offset ≥ 0, 1 ≤ limit ≤ 1000. */
export function page<T>(items: readonly T[], offset = 0, limit = 100): T[] {
  const o = Math.max(0, Math.floor(offset));
  const l = Math.min(1000, Math.max(1, Math.floor(limit)));
  return items.slice(o, o + l);
}

export type SortDir = "asc" | "desc";

/** Codepoint order for strings (fast, locale-independent), numeric order for numbers. */
export function compare(a: string | number | undefined, b: string | number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Sorts by key, then by `tie` ascending; undefined keys last in both directions. Keys are
 * computed once per item (decorate-sort-undecorate), not once per comparison.
 */
export function sortBy<T>(items: T[], key: (t: T) => string | number | undefined, dir: SortDir, tie: (t: T) => string): T[] {
  const sign = dir === "desc" ? -1 : 1;
  const decorated = items.map((item) => ({ item, k: key(item), t: tie(item) }));
  decorated.sort((x, y) => {
    if (x.k === undefined || y.k === undefined) return compare(x.k, y.k) || compare(x.t, y.t);
    return sign * compare(x.k, y.k) || compare(x.t, y.t);
  });
  for (let i = 0; i < items.length; i++) items[i] = decorated[i]!.item;
  return items;
}

/**
 * Remembers the last few sorted results per master. A result is reused while the master's state
 * has not changed (every domain event bumps the version) or, under a stream of changes, while it
 * is younger than `maxAgeMs`: the rows are live objects (their state is current), only the order
 * and the counts may be that old. The browser refetches once more after the changes stop, so
 * what it shows converges.
 */
export class SortedCache<T> {
  private readonly entries = new Map<string, { version: number; at: number; value: T }>();
  constructor(private readonly maxAgeMs: number) {}
  get(key: string, version: number, now: number, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit && (hit.version === version || now - hit.at < this.maxAgeMs)) return hit.value;
    const value = compute();
    this.entries.delete(key);
    this.entries.set(key, { version, at: now, value });
    if (this.entries.size > 8) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

/** How stale (ms) the order and counts of a list page may be while the cluster keeps changing. */
export const LIST_STALENESS_MS = 1_000;
