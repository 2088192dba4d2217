// Quota and weights as configuration: wire conversion and the validation the operator API runs
// before UPDATE_WEIGHTS / UPDATE_QUOTA (operator-api.md §2.1; Mesos's quota::validate, the
// master's quota and weights handlers). Every function returns a Mesos-style error message or
// null; nothing here changes state (a rejected update changes nothing).
import { validateRole } from "../resources";
import type { QuotaConfig, WeightInfo } from "./types";

/** Wire QuotaConfig: `{role, guarantees: {name: {value}}, limits: {name: {value}}}`. */
export interface QuotaConfigWire {
  role: string;
  guarantees?: Record<string, { value: number }>;
  limits?: Record<string, { value: number }>;
}

export function quotaConfigFromWire(wire: QuotaConfigWire): QuotaConfig {
  const amounts = (m: Record<string, { value: number }> | undefined) =>
    Object.fromEntries(Object.entries(m ?? {}).map(([name, v]) => [name, v?.value ?? Number.NaN]));
  return { role: wire.role, guarantees: amounts(wire.guarantees), limits: amounts(wire.limits) };
}

export function quotaConfigToWire(config: QuotaConfig): QuotaConfigWire {
  const wrap = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([name, value]) => [name, { value }]));
  return { role: config.role, guarantees: wrap(config.guarantees), limits: wrap(config.limits) };
}

/** A config with no guarantees and no limits is the default: it removes the role's quota. */
export function isDefaultQuota(config: QuotaConfig): boolean {
  return Object.keys(config.guarantees).length === 0 && Object.keys(config.limits).length === 0;
}

/** Quantities as Mesos prints them: "cpus:1; mem:512" (sorted by name). */
export function formatQuantities(q: Readonly<Record<string, number>>): string {
  const names = Object.keys(q).sort();
  return names.length === 0 ? "{}" : names.map((n) => `${n}:${q[n]}`).join("; ");
}

function validateScalar(value: number): string | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return "Invalid scalar value: must be a finite number";
  if (value < 0) return "Invalid scalar value: must be non-negative";
  return null;
}

/** Quantities of `a` that exceed `b` (names absent from `b` are unlimited when `absentIsUnlimited`). */
function exceeds(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>, absentIsUnlimited: boolean): boolean {
  for (const [name, amount] of Object.entries(a)) {
    const cap = b[name];
    if (cap === undefined) {
      if (!absentIsUnlimited && amount > 0) return true;
      continue;
    }
    if (amount > cap + 1e-9) return true;
  }
  return false;
}

/** One QuotaConfig on its own (Mesos's quota::validate). */
export function validateQuotaConfig(config: QuotaConfig): string | null {
  if (typeof config.role !== "string") return "'QuotaConfig.role' must be set";
  const roleError = validateRole(config.role);
  if (roleError) return `Invalid 'QuotaConfig.role': ${roleError}`;
  if (config.role === "*") return "Invalid 'QuotaConfig.role': setting quota for the default '*' role is not supported";
  for (const [name, value] of Object.entries(config.guarantees)) {
    if (name.length === 0) return "Invalid guarantee configuration: resource name must not be empty";
    const err = validateScalar(value);
    if (err) return `Invalid guarantee configuration {'${name}': ${value}}: ${err}`;
  }
  for (const [name, value] of Object.entries(config.limits)) {
    if (name.length === 0) return "Invalid limit configuration: resource name must not be empty";
    const err = validateScalar(value);
    if (err) return `Invalid limit configuration {'${name}': ${value}}: ${err}`;
  }
  if (exceeds(config.guarantees, config.limits, true)) {
    return `Invalid QuotaConfig: guarantees '${formatQuantities(config.guarantees)}' is not contained within limits '${formatQuantities(config.limits)}'`;
  }
  return null;
}

export interface QuotaUpdateContext {
  /** Quota currently in force, by role (roles without quota absent). */
  current: ReadonlyMap<string, QuotaConfig>;
  /** Scalar totals of every agent in the cluster. */
  clusterTotals: Readonly<Record<string, number>>;
  /**
   * What a role subtree consumes now: its reservations plus the unreserved resources its tasks
   * use (offers are not counted: the master rescinds them to enforce a new limit).
   */
  consumed(role: string): Readonly<Record<string, number>>;
}

function parentOf(role: string): string | null {
  const i = role.lastIndexOf("/");
  return i < 0 ? null : role.slice(0, i);
}

function sumInto(into: Record<string, number>, q: Readonly<Record<string, number>>): void {
  for (const [name, amount] of Object.entries(q)) into[name] = (into[name] ?? 0) + amount;
}

/**
 * UPDATE_QUOTA (all-or-nothing): each config valid, no role twice, the resulting quota tree
 * consistent (children's guarantees fit in a parent's guarantees, a child's limits within its
 * parent's), and — unless `force` — guarantees within cluster capacity and limits not below
 * current consumption.
 */
export function validateQuotaConfigs(configs: readonly QuotaConfig[], context: QuotaUpdateContext, force: boolean): string | null {
  const seen = new Set<string>();
  for (const config of configs) {
    const err = validateQuotaConfig(config);
    if (err) return err;
    if (seen.has(config.role)) return `Invalid QuotaConfig: duplicate role '${config.role}' in the request`;
    seen.add(config.role);
  }

  const next = new Map(context.current);
  for (const config of configs) {
    if (isDefaultQuota(config)) next.delete(config.role);
    else next.set(config.role, config);
  }

  for (const [role, config] of next) {
    // Nearest ancestor with quota: a child must fit in it.
    for (let parent = parentOf(role); parent !== null; parent = parentOf(parent)) {
      const p = next.get(parent);
      if (!p) continue;
      if (Object.keys(p.limits).length > 0 && Object.keys(config.limits).length > 0) {
        for (const [name, cap] of Object.entries(p.limits)) {
          const mine = config.limits[name];
          if (mine !== undefined && mine > cap + 1e-9) {
            return `Invalid QuotaConfig: role '${role}' has limits '${formatQuantities(config.limits)}' which exceed its parent role '${parent}' limits '${formatQuantities(p.limits)}'`;
          }
        }
      }
      break;
    }
  }
  // Children's guarantees summed per nearest guaranteed ancestor.
  const childGuarantees = new Map<string, Record<string, number>>();
  for (const [role, config] of next) {
    if (Object.keys(config.guarantees).length === 0) continue;
    for (let parent = parentOf(role); parent !== null; parent = parentOf(parent)) {
      const p = next.get(parent);
      if (!p || Object.keys(p.guarantees).length === 0) continue;
      const sum = childGuarantees.get(parent) ?? {};
      sumInto(sum, config.guarantees);
      childGuarantees.set(parent, sum);
      break;
    }
  }
  for (const [parent, sum] of childGuarantees) {
    const p = next.get(parent)!;
    if (exceeds(sum, p.guarantees, false)) {
      return `Invalid QuotaConfig: the sum of the guarantees of the children of role '${parent}' ('${formatQuantities(sum)}') exceeds its guarantees '${formatQuantities(p.guarantees)}'`;
    }
  }

  if (force) return null;

  // Overcommit check: guarantees of top-most guaranteed roles against cluster capacity.
  const total: Record<string, number> = {};
  for (const [role, config] of next) {
    let nested = false;
    for (let parent = parentOf(role); parent !== null; parent = parentOf(parent)) {
      if (Object.keys(next.get(parent)?.guarantees ?? {}).length > 0) nested = true;
    }
    if (!nested) sumInto(total, config.guarantees);
  }
  if (exceeds(total, context.clusterTotals, false)) {
    return `Total quota guarantees '${formatQuantities(total)}' exceed cluster capacity '${formatQuantities(context.clusterTotals)}' (use 'force' flag to bypass this check)`;
  }

  for (const config of configs) {
    if (Object.keys(config.limits).length === 0) continue;
    const consumed = context.consumed(config.role);
    if (exceeds(consumed, config.limits, true)) {
      return `Invalid QuotaConfig: role '${config.role}' is already consuming '${formatQuantities(consumed)}' which exceeds its requested limits '${formatQuantities(config.limits)}' (use 'force' flag to bypass this check)`;
    }
  }
  return null;
}

/** UPDATE_WEIGHTS / --weights entries: valid role, weight a positive finite number. */
export function validateWeights(weights: readonly WeightInfo[]): string | null {
  for (const w of weights) {
    if (typeof w.role !== "string") return "Failed to validate update weights request: 'WeightInfo.role' must be set";
    const roleError = validateRole(w.role);
    if (roleError) return `Failed to validate update weights request for role '${w.role}': ${roleError}`;
    if (typeof w.weight !== "number" || !Number.isFinite(w.weight) || w.weight <= 0) {
      return `Invalid weight '${w.weight}' for role '${w.role}': weights must be positive`;
    }
  }
  return null;
}

/** Parses `--weights` ("role1=weight1,role2=weight2"); throws with a flag-style message. */
export function parseWeightsFlag(text: string): WeightInfo[] {
  const out: WeightInfo[] = [];
  for (const part of text.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const eq = item.lastIndexOf("=");
    if (eq <= 0) throw new Error(`Invalid weight '${item}': expected role=weight`);
    const role = item.slice(0, eq).trim();
    const weight = Number(item.slice(eq + 1).trim());
    out.push({ role, weight });
  }
  const err = validateWeights(out);
  if (err) throw new Error(err);
  return out;
}

/**
 * Parses `--min_allocatable_resources` ("cpus:0.01|mem:32": alternatives separated by '|',
 * quantities inside one by ';'). Returns the alternatives as `{name: amount}` records.
 */
export function parseMinAllocatable(text: string): Record<string, number>[] {
  const alternatives: Record<string, number>[] = [];
  for (const alt of text.split("|")) {
    const record: Record<string, number> = {};
    for (const part of alt.split(";")) {
      const item = part.trim();
      if (item === "") continue;
      const colon = item.indexOf(":");
      const name = colon < 0 ? "" : item.slice(0, colon).trim();
      const amount = Number(colon < 0 ? Number.NaN : item.slice(colon + 1).trim());
      if (name === "" || !Number.isFinite(amount) || amount < 0) throw new Error(`Invalid min allocatable resources '${text}': bad quantity '${item}'`);
      record[name] = (record[name] ?? 0) + amount;
    }
    if (Object.keys(record).length === 0) throw new Error(`Invalid min allocatable resources '${text}': empty alternative`);
    alternatives.push(record);
  }
  return alternatives;
}

/**
 * FrameworkInfo.offer_filters (`{role: {min_allocatable_resources: {quantities: [{quantities:
 * {name: {value}}}]}}}`) as per-role minimum offer shapes; roles without min_allocatable_resources
 * are left out (they use the cluster default). Malformed input counts as absent.
 */
export function minAllocatableFromOfferFilters(offerFilters: unknown): Record<string, Record<string, number>[]> | undefined {
  if (typeof offerFilters !== "object" || offerFilters === null) return undefined;
  const out: Record<string, Record<string, number>[]> = {};
  for (const [role, filters] of Object.entries(offerFilters as Record<string, unknown>)) {
    const min = (filters as { min_allocatable_resources?: { quantities?: unknown } } | null)?.min_allocatable_resources;
    if (min === undefined || min === null) continue;
    const alternatives: Record<string, number>[] = [];
    for (const q of Array.isArray(min.quantities) ? min.quantities : []) {
      const record: Record<string, number> = {};
      for (const [name, v] of Object.entries((q as { quantities?: Record<string, { value?: unknown }> })?.quantities ?? {})) {
        if (typeof v?.value === "number" && Number.isFinite(v.value) && v.value >= 0) record[name] = v.value;
      }
      alternatives.push(record);
    }
    // An empty alternative asks for nothing: any non-empty offer will do.
    out[role] = alternatives.some((a) => Object.keys(a).length === 0) ? [] : alternatives;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
