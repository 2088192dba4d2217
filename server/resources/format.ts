// The two reservation formats of a wire Resource (scheduler-api.md §7) and predicates on
// single wire resources. Internally Plateau always uses the refined format: a `reservations`
// stack (empty = unreserved; the last entry is the current owner), never `role`/`reservation`.
// Predicates accept either format.
import type { ReservationInfo, Resource } from "../protocol/mesos";
import { toFixed3 } from "./fixed";
import { isSubroleOrSelf } from "./roles";

/** Copies a ReservationInfo, dropping unset fields (labels are deep-copied). */
export function copyReservation(r: ReservationInfo): ReservationInfo {
  const out: ReservationInfo = {};
  if (r.type !== undefined) out.type = r.type;
  if (r.role !== undefined) out.role = r.role;
  if (r.principal !== undefined) out.principal = r.principal;
  if (r.labels !== undefined) out.labels = structuredClone(r.labels);
  return out;
}

/**
 * Converts to the refined format: legacy `role` (non-"*") or `reservation` become a
 * one-entry stack — DYNAMIC when `reservation` was present, else STATIC — and `role` /
 * `reservation` are removed. An already non-empty `reservations` stack wins; an empty one is
 * omitted. Values are left as given. Returns a new object (nested messages are shared).
 */
export function normalizeResource(r: Resource): Resource {
  const { role, reservation, reservations, ...rest } = r;
  const out: Resource = rest;
  if (reservations !== undefined && reservations.length > 0) {
    out.reservations = reservations;
  } else if ((role !== undefined && role !== "*") || reservation !== undefined) {
    const entry: ReservationInfo = reservation ? { ...reservation, type: "DYNAMIC" } : { type: "STATIC" };
    entry.role = role ?? "*";
    out.reservations = [entry];
  }
  return out;
}

/** The refined (RESERVATION_REFINEMENT) wire form: normalized, scalar rounded to 3 places. */
export function toRefinedFormat(r: Resource): Resource {
  const out = normalizeResource(r);
  if (out.scalar !== undefined) out.scalar = { value: toFixed3(out.scalar.value) };
  return out;
}

/**
 * The pre-refinement wire form for frameworks without RESERVATION_REFINEMENT: `role` is the
 * reservation role or "*", `reservation` ({principal?, labels?}) only for a dynamic
 * reservation. Returns null for a refined resource (stack deeper than 1), which such
 * frameworks must not be shown.
 */
export function toLegacyFormat(r: Resource): Resource | null {
  const { reservations, ...rest } = toRefinedFormat(r);
  const stack = reservations ?? [];
  if (stack.length > 1) return null;
  const out: Resource = rest;
  const entry = stack[0];
  out.role = entry?.role ?? "*";
  if (entry?.type === "DYNAMIC") {
    const legacy: ReservationInfo = {};
    if (entry.principal !== undefined) legacy.principal = entry.principal;
    if (entry.labels !== undefined) legacy.labels = entry.labels;
    out.reservation = legacy;
  }
  return out;
}

/** The current reservation (top of the stack), in either format; undefined if unreserved. */
function currentReservation(r: Resource): ReservationInfo | undefined {
  const stack = r.reservations;
  if (stack !== undefined && stack.length > 0) return stack[stack.length - 1];
  if ((r.role !== undefined && r.role !== "*") || r.reservation !== undefined) {
    return { type: r.reservation ? "DYNAMIC" : "STATIC", role: r.role ?? "*" };
  }
  return undefined;
}

/** The role the resource is reserved for, "*" when unreserved. */
export function reservationRole(r: Resource): string {
  return currentReservation(r)?.role ?? "*";
}

/** Reserved at all, or (with `role`) reserved for exactly that role. */
export function isReserved(r: Resource, role?: string): boolean {
  const current = reservationRole(r);
  return current !== "*" && (role === undefined || role === current);
}

export function isUnreserved(r: Resource): boolean {
  return reservationRole(r) === "*";
}

/** The current (top) reservation is DYNAMIC. */
export function isDynamicallyReserved(r: Resource): boolean {
  return currentReservation(r)?.type === "DYNAMIC";
}

/** Offerable to `role`: unreserved, or reserved for `role` or one of its ancestors. */
export function isAllocatableTo(r: Resource, role: string): boolean {
  const current = reservationRole(r);
  return current === "*" || isSubroleOrSelf(role, current);
}

export function isPersistentVolume(r: Resource): boolean {
  return r.disk?.persistence !== undefined;
}

export function isRevocable(r: Resource): boolean {
  return r.revocable !== undefined;
}

export function isShared(r: Resource): boolean {
  return r.shared !== undefined;
}
