// RESERVE_RESOURCES, UNRESERVE_RESOURCES, CREATE_VOLUMES, DESTROY_VOLUMES (and the legacy form
// endpoints /master/reserve, /master/unreserve, /master/create-volumes, /master/destroy-volumes):
// parse, validate (Mesos's messages: "No agent found with specified ID", "Invalid RESERVE
// operation: …"), then hand the operation to `m.operatorOperations`, the hook installed with
// agent-side support. 202 when accepted, 409 when it cannot be applied, 501 while no hook exists.
import type { ServerResponse } from "node:http";
import { sendEmpty, sendText } from "../../../http/util";
import type { OfferOperation, Resource } from "../../../protocol/mesos";
import { isDynamicallyReserved, isPersistentVolume, reservationRole, Resources, validateResources } from "../../../resources";
import type { Master } from "../../master";
import type { CallHandler } from "./types";

export type OperatorOperationType = "RESERVE" | "UNRESERVE" | "CREATE" | "DESTROY";

export interface OperatorOperationRequest {
  type: OperatorOperationType;
  agentId: string;
  /** RESERVE: resources to reserve; UNRESERVE: resources to unreserve; CREATE/DESTROY: volumes. */
  resources: Resource[];
  /** RESERVE only. */
  source?: Resource[];
}

export type Validated = { ok: true; operation: OfferOperation } | { ok: false; status: 400; message: string };

const text = (r: Resource) => Resources.from([r]).toString() || r.name;

function checkOperation(req: OperatorOperationRequest): string | null {
  const list = req.resources;
  switch (req.type) {
    case "RESERVE": {
      if (list.length === 0) return "No resources specified";
      for (const r of list) {
        if (!isDynamicallyReserved(r)) return `Resource '${text(r)}' is not dynamically reserved`;
        if (r.allocation_info) return `Resource '${text(r)}' must not be allocated`;
      }
      if (req.source && req.source.length > 0) {
        let popped: Resources;
        try {
          popped = Resources.from(list).popReservation();
        } catch (err) {
          return (err as Error).message;
        }
        if (!popped.equals(Resources.from(req.source))) return "'source' cannot be transformed into 'resources' by adding one reservation refinement";
      }
      return null;
    }
    case "UNRESERVE":
      if (list.length === 0) return "No resources specified";
      for (const r of list) {
        if (!isDynamicallyReserved(r)) return `Resource '${text(r)}' is not dynamically reserved`;
        if (isPersistentVolume(r)) return `A dynamically reserved persistent volume '${text(r)}' cannot be unreserved`;
      }
      return null;
    case "CREATE": {
      if (list.length === 0) return "No volumes specified";
      const ids = new Set<string>();
      for (const r of list) {
        if (!isPersistentVolume(r)) return `Resource '${text(r)}' is not a persistent volume`;
        if (!r.disk?.volume) return `Expecting 'volume' to be set for persistent volume '${text(r)}'`;
        if (reservationRole(r) === "*") return `Persistent volumes cannot be created from unreserved resources: '${text(r)}'`;
        const id = r.disk.persistence!.id;
        if (ids.has(id)) return `Persistence ID '${id}' is not unique`;
        ids.add(id);
      }
      return null;
    }
    case "DESTROY":
      if (list.length === 0) return "No volumes specified";
      for (const r of list) if (!isPersistentVolume(r)) return `Resource '${text(r)}' is not a persistent volume`;
      return null;
  }
}

/** Pure validation of an operator-initiated operation against the master's agents. */
export function validateOperatorOperation(m: Master, req: OperatorOperationRequest): Validated {
  if (!m.agents.has(req.agentId)) return { ok: false, status: 400, message: "No agent found with specified ID" };
  const invalid = validateResources(req.resources) ?? (req.source ? validateResources(req.source) : null);
  if (invalid) return { ok: false, status: 400, message: invalid };
  const error = checkOperation(req);
  if (error) return { ok: false, status: 400, message: `Invalid ${req.type} operation: ${error}` };
  const operation: OfferOperation =
    req.type === "RESERVE"
      ? { type: "RESERVE", reserve: { source: req.source, resources: req.resources } }
      : req.type === "UNRESERVE"
        ? { type: "UNRESERVE", unreserve: { resources: req.resources } }
        : req.type === "CREATE"
          ? { type: "CREATE", create: { volumes: req.resources } }
          : { type: "DESTROY", destroy: { volumes: req.resources } };
  return { ok: true, operation };
}

const CALL_NAME: Record<OperatorOperationType, string> = {
  RESERVE: "RESERVE_RESOURCES",
  UNRESERVE: "UNRESERVE_RESOURCES",
  CREATE: "CREATE_VOLUMES",
  DESTROY: "DESTROY_VOLUMES",
};

/** Validates, dispatches through the hook and answers (shared by /api/v1 and the legacy forms). */
export async function runOperatorOperation(m: Master, res: ServerResponse, req: OperatorOperationRequest, principal: string): Promise<void> {
  const audit = (result: "ok" | "error", detail: string) =>
    m.timeline.add({
      time: m.clock.now(),
      kind: "operator",
      action: CALL_NAME[req.type],
      summary: `${CALL_NAME[req.type]} on agent ${req.agentId} (${Resources.from(req.resources).toString()}) requested by ${principal}: ${detail}`,
      principal,
      agentId: req.agentId,
      result,
    });
  const v = validateOperatorOperation(m, req);
  if (!v.ok) {
    audit("error", v.message);
    return sendText(res, v.status, v.message);
  }
  const hook = m.operatorOperations;
  if (!hook) {
    const message = `${req.type} operations cannot be applied yet: agents of this Plateau version do not support operator-initiated resource operations`;
    audit("error", message);
    return sendText(res, 501, message);
  }
  try {
    await hook.apply(req.agentId, v.operation, principal);
  } catch (err) {
    const message = (err as Error).message;
    const status = (err as { status?: unknown }).status; // 400 for validation failures (see ../../operations.ts)
    audit("error", message);
    return sendText(res, status === 400 || status === 403 ? status : 409, message);
  }
  audit("ok", "accepted");
  sendEmpty(res, 202);
}

export const reserveResources: CallHandler = (ctx, call, { res, principal }) => {
  const b = call.reserve_resources!;
  return runOperatorOperation(ctx.m, res, { type: "RESERVE", agentId: b.agent_id.value, resources: b.resources ?? [], source: b.source }, principal);
};

export const unreserveResources: CallHandler = (ctx, call, { res, principal }) => {
  const b = call.unreserve_resources!;
  return runOperatorOperation(ctx.m, res, { type: "UNRESERVE", agentId: b.agent_id.value, resources: b.resources ?? [] }, principal);
};

export const createVolumes: CallHandler = (ctx, call, { res, principal }) => {
  const b = call.create_volumes!;
  return runOperatorOperation(ctx.m, res, { type: "CREATE", agentId: b.agent_id.value, resources: b.volumes ?? [] }, principal);
};

export const destroyVolumes: CallHandler = (ctx, call, { res, principal }) => {
  const b = call.destroy_volumes!;
  return runOperatorOperation(ctx.m, res, { type: "DESTROY", agentId: b.agent_id.value, resources: b.volumes ?? [] }, principal);
};
