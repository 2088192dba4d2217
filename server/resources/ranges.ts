// Interval sets over non-negative integers, inclusive bounds ([begin, end] like Value.Range).
//
// Canonical form ("Intervals"): a flat array [b0, e0, b1, e1, ...] with every bi <= ei and
// e(i) + 1 < b(i+1), i.e. sorted, disjoint and not adjacent (adjacent ranges are coalesced, as
// Mesos does). All functions take and return canonical arrays and never mutate their inputs.

export type Intervals = readonly number[];

/** Canonicalises arbitrary [begin, end] pairs; inverted pairs (begin > end) are dropped. */
export function canonicalRanges(pairs: Iterable<{ readonly begin: number; readonly end: number }>): number[] {
  const sorted: [number, number][] = [];
  for (const p of pairs) if (p.begin <= p.end) sorted.push([p.begin, p.end]);
  sorted.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [begin, end] of sorted) appendInterval(out, begin, end);
  return out;
}

/** Appends [begin, end] to canonical `out` whose last begin is <= begin, coalescing. */
function appendInterval(out: number[], begin: number, end: number): void {
  const n = out.length;
  if (n > 0 && begin <= out[n - 1]! + 1) {
    if (end > out[n - 1]!) out[n - 1] = end;
    return;
  }
  out.push(begin, end);
}

/** a ∪ b. */
export function unionRanges(a: Intervals, b: Intervals): number[] {
  if (b.length === 0) return a.slice();
  if (a.length === 0) return b.slice();
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      appendInterval(out, a[i]!, a[i + 1]!);
      i += 2;
    } else {
      appendInterval(out, b[j]!, b[j + 1]!);
      j += 2;
    }
  }
  return out;
}

/** a \ b. */
export function subtractRanges(a: Intervals, b: Intervals): number[] {
  if (b.length === 0 || a.length === 0) return a.slice();
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let begin = a[i]!;
    const end = a[i + 1]!;
    while (j < b.length && b[j + 1]! < begin) j += 2;
    // b[k..] may extend past `end`; such an interval also affects the next a-interval, so
    // `j` only advances past intervals ending before the current begin.
    for (let k = j; k < b.length && b[k]! <= end && begin <= end; k += 2) {
      if (b[k]! > begin) out.push(begin, b[k]! - 1);
      begin = Math.max(begin, b[k + 1]! + 1);
    }
    if (begin <= end) out.push(begin, end);
  }
  return out;
}

/** True when every point of b lies in a. */
export function containsRanges(a: Intervals, b: Intervals): boolean {
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    while (i < a.length && a[i + 1]! < b[j]!) i += 2;
    if (i >= a.length || a[i]! > b[j]! || a[i + 1]! < b[j + 1]!) return false;
  }
  return true;
}

export function rangesEqual(a: Intervals, b: Intervals): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Number of integers covered (e.g. the number of ports). */
export function rangesCount(a: Intervals): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 2) n += a[i + 1]! - a[i]! + 1;
  return n;
}

export function toPairs(a: Intervals): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < a.length; i += 2) out.push([a[i]!, a[i + 1]!]);
  return out;
}

export function toWireRanges(a: Intervals): { begin: number; end: number }[] {
  const out: { begin: number; end: number }[] = [];
  for (let i = 0; i < a.length; i += 2) out.push({ begin: a[i]!, end: a[i + 1]! });
  return out;
}

/** "[b0-e0<sep>b1-e1]"; Mesos's stringify uses sep ", ". */
export function formatRanges(a: Intervals, separator: string): string {
  const parts: string[] = [];
  for (let i = 0; i < a.length; i += 2) parts.push(`${a[i]}-${a[i + 1]}`);
  return `[${parts.join(separator)}]`;
}
