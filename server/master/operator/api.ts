// POST /api/v1 (also /master/api/v1): the master operator API. Transport checks, parse,
// validate, then one table lookup on the call type (handlers in ./calls/). Status codes and
// messages follow Mesos's master/http.cpp (operator-api.md §1).
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, accepts, mediaType, readBody, sendText } from "../../http/util";
import { JsonInputError, parseJsonBody } from "../../protocol/json";
import { parseOperatorCall, validateOperatorCall, type OperatorCall, type OperatorCallType } from "./call";
import { principalOf, type OperatorContext } from "./context";
import { leaderGate } from "./http";
import type { CallHandler } from "./calls/types";
import { getFlags, getHealth, getLoggingLevel, getMaster, getMetrics, getOperations, getVersion, setLoggingLevel } from "./calls/basic";
import { listFiles, readFile } from "./calls/files";
import { getAgents, getExecutors, getFrameworks, getState, getTasks } from "./calls/state";
import { getQuota, getRoles, getWeights, removeQuotaCall, setQuotaCall, updateQuotaCall, updateWeightsCall } from "./calls/roles";
import { createVolumes, destroyVolumes, reserveResources, unreserveResources } from "./calls/operations";
import { killTask, teardown } from "./calls/actions";
import { getElections } from "./calls/elections";
import { authorizeOperatorCall } from "../../security/operator-gate";

const JSON_TYPE = "application/json";
const PROTOBUF_TYPE = "application/x-protobuf";

/** Calls answered by handlers installed elsewhere (or not at all yet): 501 until then. */
type Pluggable =
  | "GROW_VOLUME" | "SHRINK_VOLUME" | "GET_MAINTENANCE_STATUS" | "GET_MAINTENANCE_SCHEDULE"
  | "UPDATE_MAINTENANCE_SCHEDULE" | "START_MAINTENANCE" | "STOP_MAINTENANCE" | "DRAIN_AGENT" | "DEACTIVATE_AGENT"
  | "REACTIVATE_AGENT" | "MARK_AGENT_GONE";

type Implemented = Exclude<OperatorCallType, Pluggable | "UNKNOWN" | "SUBSCRIBE">;

/** One handler per implemented call; a missing entry is a compile error. */
const HANDLERS: Record<Implemented, CallHandler> = {
  GET_HEALTH: getHealth,
  GET_FLAGS: getFlags,
  GET_VERSION: getVersion,
  GET_METRICS: getMetrics,
  GET_LOGGING_LEVEL: getLoggingLevel,
  SET_LOGGING_LEVEL: setLoggingLevel,
  LIST_FILES: listFiles,
  READ_FILE: readFile,
  GET_STATE: getState,
  GET_AGENTS: getAgents,
  GET_FRAMEWORKS: getFrameworks,
  GET_EXECUTORS: getExecutors,
  GET_OPERATIONS: getOperations,
  GET_TASKS: getTasks,
  GET_ROLES: getRoles,
  GET_WEIGHTS: getWeights,
  UPDATE_WEIGHTS: updateWeightsCall,
  GET_MASTER: getMaster,
  RESERVE_RESOURCES: reserveResources,
  UNRESERVE_RESOURCES: unreserveResources,
  CREATE_VOLUMES: createVolumes,
  DESTROY_VOLUMES: destroyVolumes,
  GET_QUOTA: getQuota,
  UPDATE_QUOTA: updateQuotaCall,
  SET_QUOTA: setQuotaCall,
  REMOVE_QUOTA: removeQuotaCall,
  TEARDOWN: teardown,
  KILL_TASK: killTask,
  GET_ELECTIONS: getElections,
};

/** Handlers other modules install for the pluggable calls (maintenance and drain, volume resizing). */
export class PluggableCalls {
  private readonly handlers = new Map<Pluggable, CallHandler>();

  register(type: Pluggable, handler: CallHandler): void {
    this.handlers.set(type, handler);
  }

  get(type: OperatorCallType): CallHandler | undefined {
    return this.handlers.get(type as Pluggable);
  }
}

async function readCall(req: IncomingMessage, res: ServerResponse): Promise<OperatorCall | null> {
  try {
    const body = await readBody(req);
    const parsed = parseOperatorCall(parseJsonBody(body.toString("utf8")));
    if (!parsed.ok) {
      sendText(res, 400, `Failed to convert JSON into Call protobuf: ${parsed.error}`);
      return null;
    }
    return parsed.value;
  } catch (err) {
    if (err instanceof HttpError) sendText(res, err.status, err.message);
    else if (err instanceof JsonInputError) sendText(res, 400, `Failed to parse body into JSON: ${err.message}`);
    else throw err;
    return null;
  }
}

export async function handleOperatorApi(ctx: OperatorContext, plugged: PluggableCalls, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (leaderGate(ctx.m, res)) return;
  if (req.method !== "POST") return sendText(res, 405, `Expecting one of { 'POST' }, but received '${req.method}'`, { Allow: "POST" });
  const contentType = mediaType(req.headers["content-type"]);
  if (contentType === undefined) return sendText(res, 400, "Expecting 'Content-Type' to be present");
  if (contentType === PROTOBUF_TYPE) return sendText(res, 415, `Expecting 'Content-Type' of ${JSON_TYPE}: this master speaks JSON only (protobuf is not supported)`);
  if (contentType !== JSON_TYPE) return sendText(res, 415, `Expecting 'Content-Type' of ${JSON_TYPE} or ${PROTOBUF_TYPE}`);

  const call = await readCall(req, res);
  if (!call) return;
  const invalid = validateOperatorCall(call);
  if (invalid) return sendText(res, 400, `Failed to validate master::Call: ${invalid}`);
  if (!accepts(req.headers.accept, JSON_TYPE)) {
    return sendText(res, 406, `Expecting 'Accept' to allow '${JSON_TYPE}' (protobuf is not supported)`);
  }

  if (call.type === "UNKNOWN") return sendText(res, 501, "Received 'UNKNOWN' call");
  const authorize = authorizeOperatorCall(ctx.m, call, req, res); // 403 (audited) when the ACLs refuse
  if (!authorize) return;
  const io = { req, res, principal: principalOf(req), authorize };
  if (call.type === "SUBSCRIBE") return ctx.subscribers.subscribe(req, res);
  const handler = (HANDLERS as Partial<Record<OperatorCallType, CallHandler>>)[call.type] ?? plugged.get(call.type);
  if (!handler) return sendText(res, 501, `Call '${call.type}' is not supported by this Plateau version yet`);
  await handler(ctx, call, io);
}
