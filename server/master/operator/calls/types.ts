// The signature of one /api/v1 call handler: the call is parsed and validated; the handler
// answers on `res` (possibly asynchronously, possibly streaming).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { OperatorCall } from "../call";
import type { OperatorContext } from "../context";

export interface CallIo {
  req: IncomingMessage;
  res: ServerResponse;
  principal: string;
}

export type CallHandler = (ctx: OperatorContext, call: OperatorCall, io: CallIo) => void | Promise<void>;
