// Scalar quantity vectors for the allocator's hot paths. Shares, quota consumption and headroom
// are sums of scalar quantities (Mesos's ResourceQuantities); keeping them as dense number arrays
// indexed by resource name avoids building Maps on every allocation.
//
// Contract: a QVec holds integer thousandths (the Resources algebra's fixed point), so sums
// and differences stay exact. Index i is the name `nameOf(i)`; a vector may be shorter than the
// registry (missing entries are 0). Names are interned for the life of the process (like the
// algebra's interned metas): the set of resource names in a cluster is small.
import { Resources } from "../resources";

export type QVec = number[];

const NAMES: string[] = [];
const INDEX = new Map<string, number>();
/** Names seen as RANGES or SET (not scalar) in some agent's resources. */
const NON_SCALAR = new Set<string>();

/** Index of `name` in every QVec (interned on first use). */
export function nameIndex(name: string): number {
  let i = INDEX.get(name);
  if (i === undefined) {
    i = NAMES.length;
    NAMES.push(name);
    INDEX.set(name, i);
  }
  return i;
}

export function nameOf(index: number): string {
  return NAMES[index]!;
}

export function isNonScalarName(name: string): boolean {
  return NON_SCALAR.has(name);
}

export function zeros(): QVec {
  return new Array<number>(NAMES.length).fill(0);
}

/** a += b (grows a when b is longer). */
export function addInto(a: QVec, b: QVec): void {
  for (let i = 0; i < b.length; i++) {
    const v = b[i]!;
    if (v === 0) continue;
    if (i < a.length) a[i] = a[i]! + v;
    else {
      while (a.length < i) a.push(0);
      a.push(v);
    }
  }
}

/** a -= b, clamped at 0 (allocations are never negative). */
export function subtractInto(a: QVec, b: QVec): void {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const v = a[i]! - b[i]!;
    a[i] = v > 0 ? v : 0;
  }
}

export function isZero(a: QVec): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

/** a ≤ b element-wise (entries absent from b count as 0). */
export function lessOrEqual(a: QVec, b: QVec): boolean {
  for (let i = 0; i < a.length; i++) if (a[i]! > (b[i] ?? 0)) return false;
  return true;
}

export function get(a: QVec, name: string): number {
  return (a[INDEX.get(name) ?? -1] ?? 0) / 1000;
}

/** From `{name: amount}` (amounts in natural units). */
export function fromRecord(record: Readonly<Record<string, number>>): QVec {
  const out = zeros();
  for (const [name, amount] of Object.entries(record)) {
    const i = nameIndex(name);
    while (out.length <= i) out.push(0);
    out[i] = Math.round(amount * 1000);
  }
  return out;
}

/** To `{name: amount}` (natural units), leaving out zeros. */
export function toRecord(a: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) out[NAMES[i]!] = a[i]! / 1000;
  return out;
}

/** Learns which names are ranges/sets, from an agent's total (call before scalarsOf on it). */
export function learnTypes(resources: Resources): void {
  for (const r of resources.filter((x) => x.type !== "SCALAR").toArray()) NON_SCALAR.add(r.name);
}

const CACHE = new WeakMap<Resources, QVec>();

/**
 * Scalar quantities of `resources` (ranges and sets left out, as Mesos's sorters do). Cached
 * per Resources object, which is immutable; callers must not mutate the result.
 */
export function scalarsOf(resources: Resources): QVec {
  let q = CACHE.get(resources);
  if (q !== undefined) return q;
  q = zeros();
  if (!resources.isEmpty()) {
    for (const [name, amount] of resources.quantities()) {
      if (NON_SCALAR.has(name) || resources.scalar(name) === 0) continue;
      const i = nameIndex(name);
      while (q.length <= i) q.push(0);
      q[i] = Math.round(amount * 1000);
    }
  }
  CACHE.set(resources, q);
  return q;
}

/**
 * The part of `resources` whose scalar amounts fit in `room` (milli, per name): each scalar
 * resource named in `limitedNames` is cut down to what is left of its name's room, in item
 * order; other resources are kept whole. Used for quota limits and headroom. `room` is not
 * modified.
 */
export function shrinkTo(resources: Resources, room: QVec, limitedNames: readonly number[]): Resources {
  let needed = false;
  const q = scalarsOf(resources);
  for (const i of limitedNames) if ((q[i] ?? 0) > (room[i] ?? 0)) needed = true;
  if (!needed) return resources;
  const left = new Map<string, number>();
  for (const i of limitedNames) left.set(nameOf(i), Math.max(0, room[i] ?? 0));
  const out = [];
  for (const r of resources.toArray()) {
    const budget = left.get(r.name);
    if (budget === undefined || r.type !== "SCALAR" || r.scalar === undefined) {
      out.push(r);
      continue;
    }
    const milli = Math.round(r.scalar.value * 1000);
    // Indivisible disks (MOUNT/BLOCK, volumes) fit whole or not at all.
    const atomic = r.disk !== undefined || r.shared !== undefined;
    const take = atomic ? (milli <= budget ? milli : 0) : Math.min(milli, budget);
    left.set(r.name, budget - take);
    if (take > 0) out.push({ ...r, scalar: { value: take / 1000 } });
  }
  return Resources.from(out);
}
