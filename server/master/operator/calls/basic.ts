// GET_HEALTH, GET_FLAGS, GET_VERSION, GET_METRICS, GET_LOGGING_LEVEL, SET_LOGGING_LEVEL,
// GET_MASTER, GET_OPERATIONS.
import { sendText } from "../../../http/util";
import { j } from "../render/json";
import { metricsSnapshot } from "../metrics";
import { countTasks } from "../task-counts";
import type { CallHandler } from "./types";
import { ok, respondJson } from "../respond";

export const getHealth: CallHandler = (_ctx, _call, { res }) => respondJson(res, "GET_HEALTH", `{"healthy":true}`);

export const getFlags: CallHandler = (ctx, _call, { res }) => {
  const flags = Object.entries(ctx.m.config.displayFlags)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
  respondJson(res, "GET_FLAGS", j(flags.length > 0 ? { flags } : {}));
};

export const getVersion: CallHandler = (ctx, _call, { res }) => respondJson(res, "GET_VERSION", j({ version_info: ctx.version }));

export const getMetrics: CallHandler = async (ctx, _call, { res }) => {
  const counts = await countTasks(ctx.m);
  const snapshot = metricsSnapshot({ m: ctx.m, cache: ctx.cache, operatorSubscribers: ctx.subscribers.size }, counts);
  const metrics = Object.entries(snapshot).map(([name, value]) => ({ name, value }));
  respondJson(res, "GET_METRICS", j({ metrics }));
};

export const getLoggingLevel: CallHandler = (ctx, _call, { res }) => respondJson(res, "GET_LOGGING_LEVEL", j({ level: ctx.logging.level }));

export const setLoggingLevel: CallHandler = (ctx, call, { res, principal }) => {
  const body = call.set_logging_level!;
  const error = ctx.logging.set(body.level, body.duration.nanoseconds / 1e6);
  ctx.m.timeline.add({
    time: ctx.m.clock.now(),
    kind: "operator",
    action: "SET_LOGGING_LEVEL",
    summary: `Logging level ${body.level} for ${body.duration.nanoseconds / 1e9}s requested by ${principal}${error ? ` rejected: ${error}` : ""}`,
    principal,
    result: error ? "error" : "ok",
  });
  if (error) return sendText(res, 400, error);
  ok(res);
};

export const getMaster: CallHandler = (ctx, _call, { res }) => {
  const m = ctx.m;
  const body: Record<string, unknown> = { master_info: m.info, start_time: m.startTime / 1000 };
  if (m.electedTime !== undefined) body.elected_time = m.electedTime / 1000;
  respondJson(res, "GET_MASTER", j(body));
};

/** No offer operations with ids are tracked yet: always empty. */
export const getOperations: CallHandler = (_ctx, _call, { res }) => respondJson(res, "GET_OPERATIONS", "{}");
