// Resource validation (the rules of Mesos's Resources::validate; scheduler-api.md §7).
// Accepts either reservation format; returns the first problem as a message, or null.
import type { ReservationInfo, Resource } from "../protocol/mesos";
import { isStrictSubroleOf, validateRole } from "./roles";

export function validateResource(r: Resource): string | null {
  if (!r.name) return "Empty resource name";
  return (
    validateValue(r) ??
    validateReservationFormat(r) ??
    validateDisk(r) ??
    validateRevocable(r) ??
    validateShared(r)
  );
}

export function validateResources(list: readonly Resource[]): string | null {
  for (const r of list) {
    const error = validateResource(r);
    if (error !== null) return error;
  }
  return null;
}

function validateValue(r: Resource): string | null {
  const prefix = `Invalid ${String(r.type).toLowerCase()} resource '${r.name}'`;
  switch (r.type) {
    case "SCALAR":
      if (!r.scalar || r.ranges || r.set) return `${prefix}: exactly the 'scalar' field must be set`;
      if (!Number.isFinite(r.scalar.value)) return `${prefix}: value must be finite`;
      if (r.scalar.value < 0) return `${prefix}: value < 0`;
      return null;
    case "RANGES":
      if (r.scalar || !r.ranges || r.set) return `${prefix}: exactly the 'ranges' field must be set`;
      return validateRangeList(r.ranges.range ?? [], prefix);
    case "SET":
      if (r.scalar || r.ranges || !r.set) return `${prefix}: exactly the 'set' field must be set`;
      return new Set(r.set.item).size === (r.set.item ?? []).length ? null : `${prefix}: duplicated elements`;
    default:
      return `Unsupported resource type '${String(r.type)}' for resource '${r.name}'`;
  }
}

function validateRangeList(list: readonly { begin: number; end: number }[], prefix: string): string | null {
  for (const range of list) {
    if (!Number.isSafeInteger(range.begin) || !Number.isSafeInteger(range.end) || range.begin < 0) {
      return `${prefix}: bounds must be non-negative integers`;
    }
    if (range.begin > range.end) return `${prefix}: begin > end in [${range.begin}-${range.end}]`;
  }
  const sorted = [...list].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.begin <= sorted[i - 1]!.end) return `${prefix}: overlapping ranges`;
  }
  return null;
}

function validateReservationFormat(r: Resource): string | null {
  const stack = r.reservations ?? [];
  if (stack.length === 0) return validateLegacyReservation(r);
  const stackError = validateReservationStack(stack);
  if (stackError !== null) return `Invalid reservation for resource '${r.name}': ${stackError}`;
  // The legacy fields may accompany a one-entry stack only if they agree with it.
  const top = stack[0]!;
  if (r.role !== undefined && (stack.length > 1 || r.role !== top.role)) {
    return `Invalid resource format for '${r.name}': 'role' does not match 'reservations'`;
  }
  if (r.reservation !== undefined && (stack.length > 1 || top.type !== "DYNAMIC")) {
    return `Invalid resource format for '${r.name}': 'reservation' does not match 'reservations'`;
  }
  return null;
}

function validateLegacyReservation(r: Resource): string | null {
  const role = r.role ?? "*";
  const roleError = validateRole(role);
  if (roleError !== null) return roleError;
  if (r.reservation === undefined) return null;
  if (r.reservation.type !== undefined || r.reservation.role !== undefined) {
    return `Invalid reservation for resource '${r.name}': 'type' and 'role' must not be set in 'reservation'`;
  }
  if (role === "*") return `Invalid reservation for resource '${r.name}': role '*' cannot be reserved for`;
  return null;
}

/**
 * Checks a refined reservation stack: every role valid and not "*"; only the first entry may be
 * STATIC; each later role a strict descendant of the one before. Null when valid.
 */
export function validateReservationStack(stack: readonly ReservationInfo[]): string | null {
  let previous: string | undefined;
  for (const [i, entry] of stack.entries()) {
    if (entry.type !== "STATIC" && entry.type !== "DYNAMIC") return "'type' must be STATIC or DYNAMIC";
    if (entry.role === undefined) return "'role' must be set";
    const roleError = validateRole(entry.role);
    if (roleError !== null) return roleError;
    if (entry.role === "*") return "role '*' cannot be reserved for";
    if (i > 0 && entry.type !== "DYNAMIC") return "a refined reservation must be DYNAMIC";
    if (previous !== undefined && !isStrictSubroleOf(entry.role, previous)) {
      return `role '${entry.role}' is not a refinement of '${previous}'`;
    }
    previous = entry.role;
  }
  return null;
}

function isReservedAnyFormat(r: Resource): boolean {
  return (r.reservations?.length ?? 0) > 0 || (r.role !== undefined && r.role !== "*");
}

function validateDisk(r: Resource): string | null {
  if (r.disk === undefined) return null;
  if (r.name !== "disk") return `DiskInfo must not be set for '${r.name}' resource`;
  if (r.disk.persistence !== undefined) {
    if (r.disk.volume === undefined) return "Persistent volume must have 'volume' set";
    if (!isReservedAnyFormat(r)) return "Persistent volumes cannot be created from unreserved resources";
  }
  return null;
}

function validateRevocable(r: Resource): string | null {
  if (r.revocable === undefined) return null;
  if (r.disk !== undefined) return `Revocable resource '${r.name}' cannot have DiskInfo`;
  if (isReservedAnyFormat(r) || r.reservation !== undefined) {
    return `Revocable resource '${r.name}' cannot be reserved`;
  }
  return null;
}

function validateShared(r: Resource): string | null {
  if (r.shared === undefined) return null;
  return r.disk?.persistence !== undefined ? null : "Only persistent volumes can be shared";
}
