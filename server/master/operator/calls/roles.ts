// GET_ROLES, GET_WEIGHTS, UPDATE_WEIGHTS, GET_QUOTA, UPDATE_QUOTA (+ deprecated SET_QUOTA and
// REMOVE_QUOTA), over the master's roles module (../../roles.ts: weights and quota are durable
// registry entries, validated and applied to the allocator there). Also the role data the legacy
// /master/roles, /master/weights and /master/quota endpoints render.
import { roleVisible } from "../../../security/visibility";
import { sendText } from "../../../http/util";
import { isTerminalState, type Resource } from "../../../protocol/mesos";
import { Resources } from "../../../resources";
import { quotaConfigFromWire, quotaConfigToWire } from "../../../allocator/quota";
import type { QuotaConfig } from "../../../allocator/types";
import type { Master } from "../../master";
import { currentQuotas, currentWeights, updateQuota, updateWeights } from "../../roles";
import { rolesView } from "../../views";
import { j } from "../render/json";
import { ok, respondJson, sendCommandError } from "../respond";
import type { CallHandler } from "./types";

export interface RoleResources {
  name: string;
  weight: number;
  frameworks: string[];
  allocated: Resources;
  offered: Resources;
  reserved: Resources;
  quota?: { guarantees: Record<string, number>; limits: Record<string, number>; consumed: Record<string, number> };
}

/** Every role the master knows of, with its resources as full Resources (sorted by name). */
export function roleResources(m: Master): RoleResources[] {
  const allocated = new Map<string, Resources>();
  const offered = new Map<string, Resources>();
  const reserved = new Map<string, Resources>();
  const bump = (into: Map<string, Resources>, role: string, r: Resources) => into.set(role, (into.get(role) ?? Resources.empty()).add(r));
  for (const agent of m.agents.values()) {
    for (const r of agent.total.reserved().toArray()) bump(reserved, r.reservations?.at(-1)?.role ?? r.role ?? "*", Resources.from([r]));
    for (const tasks of agent.tasks.values()) {
      for (const t of tasks.values()) if (!isTerminalState(t.state)) for (const [role, part] of t.resources.allocations()) bump(allocated, role, part);
    }
  }
  for (const offer of m.offers.values()) bump(offered, offer.role, offer.resources);
  return rolesView(m).map((v) => ({
    name: v.name,
    weight: v.weight,
    frameworks: v.frameworks.map((f) => f.id),
    allocated: allocated.get(v.name) ?? Resources.empty(),
    offered: offered.get(v.name) ?? Resources.empty(),
    reserved: reserved.get(v.name) ?? Resources.empty(),
    quota: v.quota,
  }));
}

/** Scalar quantities `{name: amount}` (what Mesos's ResourceQuantities JSON shows). */
export function scalarQuantities(r: Resources): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of r.names()) {
    const amount = r.scalar(name);
    if (amount > 0) out[name] = amount;
  }
  return out;
}

export const getRoles: CallHandler = (ctx, _call, { req, res }) => {
  const visible = roleVisible(req);
  const roles = roleResources(ctx.m).filter((r) => visible(r.name)).map((r) => {
    const role: Record<string, unknown> = { name: r.name, weight: r.weight };
    if (r.frameworks.length > 0) role.frameworks = r.frameworks.map((value) => ({ value }));
    const resources = r.allocated.add(r.offered).toArray();
    if (resources.length > 0) role.resources = resources;
    return role;
  });
  respondJson(res, "GET_ROLES", j(roles.length > 0 ? { roles } : {}));
};

export const getWeights: CallHandler = (ctx, _call, { req, res }) => {
  const visible = roleVisible(req);
  const weightInfos = currentWeights(ctx.m).filter((w) => visible(w.role)).map((w) => ({ weight: w.weight, role: w.role }));
  respondJson(res, "GET_WEIGHTS", j(weightInfos.length > 0 ? { weight_infos: weightInfos } : {}));
};

export const updateWeightsCall: CallHandler = async (ctx, call, { res, principal }) => {
  const infos = (call.update_weights!.weight_infos ?? []).map((w) => ({ role: w.role as string, weight: w.weight }));
  try {
    await updateWeights(ctx.m, infos, principal);
  } catch (err) {
    return sendCommandError(res, err);
  }
  ok(res);
};

function scalarList(amounts: Record<string, number>): Resource[] {
  return Object.entries(amounts).map(([name, value]) => ({ name, type: "SCALAR" as const, scalar: { value } }));
}

/** QuotaStatus `{infos (deprecated), configs}` with empty lists omitted. */
export function quotaStatus(m: Master, visible: (role: string) => boolean = () => true): Record<string, unknown> {
  const configs = currentQuotas(m).filter((c) => visible(c.role));
  const status: Record<string, unknown> = {};
  const infos = configs.filter((c) => Object.keys(c.guarantees).length > 0).map((c) => ({ role: c.role, guarantee: scalarList(c.guarantees) }));
  if (infos.length > 0) status.infos = infos;
  if (configs.length > 0) status.configs = configs.map(quotaConfigToWire);
  return status;
}

export const getQuota: CallHandler = (ctx, _call, { req, res }) => respondJson(res, "GET_QUOTA", j({ status: quotaStatus(ctx.m, roleVisible(req, "get_quotas")) }));

export async function applyQuota(m: Master, configs: QuotaConfig[], force: boolean, principal: string): Promise<void> {
  await updateQuota(m, configs, force, principal);
}

export const updateQuotaCall: CallHandler = async (ctx, call, { res, principal }) => {
  const body = call.update_quota!;
  const configs = (body.quota_configs ?? []).map(quotaConfigFromWire);
  try {
    await applyQuota(ctx.m, configs, body.force ?? false, principal);
  } catch (err) {
    return sendCommandError(res, err);
  }
  ok(res);
};

/** Deprecated QuotaRequest `{role, guarantee:[Resource], force?}`: guarantees and limits alike. */
export function configFromQuotaRequest(request: unknown): { config: QuotaConfig; force: boolean } | string {
  if (typeof request !== "object" || request === null) return "Expecting a QuotaRequest object";
  const r = request as { role?: unknown; guarantee?: unknown; force?: unknown };
  if (typeof r.role !== "string") return "Missing required field 'role'";
  const amounts: Record<string, number> = {};
  for (const item of Array.isArray(r.guarantee) ? r.guarantee : []) {
    const res = item as Partial<Resource>;
    if (typeof res.name !== "string" || res.type !== "SCALAR" || typeof res.scalar?.value !== "number") {
      return "Invalid QuotaRequest: guarantees must be scalar resources";
    }
    amounts[res.name] = (amounts[res.name] ?? 0) + res.scalar.value;
  }
  return { config: { role: r.role, guarantees: { ...amounts }, limits: { ...amounts } }, force: r.force === true || r.force === "true" };
}

export const setQuotaCall: CallHandler = async (ctx, call, { res, principal }) => {
  const parsed = configFromQuotaRequest((call.set_quota as { quota_request?: unknown }).quota_request);
  if (typeof parsed === "string") return sendText(res, 400, parsed);
  try {
    await applyQuota(ctx.m, [parsed.config], parsed.force, principal);
  } catch (err) {
    return sendCommandError(res, err);
  }
  ok(res);
};

export async function removeQuota(m: Master, role: string, principal: string): Promise<string | null> {
  if (!currentQuotas(m).some((c) => c.role === role)) return `Failed to remove quota: Role '${role}' has no quota set`;
  await applyQuota(m, [{ role, guarantees: {}, limits: {} }], true, principal);
  return null;
}

export const removeQuotaCall: CallHandler = async (ctx, call, { res, principal }) => {
  const role = (call.remove_quota as { role?: unknown }).role;
  if (typeof role !== "string") return sendText(res, 400, "Failed to validate master::Call: Expecting 'remove_quota.role' to be present");
  try {
    const error = await removeQuota(ctx.m, role, principal);
    if (error) return sendText(res, 400, error);
  } catch (err) {
    return sendCommandError(res, err);
  }
  ok(res);
};
