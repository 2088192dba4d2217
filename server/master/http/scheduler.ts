// POST /api/v1/scheduler (also /master/api/v1/scheduler): parse, validate, then dispatch in one
// switch on the call type. Status codes and messages follow Mesos's master/http.cpp.
import type { IncomingMessage, ServerResponse } from "node:http";
import { JsonInputError, parseJsonBody } from "../../protocol/json";
import { parseSchedulerCall, validateSchedulerCall, type SchedulerCall } from "../../protocol/scheduler";
import { HttpError, accepts, mediaType, readBody, sendEmpty, sendText } from "../../http/util";
import { accept } from "../accept";
import { removeFramework, subscribe, updateFramework } from "../frameworks";
import type { Master } from "../master";
import { decline } from "../offers";
import { acknowledge, frameworkMessage, kill, reconcile, shutdownExecutor } from "../tasks";
import { EventStream, responseSink } from "./stream";
import type { Framework } from "../state";
import type { SchedulerEvent } from "../../protocol/scheduler";
import { schedulerCallRefusal, schedulerSubscribeRefusal } from "../../security/scheduler-authz";

const JSON_TYPE = "application/json";
const PROTOBUF_TYPE = "application/x-protobuf";

/** Answers requests a non-leading master cannot serve (redirect/503); returns true if handled. */
export type LeaderGate = (req: IncomingMessage, res: ServerResponse) => boolean;

export async function handleScheduler(m: Master, req: IncomingMessage, res: ServerResponse, gate?: LeaderGate): Promise<void> {
  if (gate?.(req, res)) return;
  if (!m.isLeading) return sendText(res, 503, "Master has not finished recovery");
  if (req.method !== "POST") return sendText(res, 405, `Expecting one of { 'POST' }, but received '${req.method}'`, { Allow: "POST" });

  const contentType = mediaType(req.headers["content-type"]);
  if (contentType === undefined) return sendText(res, 400, "Expecting 'Content-Type' to be present");
  if (contentType === PROTOBUF_TYPE) return sendText(res, 415, `Expecting 'Content-Type' of ${JSON_TYPE}: this master speaks JSON only (protobuf is not supported)`);
  if (contentType !== JSON_TYPE) return sendText(res, 415, `Expecting 'Content-Type' of ${JSON_TYPE} or ${PROTOBUF_TYPE}`);

  let call: SchedulerCall;
  try {
    const body = await readBody(req);
    const json = parseJsonBody(body.toString("utf8"));
    const parsed = parseSchedulerCall(json);
    if (!parsed.ok) return sendText(res, 400, `Failed to convert JSON into Call protobuf: ${parsed.error}`);
    call = parsed.value;
  } catch (err) {
    if (err instanceof HttpError) return sendText(res, err.status, err.message);
    if (err instanceof JsonInputError) return sendText(res, 400, `Failed to parse body into JSON: ${err.message}`);
    throw err;
  }
  const invalid = validateSchedulerCall(call);
  if (invalid) return sendText(res, 400, `Failed to validate scheduler::Call: ${invalid}`);

  if (call.type === "SUBSCRIBE") return handleSubscribe(m, req, res, call);

  const framework = m.frameworks.get(call.framework_id!.value);
  if (!framework) return sendText(res, 400, "Framework cannot be found");
  if (framework.lifecycle !== "connected" || !framework.stream) return sendText(res, 403, "Framework is not subscribed");
  const streamId = req.headers["mesos-stream-id"];
  if (streamId === undefined) return sendText(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  if (streamId !== framework.stream.id) {
    return sendText(res, 400, `The stream ID '${String(streamId)}' included in this request didn't match the stream ID currently associated with framework ID ${framework.id}`);
  }
  if (call.type === "UNKNOWN") return sendText(res, 501, "Received 'UNKNOWN' call");
  const refused = schedulerCallRefusal(req, framework.info, call);
  if (refused) return sendText(res, 403, refused);
  m.counters.countCall(framework.id, call.type);
  if (call.type === "UPDATE_FRAMEWORK") {
    const error = updateFramework(m, framework, call.update_framework!);
    return error ? sendText(res, 400, `Failed to validate scheduler::Call: ${error}`) : sendEmpty(res, 200);
  }
  dispatch(m, framework, call);
  sendEmpty(res, 202);
}

function handleSubscribe(m: Master, req: IncomingMessage, res: ServerResponse, call: SchedulerCall): void {
  if (!accepts(req.headers.accept, JSON_TYPE)) {
    return sendText(res, 406, `Expecting 'Accept' to allow '${JSON_TYPE}' (protobuf is not supported)`);
  }
  if (req.headers["mesos-stream-id"] !== undefined) {
    return sendText(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
  }
  const info = call.subscribe!.framework_info;
  const refused = schedulerSubscribeRefusal(req, info, info.id ? m.frameworks.get(info.id.value)?.info : undefined);
  if (refused) return sendText(res, 403, refused);
  const stream = new EventStream<SchedulerEvent>(responseSink(res));
  res.writeHead(200, { "Content-Type": JSON_TYPE, "Mesos-Stream-Id": stream.id, "Cache-Control": "no-cache" });
  res.flushHeaders();
  req.socket.setKeepAlive(true);
  req.socket.setNoDelay(true);
  m.counters.countMessage("register_framework");
  subscribe(m, stream, call.subscribe!);
}

/** One switch over the call type; every branch is a handler in the master folder. */
function dispatch(m: Master, framework: Framework, call: SchedulerCall): void {
  switch (call.type) {
    case "TEARDOWN":
      removeFramework(m, framework, "TEARDOWN call from the framework");
      return;
    case "ACCEPT":
      accept(m, framework, call.accept!);
      return;
    case "DECLINE":
      m.counters.countMessage("decline_offers");
      decline(m, framework, (call.decline!.offer_ids ?? []).map((o) => o.value), call.decline!.filters?.refuse_seconds);
      return;
    case "REVIVE":
      m.counters.countMessage("revive_offers");
      for (const role of call.revive?.roles?.length ? call.revive.roles : framework.roles) framework.suppressedRoles.delete(role);
      m.allocator.reviveOffers(framework.id, call.revive?.roles ?? []);
      m.requestAllocation();
      return;
    case "SUPPRESS":
      m.counters.countMessage("suppress_offers");
      for (const role of call.suppress?.roles?.length ? call.suppress.roles : framework.roles) framework.suppressedRoles.add(role);
      m.allocator.suppressOffers(framework.id, call.suppress?.roles ?? []);
      return;
    case "KILL":
      kill(m, framework, call.kill!);
      return;
    case "SHUTDOWN":
      shutdownExecutor(m, framework, call.shutdown!);
      return;
    case "ACKNOWLEDGE":
      acknowledge(m, framework, call.acknowledge!);
      return;
    case "RECONCILE":
      reconcile(m, framework, call.reconcile?.tasks ?? []);
      return;
    case "MESSAGE":
      frameworkMessage(m, framework, call.message!);
      return;
    case "REQUEST":
      m.counters.countMessage("resource_request"); // ignored by the built-in allocator, as Mesos
      return;
    case "ACCEPT_INVERSE_OFFERS":
    case "DECLINE_INVERSE_OFFERS":
      m.inverseOfferResponse?.(framework, call);
      return;
    case "ACKNOWLEDGE_OPERATION_STATUS":
    case "RECONCILE_OPERATIONS":
      return; // no operation feedback is generated yet (operations with ids are not accepted)
    case "UPDATE_FRAMEWORK":
    case "SUBSCRIBE":
    case "UNKNOWN":
      return;
  }
}
