// Roles on the master: weights and quota as durable configuration (registry entries `weights`
// and `quota`), applied to the allocator after they are durable, and the consumption figures
// UPDATE_QUOTA is validated against. The operator API calls `updateWeights` / `updateQuota`;
// recovery calls `recoverRoles`.
//
// Each update is one named registry operation whose writes are computed — and validated — when
// the registrar runs it, so concurrent updates are checked against each other's results. A
// rejected update throws CommandError("BAD_REQUEST", <Mesos message>) and changes nothing.
import { isTerminalState } from "../protocol/mesos";
import { isSubroleOrSelf, type Resources } from "../resources";
import { isDefaultQuota, validateQuotaConfigs, validateWeights } from "../allocator/quota";
import type { QuotaConfig, WeightInfo } from "../allocator/types";
import { CommandError } from "./errors";
import type { Master } from "./master";
import { rescindOffer } from "./offers";
import { RegistryOperationError, type RegistryOperation, type RegistryState } from "./registrar";

export const WEIGHTS_ENTRY = "weights";
export const QUOTA_ENTRY = "quota";

/** Weights persisted in the registry, or undefined when none were ever persisted. */
function persistedWeights(state: Readonly<RegistryState>): WeightInfo[] | undefined {
  const value = state.entries.get(WEIGHTS_ENTRY);
  return Array.isArray(value) ? (value as WeightInfo[]) : undefined;
}

function persistedQuotas(state: Readonly<RegistryState>): QuotaConfig[] {
  const value = state.entries.get(QUOTA_ENTRY);
  return Array.isArray(value) ? (value as QuotaConfig[]) : [];
}

/** Weights in force: persisted ones, else --weights (ignored once weights are persisted, as Mesos). */
export function currentWeights(m: Master): WeightInfo[] {
  return persistedWeights(m.registrar.view()) ?? m.config.weights ?? [];
}

/** Quota configs in force (non-default ones only). */
export function currentQuotas(m: Master): QuotaConfig[] {
  return persistedQuotas(m.registrar.view());
}

/** After the registry is loaded: hand weights and quota to the allocator. */
export function recoverRoles(m: Master): void {
  const weights = currentWeights(m);
  if (weights.length > 0) m.allocator.updateWeights(weights);
  for (const config of currentQuotas(m)) m.allocator.updateQuota(config);
}

function addScalars(into: Record<string, number>, resources: Resources): void {
  for (const r of resources.toArray()) {
    if (r.type !== "SCALAR" || r.scalar === undefined || r.revocable !== undefined) continue;
    into[r.name] = Math.round(((into[r.name] ?? 0) + r.scalar.value) * 1000) / 1000;
  }
}

/**
 * Quota consumption of a role subtree from the master's own books: reservations on registered
 * agents plus unreserved non-revocable resources of live tasks — and of outstanding offers when
 * `includeOffers` (what the allocator counts; UPDATE_QUOTA validation leaves offers out).
 */
export function roleConsumption(m: Master, role: string, opts: { includeOffers?: boolean } = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const agent of m.agents.values()) {
    for (const r of agent.total.reserved().toArray()) {
      const owner = r.reservations?.at(-1)?.role;
      if (owner !== undefined && isSubroleOrSelf(owner, role) && r.type === "SCALAR" && r.scalar) {
        out[r.name] = Math.round(((out[r.name] ?? 0) + r.scalar.value) * 1000) / 1000;
      }
    }
    for (const tasks of agent.tasks.values()) {
      for (const task of tasks.values()) {
        if (isTerminalState(task.state)) continue;
        for (const [owner, part] of task.resources.allocations()) if (isSubroleOrSelf(owner, role)) addScalars(out, part.unreserved());
      }
    }
  }
  if (opts.includeOffers) {
    for (const offer of m.offers.values()) if (isSubroleOrSelf(offer.role, role)) addScalars(out, offer.resources.unreserved());
  }
  return out;
}

function clusterTotals(m: Master): Record<string, number> {
  const out: Record<string, number> = {};
  for (const agent of m.agents.values()) addScalars(out, agent.total);
  return out;
}

function operatorEntry(m: Master, action: string, summary: string, principal: string | undefined, error?: string): void {
  m.timeline.add({
    time: m.clock.now(),
    kind: "operator",
    action,
    summary: error ? `${summary} rejected: ${error}` : summary,
    principal,
    result: error ? "error" : "ok",
  });
}

/** UPDATE_WEIGHTS: persists, then applies; weights of roles not named are unchanged. */
export async function updateWeights(m: Master, weights: WeightInfo[], principal?: string): Promise<void> {
  const summary = `Weights ${weights.map((w) => `${w.role}=${w.weight}`).join(",")}`;
  const error = validateWeights(weights);
  if (error) {
    operatorEntry(m, "UPDATE_WEIGHTS", summary, principal, error);
    throw new CommandError("BAD_REQUEST", error);
  }
  let merged: WeightInfo[] = [];
  const op: RegistryOperation = {
    name: "UpdateWeights",
    writes(state) {
      const byRole = new Map((persistedWeights(state) ?? m.config.weights ?? []).map((w) => [w.role, w.weight]));
      for (const w of weights) byRole.set(w.role, w.weight);
      merged = [...byRole].map(([role, weight]) => ({ role, weight }));
      return [{ kind: "entry.put", key: WEIGHTS_ENTRY, value: merged }];
    },
  };
  await m.registrar.apply(op);
  m.allocator.updateWeights(weights);
  operatorEntry(m, "UPDATE_WEIGHTS", summary, principal);
  m.requestAllocation();
}

/**
 * UPDATE_QUOTA (all-or-nothing): validated against the cluster's capacity and the roles' current
 * consumption unless `force`; persisted; applied to the allocator; then offers are rescinded
 * until no role's consumption (offers included) exceeds its new limits.
 */
export async function updateQuota(m: Master, configs: QuotaConfig[], force = false, principal?: string): Promise<void> {
  const summary = `Quota ${configs.map((c) => c.role).join(",")}${force ? " (force)" : ""}`;
  const op: RegistryOperation = {
    name: "UpdateQuota",
    writes(state) {
      const current = new Map(persistedQuotas(state).map((c) => [c.role, c]));
      const error = validateQuotaConfigs(configs, { current, clusterTotals: clusterTotals(m), consumed: (role) => roleConsumption(m, role) }, force);
      if (error) throw new RegistryOperationError("UpdateQuota", error);
      for (const c of configs) {
        if (isDefaultQuota(c)) current.delete(c.role);
        else current.set(c.role, { role: c.role, guarantees: { ...c.guarantees }, limits: { ...c.limits } });
      }
      return [{ kind: "entry.put", key: QUOTA_ENTRY, value: [...current.values()] }];
    },
  };
  try {
    await m.registrar.apply(op);
  } catch (err) {
    const message = (err as Error).message;
    operatorEntry(m, "UPDATE_QUOTA", summary, principal, message);
    if (err instanceof RegistryOperationError) throw new CommandError("BAD_REQUEST", message);
    throw err;
  }
  for (const config of configs) m.allocator.updateQuota(config);
  for (const config of configs) enforceLimits(m, config);
  operatorEntry(m, "UPDATE_QUOTA", summary, principal);
  m.requestAllocation();
}

function exceeding(consumed: Record<string, number>, limits: Record<string, number>): Set<string> {
  const names = new Set<string>();
  for (const [name, limit] of Object.entries(limits)) if ((consumed[name] ?? 0) > limit + 1e-9) names.add(name);
  return names;
}

/** Rescinds the role subtree's offers, newest first, while it consumes more than its limits. */
function enforceLimits(m: Master, config: QuotaConfig): void {
  if (Object.keys(config.limits).length === 0) return;
  const consumed = () => roleConsumption(m, config.role, { includeOffers: true });
  let over = exceeding(consumed(), config.limits);
  if (over.size === 0) return;
  const offers = [...m.offers.values()].filter((o) => isSubroleOrSelf(o.role, config.role)).reverse();
  for (const offer of offers) {
    if (over.size === 0) break;
    const free = offer.resources.unreserved();
    if (![...over].some((name) => free.scalar(name) > 0)) continue;
    rescindOffer(m, offer, { filterSeconds: undefined });
    over = exceeding(consumed(), config.limits);
  }
}
