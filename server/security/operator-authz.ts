// Authorization of v1 operator calls (and of the legacy endpoints that do the same things): which
// ACL action each call needs and on which objects (Mesos's objects: roles for weights, quota,
// reserve and create; the reserver/creator principal for unreserve and destroy; the framework's
// principal for teardown; the task's user for Plateau's KILL_TASK; machines and agents for
// maintenance and drain). Every object must be allowed. Pure apart from reading the master.
import type { Master } from "../master/master";
import type { OperatorCall } from "../master/operator/call";
import type { AclAction } from "./acls";

export interface AuthzCheck {
  action: AclAction;
  /** Objects; empty = the action on no particular object (ANY). */
  objects: string[];
}

type ResourceLike = { reservations?: { role?: string; principal?: string }[]; role?: string; reservation?: { principal?: string }; disk?: { persistence?: { principal?: string } } };

const lastReservation = (r: ResourceLike) => (r.reservations && r.reservations.length > 0 ? r.reservations[r.reservations.length - 1] : undefined);
const reservedRole = (r: ResourceLike) => lastReservation(r)?.role ?? r.role;
const reserverPrincipal = (r: ResourceLike) => lastReservation(r)?.principal ?? r.reservation?.principal;
const defined = (xs: (string | undefined)[]): string[] => [...new Set(xs.filter((x): x is string => x !== undefined))];

function opaque(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
}

function machineNames(v: unknown): string[] {
  const machines = Array.isArray(v) ? v : [];
  return defined(machines.map((m) => opaque(m)).map((m) => (typeof m.hostname === "string" ? m.hostname : typeof m.ip === "string" ? m.ip : undefined)));
}

function agentIdOf(body: unknown): string[] {
  const id = opaque(opaque(body).agent_id).value;
  return typeof id === "string" ? [id] : [];
}

/** The task's user (TaskInfo command user, else the framework's user), as Mesos's VIEW_TASK/RUN_TASK do. */
export function taskUser(m: Master, frameworkId: string, taskId: string): string | undefined {
  const fw = m.frameworks.get(frameworkId);
  const task = fw?.tasks.get(taskId);
  return task?.info.command?.user ?? task?.info.executor?.command?.user ?? fw?.info.user;
}

/** What `call` needs, or null for calls that need nothing (or are filtered instead: the reads). */
export function operatorCallChecks(m: Master, call: OperatorCall): AuthzCheck[] {
  switch (call.type) {
    case "GET_FLAGS":
      return [{ action: "view_flags", objects: [] }];
    case "SET_LOGGING_LEVEL":
      return [{ action: "set_log_level", objects: [] }];
    case "UPDATE_WEIGHTS":
      return [{ action: "update_weights", objects: defined((call.update_weights?.weight_infos ?? []).map((w) => w.role)) }];
    case "UPDATE_QUOTA":
      return [{ action: "update_quotas", objects: defined((call.update_quota?.quota_configs ?? []).map((q) => q.role)) }];
    case "SET_QUOTA":
      return [{ action: "update_quotas", objects: defined([opaque(opaque(call.set_quota).quota_request).role as string | undefined]) }];
    case "REMOVE_QUOTA":
      return [{ action: "update_quotas", objects: defined([opaque(call.remove_quota).role as string | undefined]) }];
    case "RESERVE_RESOURCES":
      return [{ action: "reserve_resources", objects: defined(((call.reserve_resources?.resources ?? []) as ResourceLike[]).map(reservedRole)) }];
    case "UNRESERVE_RESOURCES":
      return [{ action: "unreserve_resources", objects: defined(((call.unreserve_resources?.resources ?? []) as ResourceLike[]).map(reserverPrincipal)) }];
    case "CREATE_VOLUMES":
      return [{ action: "create_volumes", objects: defined(((call.create_volumes?.volumes ?? []) as ResourceLike[]).map(reservedRole)) }];
    case "DESTROY_VOLUMES":
      return [{ action: "destroy_volumes", objects: defined(((call.destroy_volumes?.volumes ?? []) as ResourceLike[]).map((v) => v.disk?.persistence?.principal)) }];
    case "GROW_VOLUME":
    case "SHRINK_VOLUME":
      return [{ action: "create_volumes", objects: defined([reservedRole(opaque(opaque(call.grow_volume ?? call.shrink_volume).volume) as ResourceLike)]) }];
    case "TEARDOWN": {
      const fw = m.frameworks.get(call.teardown!.framework_id.value);
      return [{ action: "teardown_frameworks", objects: defined([fw?.info.principal]) }];
    }
    case "KILL_TASK":
      return [{ action: "kill_tasks", objects: defined([taskUser(m, call.kill_task!.framework_id.value, call.kill_task!.task_id.value)]) }];
    case "GET_MAINTENANCE_SCHEDULE":
      return [{ action: "get_maintenance_schedules", objects: [] }];
    case "GET_MAINTENANCE_STATUS":
      return [{ action: "get_maintenance_statuses", objects: [] }];
    case "UPDATE_MAINTENANCE_SCHEDULE": {
      const windows = opaque(opaque(call.update_maintenance_schedule).schedule).windows;
      const ids = (Array.isArray(windows) ? windows : []).flatMap((w) => machineNames(opaque(w).machine_ids));
      return [{ action: "update_maintenance_schedules", objects: defined(ids) }];
    }
    case "START_MAINTENANCE":
      return [{ action: "start_maintenances", objects: machineNames(opaque(call.start_maintenance).machines) }];
    case "STOP_MAINTENANCE":
      return [{ action: "stop_maintenances", objects: machineNames(opaque(call.stop_maintenance).machines) }];
    case "DRAIN_AGENT":
      return [{ action: "drain_agents", objects: agentIdOf(call.drain_agent) }];
    case "DEACTIVATE_AGENT":
      return [{ action: "deactivate_agents", objects: agentIdOf(call.deactivate_agent) }];
    case "REACTIVATE_AGENT":
      return [{ action: "reactivate_agents", objects: agentIdOf(call.reactivate_agent) }];
    case "MARK_AGENT_GONE":
      return [{ action: "mark_agents_gone", objects: agentIdOf(call.mark_agent_gone) }];
    case "READ_FILE":
    case "LIST_FILES": {
      const path = call.type === "READ_FILE" ? call.read_file?.path : call.list_files?.path;
      if (path === "/master/log" || path?.startsWith("/master/log/")) return [{ action: "access_mesos_logs", objects: [] }];
      // Sandboxes are named /agents/<agent>/frameworks/<framework>/…: the object is the framework's user.
      const fw = /\/frameworks\/([^/]+)\//.exec(path ?? "")?.[1];
      return [{ action: "access_sandboxes", objects: defined([fw === undefined ? undefined : m.frameworks.get(fw)?.info.user]) }];
    }
    default:
      return [];
  }
}

/** True when every check passes for `principal` (`authorize` is the process's Security.authorize). */
export function checksPass(checks: AuthzCheck[], principal: string | undefined, authorize: (p: string | undefined, a: AclAction, o?: string) => boolean): AuthzCheck | null {
  for (const check of checks) {
    if (check.objects.length === 0) {
      if (!authorize(principal, check.action)) return check;
    } else {
      for (const o of check.objects) if (!authorize(principal, check.action, o)) return { action: check.action, objects: [o] };
    }
  }
  return null;
}
