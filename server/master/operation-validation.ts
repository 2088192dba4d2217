// Validation of RESERVE / UNRESERVE / CREATE / DESTROY (Mesos's rules and messages,
// src/master/validation.cpp) for one agent, from a framework inside an ACCEPT (resources carry
// allocation_info) or from an operator. Pure: returns the conversion to apply, or the error.
import type { OfferOperation, Resource } from "../protocol/mesos";
import { isTerminalState } from "../protocol/mesos";
import {
  Resources, checkpointedPart, createConversion, destroyConversion, isDynamicallyReserved, isPersistentVolume, reservationRole,
  reserveConversion, unreserveConversion, validateResources, type Conversion,
} from "../resources";
import type { Agent, Framework } from "./state";

export type ResourceOperationType = "RESERVE" | "UNRESERVE" | "CREATE" | "DESTROY";

/** Who asks: a framework inside an ACCEPT (resources carry allocation_info) or an operator. */
export type Requester = { kind: "framework"; framework: Framework; offerRole?: string } | { kind: "operator"; principal: string };

export type Planned = { ok: true; type: ResourceOperationType; conversion: Conversion } | { ok: false; error: string };

const text = (list: Resource[] | Resources) => (list instanceof Resources ? list : Resources.from(list)).toString();

/** A framework that is not MULTI_ROLE may leave allocation_info out: it is the offer's role. */
function withOfferRole(list: Resource[], req: Requester): Resource[] {
  if (req.kind !== "framework" || req.offerRole === undefined) return list;
  const role = req.offerRole;
  return list.map((r) => (r.allocation_info ? r : { ...r, allocation_info: { role } }));
}

function frameworkRoleChecks(req: Requester, list: Resource[], what: string): string | null {
  if (req.kind !== "framework") {
    for (const r of list) if (r.allocation_info) return `Resource ${text([r])} must not have 'allocation_info' set`;
    return null;
  }
  for (const r of list) {
    const allocationRole = r.allocation_info?.role;
    if (allocationRole === undefined) return `A ${what} operation was attempted on unallocated resource ${text([r])}, but frameworks can only perform this operation on allocated resources`;
    if (!req.framework.roles.includes(allocationRole)) {
      return `A ${what} operation was attempted for a resource allocated to role '${allocationRole}', but the framework is only subscribed to roles ${req.framework.roles.map((x) => `'${x}'`).join(", ")}`;
    }
  }
  return null;
}

function planReserve(agent: Agent, op: OfferOperation, req: Requester): Planned {
  const list = withOfferRole(op.reserve?.resources ?? [], req);
  if (list.length === 0) return { ok: false, error: "No resources specified" };
  const invalid = validateResources(list);
  if (invalid) return { ok: false, error: `Invalid resources: ${invalid}` };
  const roleError = frameworkRoleChecks(req, list, "reserve");
  if (roleError) return { ok: false, error: roleError };
  for (const r of list) {
    if (!isDynamicallyReserved(r)) return { ok: false, error: `Resource ${text([r])} is not dynamically reserved` };
    if (isPersistentVolume(r)) return { ok: false, error: `A persistent volume ${text([r])} must already be reserved` };
    const role = reservationRole(r);
    const stack = Resources.from([r]).toArray()[0]?.reservations ?? [];
    if (req.kind === "framework") {
      const allocationRole = r.allocation_info!.role;
      if (role !== allocationRole) {
        return { ok: false, error: `A reserve operation was attempted for a resource with role '${role}', but the resource was allocated to role '${allocationRole}'` };
      }
      const principal = req.framework.info.principal;
      const reservationPrincipal = stack.at(-1)?.principal;
      if (principal !== undefined && reservationPrincipal !== principal) {
        return {
          ok: false,
          error: reservationPrincipal === undefined
            ? `A reserve operation was attempted by principal '${principal}', but there is a reserved resource in the request with no principal set in 'ReservationInfo'`
            : `A reserve operation was attempted by principal '${principal}', but there is a reserved resource in the request with principal '${reservationPrincipal}' set in 'ReservationInfo'`,
        };
      }
      if (stack.length > 1 && !req.framework.capabilities.has("RESERVATION_REFINEMENT")) {
        return { ok: false, error: "A refined reservation requires the RESERVATION_REFINEMENT framework capability" };
      }
    }
    if (stack.length > 1 && !agent.capabilities.includes("RESERVATION_REFINEMENT")) {
      return { ok: false, error: `Agent ${agent.id} does not support reservation refinement` };
    }
  }
  let conversion: Conversion;
  try {
    conversion = reserveConversion(Resources.from(list));
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const source = op.reserve?.source;
  if (source && source.length > 0) {
    const sourceError = validateResources(source);
    if (sourceError) return { ok: false, error: `Invalid 'source': ${sourceError}` };
    if (!Resources.from(withOfferRole(source, req)).equals(conversion.from)) {
      return { ok: false, error: "'source' cannot be transformed into 'resources' by adding one reservation refinement" };
    }
  }
  return { ok: true, type: "RESERVE", conversion };
}

function planUnreserve(_agent: Agent, op: OfferOperation, req: Requester): Planned {
  const list = withOfferRole(op.unreserve?.resources ?? [], req);
  if (list.length === 0) return { ok: false, error: "No resources specified" };
  const invalid = validateResources(list);
  if (invalid) return { ok: false, error: `Invalid resources: ${invalid}` };
  const roleError = frameworkRoleChecks(req, list, "unreserve");
  if (roleError) return { ok: false, error: roleError };
  for (const r of list) {
    if (!isDynamicallyReserved(r)) return { ok: false, error: `Resource ${text([r])} is not dynamically reserved` };
    if (isPersistentVolume(r)) {
      return { ok: false, error: `A dynamically reserved persistent volume ${text([r])} cannot be unreserved directly. Please destroy the persistent volume first then unreserve the resource` };
    }
  }
  return { ok: true, type: "UNRESERVE", conversion: unreserveConversion(Resources.from(list)) };
}

/** Persistent volumes on the agent (plain form), by "role/id". */
function volumeKeys(resources: Resources): Set<string> {
  const keys = new Set<string>();
  for (const r of resources.persistentVolumes().toArray()) keys.add(`${reservationRole(r)}\u0000${r.disk!.persistence!.id}`);
  return keys;
}

function checkVolumeShape(list: Resource[]): string | null {
  for (const r of list) {
    if (!isPersistentVolume(r)) return `Not a persistent volume: Resource ${text([r])} does not have 'disk.persistence' set`;
    if (!r.disk?.volume) return `Not a persistent volume: Expecting 'volume' to be set for persistent volume ${text([r])}`;
  }
  return null;
}

function planCreate(agent: Agent, op: OfferOperation, req: Requester): Planned {
  const list = withOfferRole(op.create?.volumes ?? [], req);
  if (list.length === 0) return { ok: false, error: "No volumes specified" };
  const invalid = validateResources(list);
  if (invalid) return { ok: false, error: `Invalid resources: ${invalid}` };
  const shape = checkVolumeShape(list);
  if (shape) return { ok: false, error: shape };
  const roleError = frameworkRoleChecks(req, list, "create");
  if (roleError) return { ok: false, error: roleError };
  const existing = volumeKeys(agent.total);
  const seen = new Set<string>();
  for (const r of list) {
    const id = r.disk!.persistence!.id;
    const key = `${reservationRole(r)}\u0000${id}`;
    if (existing.has(key) || seen.has(key)) return { ok: false, error: `Persistence ID '${id}' is not unique` };
    seen.add(key);
    const idProblem = /^[A-Za-z0-9_.-]+$/.test(id) && id !== "." && id !== ".." ? null : "may only contain letters, digits, '_', '.' and '-'";
    if (idProblem) return { ok: false, error: `Invalid persistence ID '${id}': ${idProblem}` };
    if (r.shared !== undefined) return { ok: false, error: `Shared persistent volume ${text([r])} is not supported by this Plateau version` };
    const containerPath = r.disk!.volume!.container_path;
    if (!containerPath || containerPath.startsWith("/") || containerPath.split("/").includes("..")) {
      return { ok: false, error: `Volume container_path '${containerPath}' must be a relative path inside the sandbox (no '..')` };
    }
    if (req.kind === "framework" && req.framework.info.principal !== undefined) {
      const principal = req.framework.info.principal;
      const volumePrincipal = r.disk!.persistence!.principal;
      if (volumePrincipal !== principal) {
        return {
          ok: false,
          error: volumePrincipal === undefined
            ? `Create volume operation has been attempted by principal '${principal}', but there is a volume in the operation with no principal set in 'DiskInfo.Persistence'`
            : `Create volume operation has been attempted by principal '${principal}', but there is a volume in the operation with principal '${volumePrincipal}' set in 'DiskInfo.Persistence'`,
        };
      }
    }
  }
  return { ok: true, type: "CREATE", conversion: createConversion(Resources.from(list)) };
}

function planDestroy(agent: Agent, op: OfferOperation, req: Requester): Planned {
  const list = withOfferRole(op.destroy?.volumes ?? [], req);
  if (list.length === 0) return { ok: false, error: "No volumes specified" };
  const invalid = validateResources(list);
  if (invalid) return { ok: false, error: `Invalid resources: ${invalid}` };
  const shape = checkVolumeShape(list);
  if (shape) return { ok: false, error: shape };
  const roleError = frameworkRoleChecks(req, list, "destroy");
  if (roleError) return { ok: false, error: roleError };
  const volumes = Resources.from(list);
  const plain = volumes.unallocate();
  if (!checkpointedPart(agent.total).contains(plain)) return { ok: false, error: "Persistent volumes not found" };
  const used = usedOnAgent(agent);
  for (const v of plain.toArray()) if (used.contains([v])) return { ok: false, error: "Persistent volumes in use" };
  return { ok: true, type: "DESTROY", conversion: destroyConversion(volumes) };
}

/** Resources of the agent's live tasks and executors (plain form). */
function usedOnAgent(agent: Agent): Resources {
  let used = Resources.empty();
  for (const tasks of agent.tasks.values()) for (const t of tasks.values()) if (!isTerminalState(t.state)) used = used.add(t.resources);
  for (const executors of agent.executors.values()) for (const e of executors.values()) used = used.add(Resources.from(e.resources ?? []));
  return used.unallocate();
}

/** Validates `op` for `agent`; the conversion is in the requester's form (allocated for frameworks). */
export function planOperation(agent: Agent, op: OfferOperation, req: Requester): Planned {
  switch (op.type) {
    case "RESERVE":
      return planReserve(agent, op, req);
    case "UNRESERVE":
      return planUnreserve(agent, op, req);
    case "CREATE":
      return planCreate(agent, op, req);
    case "DESTROY":
      return planDestroy(agent, op, req);
    default:
      return { ok: false, error: `Unsupported operation ${op.type}` };
  }
}
