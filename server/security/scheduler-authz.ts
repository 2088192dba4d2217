// Authentication and authorization of scheduler API calls (Mesos master/http.cpp semantics):
// - with authentication on, a framework's FrameworkInfo.principal must be the authenticated
//   principal (403 otherwise), and every call on an existing framework must come from it;
// - SUBSCRIBE needs register_frameworks on each of the framework's roles;
// - ACCEPT needs run_tasks for the user of every task it launches (TaskInfo command user, the
//   executor's command user, else FrameworkInfo.user), and reserve/unreserve/create/destroy for
//   operations on reserved resources and volumes.
// Returns the refusal message, or null when the call may proceed.
import type { IncomingMessage } from "node:http";
import type { FrameworkInfo, OfferOperation, TaskInfo } from "../protocol/mesos";
import type { SchedulerCall } from "../protocol/scheduler";
import type { AclAction } from "./acls";
import { requestIdentity } from "./security";

function frameworkRoles(info: FrameworkInfo): string[] {
  if (info.roles && info.roles.length > 0) return info.roles;
  return [info.role ?? "*"];
}

function taskUserOf(task: TaskInfo, executorUser: string | undefined, frameworkUser: string): string {
  return task.command?.user ?? task.executor?.command?.user ?? executorUser ?? frameworkUser;
}

type ResourceLike = { reservations?: { role?: string; principal?: string }[]; disk?: { persistence?: { principal?: string } } };
const last = (r: ResourceLike) => r.reservations?.[r.reservations.length - 1];

function operationChecks(op: OfferOperation, frameworkUser: string): [AclAction, string | undefined][] {
  switch (op.type) {
    case "LAUNCH":
      return (op.launch?.task_infos ?? []).map((t) => ["run_tasks", taskUserOf(t, undefined, frameworkUser)]);
    case "LAUNCH_GROUP": {
      const executorUser = op.launch_group?.executor.command?.user;
      return (op.launch_group?.task_group.tasks ?? []).map((t) => ["run_tasks", taskUserOf(t, executorUser, frameworkUser)]);
    }
    case "RESERVE":
      return ((op.reserve?.resources ?? []) as ResourceLike[]).map((r) => ["reserve_resources", last(r)?.role]);
    case "UNRESERVE":
      return ((op.unreserve?.resources ?? []) as ResourceLike[]).map((r) => ["unreserve_resources", last(r)?.principal]);
    case "CREATE":
      return ((op.create?.volumes ?? []) as ResourceLike[]).map((r) => ["create_volumes", last(r)?.role]);
    case "DESTROY":
      return ((op.destroy?.volumes ?? []) as ResourceLike[]).map((r) => ["destroy_volumes", r.disk?.persistence?.principal]);
    default:
      return [];
  }
}

export function schedulerSubscribeRefusal(req: IncomingMessage, info: FrameworkInfo, existing?: FrameworkInfo): string | null {
  const { principal, security } = requestIdentity(req);
  // Re-subscribing to an existing framework: only its own principal may take it over.
  if (security.authEnabled && existing?.principal !== undefined && existing.principal !== principal) {
    return `Authenticated principal '${principal ?? "anonymous"}' does not match principal '${existing.principal}' of framework ${info.id?.value ?? ""}`;
  }
  if (security.authEnabled && principal !== undefined && info.principal !== undefined && info.principal !== principal) {
    return `Authenticated principal '${principal}' does not match principal '${info.principal}' set in 'FrameworkInfo'`;
  }
  for (const role of frameworkRoles(info)) {
    if (!security.authorize(principal ?? info.principal, "register_frameworks", role)) {
      return `Not authorized to register framework '${info.name}' with role '${role}' as principal '${principal ?? info.principal ?? "anonymous"}'`;
    }
  }
  return null;
}

export function schedulerCallRefusal(req: IncomingMessage, info: FrameworkInfo, call: SchedulerCall): string | null {
  const { principal, security } = requestIdentity(req);
  if (security.authEnabled && info.principal !== undefined && principal !== info.principal) {
    return `Authenticated principal '${principal ?? "anonymous"}' does not match principal '${info.principal}' set in 'FrameworkInfo'`;
  }
  if (call.type !== "ACCEPT" || !security.aclsConfigured) return null;
  for (const op of call.accept?.operations ?? []) {
    for (const [action, object] of operationChecks(op, info.user)) {
      if (!security.authorize(principal ?? info.principal, action, object)) {
        return `Not authorized to ${action}${object !== undefined ? ` '${object}'` : ""} as principal '${principal ?? info.principal ?? "anonymous"}'`;
      }
    }
  }
  return null;
}
