// The operator API's authorization step (called by server/master/operator/api.ts once a call is
// parsed and validated): runs the call's checks (./operator-authz.ts) against the request's
// principal; a refusal is answered 403 and recorded in the timeline with who asked.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Master } from "../master/master";
import type { OperatorCall } from "../master/operator/call";
import { sendText } from "../http/util";
import type { AclAction } from "./acls";
import { checksPass, operatorCallChecks } from "./operator-authz";
import { ANONYMOUS, requestIdentity } from "./security";

/** Calls that only read (a refusal of these is not an audited action). */
const READS = new Set(["GET_FLAGS", "GET_MAINTENANCE_SCHEDULE", "GET_MAINTENANCE_STATUS", "READ_FILE", "LIST_FILES"]);

/** Records a refused action in the timeline (kind operator, result error). */
export function auditDenied(m: Master, action: string, principal: string | undefined, what: string, ids: { frameworkId?: string; agentId?: string; taskId?: string } = {}): void {
  const who = principal ?? ANONYMOUS;
  m.timeline.add({ time: m.clock.now(), kind: "operator", action, summary: `${action} ${what} requested by ${who} denied: not authorized`, principal: who, result: "error", reason: "not authorized", ...ids });
}

/**
 * Authorizes `call`; answers 403 and returns null when refused, else returns the per-request
 * authorize function handlers get in CallIo.
 */
export function authorizeOperatorCall(m: Master, call: OperatorCall, req: IncomingMessage, res: ServerResponse): ((action: AclAction, object?: string) => boolean) | null {
  const { principal, security } = requestIdentity(req);
  const authorize = (action: AclAction, object?: string) => security.authorize(principal, action, object);
  if (!security.aclsConfigured) return authorize;
  const failed = checksPass(operatorCallChecks(m, call), principal, (p, a, o) => security.authorize(p, a, o));
  if (!failed) return authorize;
  const target = failed.objects.length ? `on '${failed.objects[0]}'` : "";
  if (!READS.has(call.type)) {
    const ids = call.type === "TEARDOWN" ? { frameworkId: call.teardown!.framework_id.value } : call.type === "KILL_TASK" ? { frameworkId: call.kill_task!.framework_id.value, taskId: call.kill_task!.task_id.value } : {};
    auditDenied(m, call.type, principal, target, ids);
  }
  sendText(res, 403, `Forbidden: principal '${principal ?? ANONYMOUS}' is not authorized to ${failed.action}${target ? ` ${target}` : ""}`);
  return null;
}
