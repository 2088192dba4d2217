// Reservation and volume operations: RESERVE, UNRESERVE, CREATE, DESTROY — inside an ACCEPT
// (installed into `m.offerOperations`) and from operators (`m.operatorOperations`,
// RESERVE_RESOURCES…). Each is validated with Mesos's rules and messages
// (./operation-validation.ts) (authorized before, by the security layer),
// then applied as a conversion of the agent's resources: the master's view of the agent's total,
// the allocator (the framework's holding, or the agent's unallocated resources) and the agent's
// checkpoint (CHECKPOINT_RESOURCES: the agent's complete checkpointed resources) change together.
// An invalid operation changes nothing: in an ACCEPT it is dropped (Mesos: logged, and the
// resources it named stay in the pool that is recovered at the end of the ACCEPT).
//
//   ACCEPT ─► accept.ts ─► offerOperations[type] ─► planOperation ─► commit
//   operator ─► operator/calls/operations.ts ─► operatorOperations.apply ─► planOperation ─► commit
import type { AgentToMaster } from "../protocol/internal";
import type { OfferOperation } from "../protocol/mesos";
import {
  Resources, applyCheckpointed, applyConversion, checkpointedPart, isSubroleOrSelf, reservationRole, validateResources, type Conversion,
} from "../resources";
import type { Master } from "./master";
import { planOperation, type Requester, type ResourceOperationType } from "./operation-validation";
import { rescindAgentOffers } from "./offers";
import { currentQuotas, roleConsumption } from "./roles";
import type { Agent, Framework } from "./state";

export { planOperation, type Planned, type Requester, type ResourceOperationType } from "./operation-validation";

/** An operator request that cannot be applied; `status` is the HTTP answer (400 invalid, 409 conflict). */
export class OperationRejected extends Error {
  constructor(
    message: string,
    readonly status: 400 | 409,
  ) {
    super(message);
    this.name = "OperationRejected";
  }
}

const LABEL: Record<ResourceOperationType, string> = { RESERVE: "RESERVE", UNRESERVE: "UNRESERVE", CREATE: "CREATE", DESTROY: "DESTROY" };

// ── authorization ───────────────────────────────────────────────────────────────────────
// The ACLs (reserve_resources, unreserve_resources, create_volumes, destroy_volumes) are checked
// before a request gets here, on the principal that made it: ACCEPT by
// ../security/scheduler-authz.ts (the call is refused with 403), the operator API by
// ../security/operator-gate.ts (403, audited).


// ── applying ────────────────────────────────────────────────────────────────────────────────

/** The master's view of the agent changes and the agent is told to checkpoint it. */
function commit(m: Master, agent: Agent, type: ResourceOperationType, plain: Conversion, who: string, frameworkId?: string): void {
  agent.total = agent.total.subtract(plain.from).add(plain.to);
  sendCheckpoint(agent);
  m.events.publish({ type: "AGENT_UPDATED", agent });
  m.timeline.add({
    time: m.clock.now(),
    kind: frameworkId ? "framework" : "operator",
    action: type,
    summary: `${type} on agent ${agent.info.hostname} (${agent.id}) by ${who}: ${plain.from.toString()} → ${plain.to.toString()}`,
    principal: frameworkId ? undefined : who,
    frameworkId,
    agentId: agent.id,
    result: "ok",
  });
}

/** Tells the agent its complete checkpointed resources (no-op while it is disconnected: re-sent at re-registration). */
export function sendCheckpoint(agent: Agent): void {
  if (agent.link && agent.connection === "connected") {
    agent.link.send({ type: "CHECKPOINT_RESOURCES", resources: checkpointedPart(agent.total).toArray() });
  }
}

/** The ACCEPT handler of one operation type (see accept.ts's OfferOperationHandler). */
function acceptOperation(m: Master, framework: Framework, agent: Agent, op: OfferOperation, available: Resources): { ok: true; available: Resources } | { ok: false; error: string } {
  if (op.id) {
    // Operation feedback needs a resource-provider capable agent (Mesos drops the operation and
    // answers OPERATION_ERROR); Plateau agents do not advertise RESOURCE_PROVIDER.
    const error = `Operation requested feedback, but agent ${agent.id} does not have the required RESOURCE_PROVIDER capability`;
    m.sendToFramework(framework, {
      type: "UPDATE_OPERATION_STATUS",
      update_operation_status: { status: { operation_id: op.id, state: "OPERATION_ERROR", message: error, agent_id: { value: agent.id } } },
    });
    return { ok: false, error };
  }
  const offerRoles = new Set(available.allocations().keys());
  const offerRole = !framework.capabilities.has("MULTI_ROLE") && offerRoles.size === 1 ? [...offerRoles][0] : undefined;
  const plan = planOperation(agent, op, { kind: "framework", framework, offerRole });
  const label = `Invalid ${LABEL[op.type as ResourceOperationType] ?? op.type} Operation`;
  if (!plan.ok) return { ok: false, error: `${label}: ${plan.error}` };
  const next = applyConversion(available, plan.conversion);
  if (next === null) {
    return { ok: false, error: `${label}: ${plan.conversion.from.toString()} is not in the offered resources ${available.toString()}` };
  }
  try {
    m.allocator.updateAllocation?.(framework.id, agent.id, plan.conversion.from, plan.conversion.to);
  } catch (err) {
    return { ok: false, error: `${label}: ${(err as Error).message}` };
  }
  commit(m, agent, plan.type, { from: plan.conversion.from.unallocate(), to: plan.conversion.to.unallocate() }, `framework ${framework.id}`, framework.id);
  return { ok: true, available: next };
}

/** Operator RESERVE_RESOURCES / UNRESERVE_RESOURCES / CREATE_VOLUMES / DESTROY_VOLUMES. */
export async function applyOperatorOperation(m: Master, agentId: string, op: OfferOperation, principal: string): Promise<void> {
  const agent = m.agents.get(agentId);
  if (!agent) throw new OperationRejected("No agent found with specified ID", 400);
  const plan = planOperation(agent, op, { kind: "operator", principal });
  if (!plan.ok) throw new OperationRejected(`Invalid ${op.type} operation: ${plan.error}`, 400);
  const { from, to } = plan.conversion;
  if (plan.type === "RESERVE") {
    const over = quotaLimitExceeded(m, from, to);
    if (over) throw new OperationRejected(over, 409);
  }
  if (!agent.total.contains(from)) throw new OperationRejected(`Agent ${agentId} does not have ${from.toString()}`, 409);
  const update = m.allocator.updateAvailable;
  if (!update) throw new OperationRejected("The allocator does not support operator-initiated operations", 409);
  let applied = update.call(m.allocator, agentId, from, to);
  if (!applied && agent.offeredIds.size > 0) {
    // Outstanding offers may hold what is needed: take them back (Mesos rescinds offers too), retry.
    rescindAgentOffers(m, agent);
    applied = update.call(m.allocator, agentId, from, to);
  }
  if (!applied) throw new OperationRejected(`Resources ${from.toString()} on agent ${agentId} are in use`, 409);
  commit(m, agent, plan.type, plan.conversion, principal);
  m.requestAllocation();
}

/**
 * An operator reservation of unallocated resources adds to the quota consumption of the role
 * and its ancestors (an ACCEPT's does not: what it reserves was already allocated to the role).
 * A message when that would pass a limit (Mesos refuses such reservations too).
 */
function quotaLimitExceeded(m: Master, from: Resources, to: Resources): string | null {
  const added = new Map<string, Map<string, number>>(); // role → name → amount newly consumed
  for (const r of to.toArray()) {
    if (r.type !== "SCALAR" || !r.scalar) continue;
    const role = reservationRole(r);
    const byName = added.get(role) ?? new Map<string, number>();
    byName.set(r.name, (byName.get(r.name) ?? 0) + r.scalar.value);
    added.set(role, byName);
  }
  // Refining a reservation moves consumption inside one subtree; only unreserved sources add to it.
  if (from.reserved().equals(from)) return null;
  for (const config of currentQuotas(m)) {
    const extra: Record<string, number> = {};
    for (const [role, byName] of added) {
      if (!isSubroleOrSelf(role, config.role)) continue;
      for (const [name, amount] of byName) extra[name] = (extra[name] ?? 0) + amount;
    }
    if (Object.keys(extra).length === 0) continue;
    const consumed = roleConsumption(m, config.role, { includeOffers: true });
    for (const [name, limit] of Object.entries(config.limits)) {
      const after = (consumed[name] ?? 0) + (extra[name] ?? 0);
      if ((extra[name] ?? 0) > 0 && after > limit + 1e-9) {
        return `Reserving ${to.toString()} would exceed the quota limit of role '${config.role}' (${name}: ${after} > ${limit})`;
      }
    }
  }
  return null;
}

/** Installs the handlers on a master (each leadership term). */
export function installResourceOperations(m: Master): void {
  for (const type of ["RESERVE", "UNRESERVE", "CREATE", "DESTROY"] as const) m.offerOperations.set(type, acceptOperation);
  m.operatorOperations = { apply: (agentId, op, principal) => applyOperatorOperation(m, agentId, op, principal) };
}

// ── registration ────────────────────────────────────────────────────────────────────────────

type Registration = Extract<AgentToMaster, { type: "REGISTER_AGENT" | "REREGISTER_AGENT" }>;

/** The agent's total from its registration: static resources with its checkpointed resources applied. */
export function registeredTotal(msg: Registration, log: (line: string) => void = console.warn): Resources {
  const base = Resources.from(msg.agent_info.resources);
  const reported = msg.checkpointed_resources ?? [];
  if (reported.length === 0) return base;
  const invalid = validateResources(reported);
  if (invalid) {
    log(`master] ignoring invalid checkpointed resources of agent ${msg.agent_info.hostname}: ${invalid}`);
    return base;
  }
  const applied = applyCheckpointed(base, checkpointedPart(Resources.from(reported).unallocate()));
  if (!applied.ok) {
    log(`master] ${applied.error} (agent ${msg.agent_info.hostname})`);
    return base;
  }
  return applied.total;
}

/**
 * A known agent re-registered: the master's view of its checkpointed resources wins (an operation
 * may have happened while it was away); it is re-sent when the agent's differs.
 */
export function syncCheckpoint(agent: Agent, msg: Registration): void {
  const reported = Resources.from(msg.checkpointed_resources ?? []);
  if (!reported.equals(checkpointedPart(agent.total))) sendCheckpoint(agent);
}
