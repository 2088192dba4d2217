// POST /api/v1/executor: the Mesos v1 executor HTTP API (agent-executor.md §1). Parse, check,
// then dispatch on the call type; the bookkeeping is in executors.ts.
//   SUBSCRIBE  200, chunked RecordIO stream of JSON events (SUBSCRIBED first)
//   UPDATE / MESSAGE  202 (403 "Executor is not subscribed" unless subscribed)
//   HEARTBEAT  202 before anything else is looked at
// 400 bad body / "Framework cannot be found" / "Executor cannot be found"; 401 from the
// authentication hook; 415 protobuf; 503 until the agent has finished recovery.
import type { IncomingMessage } from "node:http";
import { parseExecutorCall, validateExecutorCall, type ExecutorCall, type ExecutorEvent } from "../protocol/executor";
import { JsonInputError, parseJsonBody, toWireJson } from "../protocol/json";
import { encodeRecord } from "../protocol/recordio";
import { HttpError, accepts, mediaType, readBody, sendEmpty, sendText } from "../http/util";
import type { Agent } from "./agent";
import type { Route } from "./http";
import type { ExecutorSubscriber } from "./state";

/**
 * Executor authentication hook (Mesos `--authenticate_http_executors`; Plateau issue #9):
 * resolve undefined to allow the call, or a message to refuse it with 401. The default allows
 * everything; MESOS_EXECUTOR_AUTHENTICATION_TOKEN is not set for executors yet.
 */
export type ExecutorAuthenticator = (req: IncomingMessage, call: ExecutorCall) => Promise<string | undefined> | string | undefined;

export const allowAllExecutors: ExecutorAuthenticator = () => undefined;

/** Mesos DEFAULT_EXECUTOR_HEARTBEAT_INTERVAL. */
export const EXECUTOR_HEARTBEAT_INTERVAL_MS = 30 * 60_000;

export function executorApiRoute(agent: () => Agent | undefined, authenticate: ExecutorAuthenticator = allowAllExecutors): Route {
  const subscribers = new Set<ExecutorSubscriber>();
  const heartbeat = setInterval(() => {
    for (const s of subscribers) s.send({ type: "HEARTBEAT" });
  }, EXECUTOR_HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();

  return {
    methods: ["POST"],
    async handle({ req, res }) {
      const type = mediaType(req.headers["content-type"]);
      if (type === undefined) return sendText(res, 400, "Expecting 'Content-Type' to be present");
      if (type !== "application/json") return sendText(res, 415, "Expecting 'Content-Type' of application/json (protobuf is not supported by Plateau)");
      let call: ExecutorCall;
      try {
        const parsed = parseExecutorCall(parseJsonBody((await readBody(req)).toString("utf8")));
        if (!parsed.ok) return sendText(res, 400, `Failed to convert JSON into Call protobuf: ${parsed.error}`);
        call = parsed.value;
      } catch (err) {
        if (err instanceof HttpError) return sendText(res, err.status, err.message);
        if (err instanceof JsonInputError) return sendText(res, 400, `Failed to parse body into JSON: ${err.message}`);
        throw err;
      }
      if (call.type === "HEARTBEAT") return sendEmpty(res, 202);
      const a = agent();
      if (a === undefined || !a.recovered) return sendText(res, 503, "Agent has not finished recovery");
      const invalid = validateExecutorCall(call);
      if (invalid !== null) return sendText(res, 400, `Failed to validate executor::Call: ${invalid}`);
      const refused = await authenticate(req, call);
      if (refused !== undefined) return sendText(res, 401, refused, { "WWW-Authenticate": 'Bearer realm="mesos-agent-executor"' });

      const framework = a.state.frameworks.get(call.framework_id.value);
      if (framework === undefined) return sendText(res, 400, "Framework cannot be found");
      const executor = framework.executors.get(call.executor_id.value);
      if (executor === undefined || executor.kind !== "custom" || executor.phase === "terminated") return sendText(res, 400, "Executor cannot be found");
      const custom = a.runner.custom;

      switch (call.type) {
        case "SUBSCRIBE": {
          if (!accepts(req.headers.accept, "application/json")) return sendText(res, 406, "Expecting 'Accept' to allow 'application/json'");
          res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache" });
          res.flushHeaders();
          req.socket.setKeepAlive(true);
          req.socket.setNoDelay(true);
          let open = true;
          const subscriber: ExecutorSubscriber = {
            send: (event: ExecutorEvent) => {
              if (open) res.write(encodeRecord(toWireJson(event)));
            },
            close: () => {
              if (!open) return;
              open = false;
              subscribers.delete(subscriber);
              res.end();
            },
          };
          subscribers.add(subscriber);
          res.once("close", () => {
            open = false;
            subscribers.delete(subscriber);
            custom.disconnected(executor, subscriber);
          });
          custom.subscribe(executor, call.subscribe!, subscriber);
          return;
        }
        case "UPDATE":
          // A terminating executor still reports its tasks' ends over its stream.
          if (executor.subscriber === undefined) return sendText(res, 403, "Executor is not subscribed");
          custom.update(executor, call.update!.status);
          return sendEmpty(res, 202);
        case "MESSAGE":
          if (executor.subscriber === undefined) return sendText(res, 403, "Executor is not subscribed");
          custom.message(executor, call.message!.data);
          return sendEmpty(res, 202);
        default:
          return sendText(res, 501, `Received '${call.type}' call`);
      }
    },
  };
}
