// The signature of one /api/v1 call handler: the call is parsed and validated; the handler
// answers on `res` (possibly asynchronously, possibly streaming).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { OperatorCall } from "../call";
import type { OperatorContext } from "../context";
import type { AclAction } from "../../../security/acls";

export interface CallIo {
  req: IncomingMessage;
  res: ServerResponse;
  principal: string;
  /**
   * The local authorizer for this request's principal (server/security): true when the ACLs allow
   * `action` on `object` (undefined = any object). The call's own checks have passed already
   * (server/security/operator-authz.ts); handlers use this for finer, per-object decisions.
   */
  authorize: (action: AclAction, object?: string) => boolean;
}

export type CallHandler = (ctx: OperatorContext, call: OperatorCall, io: CallIo) => void | Promise<void>;
