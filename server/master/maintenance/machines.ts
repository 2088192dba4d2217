// Machines and schedules (Mesos maintenance primitives, ha-maintenance.md §5): the wire shapes,
// the validation Mesos runs on a posted schedule and on machine lists, and which machine an agent
// belongs to. Pure: no master state here.
import { z } from "zod";

export interface MachineId {
  hostname?: string;
  ip?: string;
}

export interface Unavailability {
  start: { nanoseconds: number };
  duration?: { nanoseconds: number };
}

export interface Window {
  machine_ids: MachineId[];
  unavailability: Unavailability;
}

export interface Schedule {
  windows: Window[];
}

export type MachineMode = "UP" | "DRAINING" | "DOWN";

/**
 * Nanoseconds since the epoch are ~1.9e18, beyond 2^53: any integral JSON number (or numeric
 * string) is accepted and kept as the nearest double (precision below ~256 ns is not preserved).
 */
const nanos = z.preprocess(
  (v) => (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v),
  z.number().refine((n) => Number.isInteger(n) && Math.abs(n) <= 9_223_372_036_854_775_807, { message: "Expected a 64-bit integer" }),
);
const NanosIn = z.object({ nanoseconds: nanos });
export const MachineIdIn = z.object({ hostname: z.string().optional(), ip: z.string().optional() });
export const UnavailabilityIn = z.object({ start: NanosIn, duration: NanosIn.optional() });
export const WindowIn = z.object({ machine_ids: z.array(MachineIdIn).optional(), unavailability: UnavailabilityIn });
export const ScheduleIn = z.object({ windows: z.array(WindowIn).optional() });
export const MachineIdsIn = z.array(MachineIdIn);

/** A parsed schedule in canonical form (every window has a `machine_ids` list). */
export function canonicalSchedule(s: z.infer<typeof ScheduleIn>): Schedule {
  return {
    windows: (s.windows ?? []).map((w) => ({
      machine_ids: (w.machine_ids ?? []).map(canonicalMachine),
      unavailability: { start: { nanoseconds: w.unavailability.start.nanoseconds }, ...(w.unavailability.duration ? { duration: { nanoseconds: w.unavailability.duration.nanoseconds } } : {}) },
    })),
  };
}

/** Drops empty fields (protobuf: an unset string and "" are the same). */
export function canonicalMachine(id: MachineId): MachineId {
  const out: MachineId = {};
  if (id.hostname) out.hostname = id.hostname;
  if (id.ip) out.ip = id.ip;
  return out;
}

/** Identity of a machine: hostname compared case-insensitively, an omitted field is "". */
export function machineKey(id: MachineId): string {
  return `${(id.hostname ?? "").toLowerCase()}|${id.ip ?? ""}`;
}

/** Mesos's MachineID DebugString, on one line (used in error messages). */
export function describeMachine(id: MachineId): string {
  const parts: string[] = [];
  if (id.hostname) parts.push(`hostname: "${id.hostname}"`);
  if (id.ip) parts.push(`ip: "${id.ip}"`);
  return parts.join(" ");
}

/** The machine an agent runs on: its advertised hostname and the IP it connected from. */
export function agentMachine(hostname: string, ip: string): MachineId {
  return canonicalMachine({ hostname, ip });
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** One machine: at least one of hostname/ip; an ip must be a well-formed IPv4 address. */
export function validateMachine(id: MachineId): string | null {
  if (!id.hostname && !id.ip) return "Both 'hostname' and 'ip' for a machine are empty";
  if (id.ip && !IPV4.test(id.ip)) return `Failed to parse IP '${id.ip}'`;
  return null;
}

/** A machine list for /machine/down, /machine/up, START_/STOP_MAINTENANCE. */
export function validateMachines(ids: MachineId[]): string | null {
  if (ids.length === 0) return "List of machines is empty";
  const seen = new Set<string>();
  for (const id of ids) {
    const bad = validateMachine(id);
    if (bad) return bad;
    const key = machineKey(id);
    if (seen.has(key)) return `Machine '${describeMachine(id)}' appears more than once in the schedule`;
    seen.add(key);
  }
  return null;
}

/**
 * A posted schedule: every window has machines and a non-negative duration, every machine is
 * valid and appears once, and no machine that is DOWN now is left out.
 */
export function validateSchedule(schedule: Schedule, down: Iterable<MachineId>): string | null {
  const listed = new Set<string>();
  for (const window of schedule.windows) {
    if (window.machine_ids.length === 0) return "List of machines in the maintenance window is empty";
    if ((window.unavailability.duration?.nanoseconds ?? 0) < 0) return "Unavailability 'duration' is negative";
    for (const id of window.machine_ids) {
      const bad = validateMachine(id);
      if (bad) return bad;
      const key = machineKey(id);
      if (listed.has(key)) return `Machine '${describeMachine(id)}' appears more than once in the schedule`;
      listed.add(key);
    }
  }
  for (const id of down) {
    if (!listed.has(machineKey(id))) return `Machine '${describeMachine(id)}' is deactivated and cannot be removed from the schedule`;
  }
  return null;
}

/** Machine key → (machine as listed, its window's unavailability). */
export function scheduledMachines(schedule: Schedule): Map<string, { id: MachineId; unavailability: Unavailability }> {
  const out = new Map<string, { id: MachineId; unavailability: Unavailability }>();
  for (const w of schedule.windows) for (const id of w.machine_ids) out.set(machineKey(id), { id, unavailability: w.unavailability });
  return out;
}

/** The schedule without the given machines (windows left empty are dropped). */
export function withoutMachines(schedule: Schedule, keys: Set<string>): Schedule {
  return {
    windows: schedule.windows
      .map((w) => ({ ...w, machine_ids: w.machine_ids.filter((id) => !keys.has(machineKey(id))) }))
      .filter((w) => w.machine_ids.length > 0),
  };
}

export function sameUnavailability(a: Unavailability | undefined, b: Unavailability | undefined): boolean {
  return a?.start.nanoseconds === b?.start.nanoseconds && a?.duration?.nanoseconds === b?.duration?.nanoseconds;
}
