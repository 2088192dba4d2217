// Item identity ("meta"): everything about a normalized Resource except its value. Two items
// with equal metas are addable/subtractable (Mesos: same name, type, reservation stack, disk,
// revocable, shared, allocation_info and provider_id). The identity string `key` is computed
// once when a meta is built; metas without DiskInfo are interned, so equal metas are usually
// the same object and derived metas (allocate, unallocate) are memoised on it.
import type { DiskInfo, ReservationInfo, Resource } from "../protocol/mesos";
import { copyReservation } from "./format";

export type ValueType = Resource["type"];

export interface MetaFields {
  readonly name: string;
  readonly type: ValueType;
  readonly reservations: readonly ReservationInfo[];
  readonly disk: DiskInfo | undefined;
  readonly revocable: boolean;
  readonly shared: boolean;
  /** Undefined when there is no allocation_info. */
  readonly allocation: { readonly role?: string } | undefined;
  readonly providerId: string | undefined;
}

export interface Meta extends MetaFields {
  readonly key: string;
  /** Reservation role (top of the stack) or "*". */
  readonly role: string;
  readonly persistent: boolean;
  /**
   * Atomic items are indivisible (persistent volumes, MOUNT/BLOCK disks, RAW disks with an id,
   * shared resources): their identity includes the value and equal copies are counted rather
   * than merged.
   */
  readonly atomic: boolean;
  /** Memo of derived metas, keyed by "a:<role>" (allocate) or "u" (unallocate). */
  readonly derived: Map<string, Meta>;
}

const INTERNED = new Map<string, Meta>();

/** Length-prefixed encoding, so concatenated components can never collide. */
function enc(s: string | undefined): string {
  return s === undefined ? "~" : `${s.length}:${s}`;
}

/** JSON with object keys sorted, for the rare nested messages (labels, disk). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function reservationKey(r: ReservationInfo): string {
  const labels = r.labels === undefined ? "~" : enc(canonicalJson(r.labels));
  return enc(r.type) + enc(r.role) + enc(r.principal) + labels;
}

function metaKey(f: MetaFields): string {
  let key = enc(f.name) + f.type.charAt(0) + f.reservations.length;
  for (const r of f.reservations) key += reservationKey(r);
  key += f.disk === undefined ? "~" : enc(canonicalJson(f.disk));
  key += (f.revocable ? "R" : "-") + (f.shared ? "S" : "-");
  key += f.allocation === undefined ? "~" : "A" + enc(f.allocation.role);
  return key + enc(f.providerId);
}

function isAtomic(f: MetaFields): boolean {
  if (f.shared) return true;
  const disk = f.disk;
  if (disk === undefined) return false;
  if (disk.persistence !== undefined) return true;
  const source = disk.source;
  if (source === undefined) return false;
  return source.type === "MOUNT" || source.type === "BLOCK" || (source.type === "RAW" && source.id !== undefined);
}

/** Returns the meta for `fields`, interned when it carries no DiskInfo. */
export function makeMeta(fields: MetaFields): Meta {
  const key = metaKey(fields);
  const existing = INTERNED.get(key);
  if (existing !== undefined) return existing;
  const reservations = Object.freeze(fields.reservations.map((r) => Object.freeze(copyReservation(r))));
  const top = reservations[reservations.length - 1];
  const meta: Meta = {
    name: fields.name,
    type: fields.type,
    reservations,
    disk: fields.disk === undefined ? undefined : (deepFreeze(structuredClone(fields.disk)) as DiskInfo),
    revocable: fields.revocable,
    shared: fields.shared,
    allocation: fields.allocation === undefined ? undefined : Object.freeze({ ...fields.allocation }),
    providerId: fields.providerId,
    key,
    role: top?.role ?? "*",
    persistent: fields.disk?.persistence !== undefined,
    atomic: isAtomic(fields),
    derived: new Map(),
  };
  if (meta.disk === undefined) INTERNED.set(key, meta);
  return meta;
}

/** Meta of a normalized (refined-format) wire resource. */
export function metaOfResource(r: Resource): Meta {
  return makeMeta({
    name: r.name,
    type: r.type,
    reservations: r.reservations ?? [],
    disk: r.disk,
    revocable: r.revocable !== undefined,
    shared: r.shared !== undefined,
    allocation: r.allocation_info,
    providerId: r.provider_id?.value,
  });
}

/** The same meta with allocation_info {role} (or none when `role` is undefined). */
export function withAllocation(meta: Meta, role: string | undefined): Meta {
  const memoKey = role === undefined ? "u" : `a:${role}`;
  const cached = meta.derived.get(memoKey);
  if (cached !== undefined) return cached;
  const derived = makeMeta({ ...meta, allocation: role === undefined ? undefined : { role } });
  meta.derived.set(memoKey, derived);
  return derived;
}

export function withReservations(meta: Meta, reservations: readonly ReservationInfo[]): Meta {
  return makeMeta({ ...meta, reservations });
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
