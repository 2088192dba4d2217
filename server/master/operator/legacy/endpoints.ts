// Legacy (v0) endpoints other than the state documents: /master/redirect, /version,
// /master/flags, /master/roles, /master/weights, /master/quota, /master/teardown, the
// reservation/volume forms, /metrics/snapshot, /metrics (Prometheus) and /logging/toggle.
import { roleVisible } from "../../../security/visibility";
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, readBody, sendEmpty, sendText } from "../../../http/util";
import { JsonInputError, parseJsonBody } from "../../../protocol/json";
import { Resource } from "../../../protocol/mesos";
import { describeIssues } from "../../../protocol/errors";
import { z } from "zod";
import { currentWeights, updateWeights } from "../../roles";
import { principalOf, type OperatorContext } from "../context";
import type { OperatorCall } from "../call";
import { authorizeOperatorCall } from "../../../security/operator-gate";
import { leaderGate, methodGate, sendJsonText } from "../http";
import { j } from "../render/json";
import { metricsSnapshot, prometheusText } from "../metrics";
import { countTasks } from "../task-counts";
import { applyQuota, configFromQuotaRequest, quotaStatus, removeQuota, roleResources, scalarQuantities } from "../calls/roles";
import { runOperatorOperation, type OperatorOperationType } from "../calls/operations";
import { teardownFramework } from "../calls/actions";
import { sendCommandError } from "../respond";

export type Handler = (ctx: OperatorContext, req: IncomingMessage, res: ServerResponse, query: URLSearchParams, path: string) => void | Promise<void>;

async function bodyText(req: IncomingMessage, res: ServerResponse): Promise<string | null> {
  try {
    return (await readBody(req)).toString("utf8");
  } catch (err) {
    if (err instanceof HttpError) {
      sendText(res, err.status, err.message);
      return null;
    }
    throw err;
  }
}

/** 307 to the leader's base URL (`//host:port`), 503 when there is none. */
export const redirect: Handler = (ctx, _req, res) => {
  const m = ctx.m;
  if (!m.isLeading) return sendText(res, 503, "No leader elected");
  res.writeHead(307, { Location: `//${m.info.hostname}:${m.info.port}`, "Content-Length": "0" });
  res.end();
};

export const version: Handler = (ctx, _req, res, query) => sendJsonText(res, j(ctx.version), query);

export const flags: Handler = (ctx, req, res, query) => {
  if (!authorizeOperatorCall(ctx.m, { type: "GET_FLAGS" } as OperatorCall, req, res)) return;
  sendJsonText(res, j({ flags: ctx.m.config.displayFlags }), query);
};

export const roles: Handler = (ctx, req, res, query) => {
  if (leaderGate(ctx.m, res)) return;
  const visible = roleVisible(req);
  const list = roleResources(ctx.m).filter((r) => visible(r.name)).map((r) => {
    const role: Record<string, unknown> = { name: r.name, weight: r.weight };
    if (r.quota) role.quota = { role: r.name, guarantee: r.quota.guarantees, limit: r.quota.limits, consumed: r.quota.consumed };
    role.resources = scalarQuantities(r.allocated.add(r.offered));
    role.allocated = scalarQuantities(r.allocated);
    role.offered = scalarQuantities(r.offered);
    role.reserved = scalarQuantities(r.reserved);
    role.frameworks = r.frameworks;
    return role;
  });
  sendJsonText(res, j({ roles: list }), query);
};

const WeightList = z.array(z.object({ role: z.string(), weight: z.number() }));

export const weights: Handler = async (ctx, req, res, query) => {
  if (leaderGate(ctx.m, res)) return;
  if (methodGate(req, res, ["GET", "PUT"])) return;
  if (req.method === "GET") {
    const visible = roleVisible(req);
    return sendJsonText(res, j(currentWeights(ctx.m).filter((w) => visible(w.role)).map((w) => ({ weight: w.weight, role: w.role }))), query);
  }
  const text = await bodyText(req, res);
  if (text === null) return;
  let parsed: z.infer<typeof WeightList>;
  try {
    const r = WeightList.safeParse(parseJsonBody(text));
    if (!r.success) return sendText(res, 400, `Failed to convert JSON into WeightInfo protobuf: ${describeIssues(r.error)}`);
    parsed = r.data;
  } catch (err) {
    if (err instanceof JsonInputError) return sendText(res, 400, `Failed to parse update weights request JSON: ${err.message}`);
    throw err;
  }
  try {
    if (!authorizeOperatorCall(ctx.m, { type: "UPDATE_WEIGHTS", update_weights: { weight_infos: parsed } } as OperatorCall, req, res)) return;
    await updateWeights(ctx.m, parsed, principalOf(req));
  } catch (err) {
    return sendCommandError(res, err);
  }
  sendEmpty(res, 200);
};

export const quota: Handler = async (ctx, req, res, query) => {
  if (leaderGate(ctx.m, res)) return;
  if (methodGate(req, res, ["GET", "POST"])) return;
  if (req.method === "GET") return sendJsonText(res, j(quotaStatus(ctx.m, roleVisible(req, "get_quotas"))), query);
  const text = await bodyText(req, res);
  if (text === null) return;
  let body: unknown;
  try {
    body = parseJsonBody(text);
  } catch (err) {
    if (err instanceof JsonInputError) return sendText(res, 400, `Failed to parse set quota request JSON: ${err.message}`);
    throw err;
  }
  const parsed = configFromQuotaRequest(body);
  if (typeof parsed === "string") return sendText(res, 400, parsed);
  try {
    if (!authorizeOperatorCall(ctx.m, { type: "UPDATE_QUOTA", update_quota: { quota_configs: [{ role: parsed.config.role }] } } as OperatorCall, req, res)) return;
    await applyQuota(ctx.m, [parsed.config], parsed.force, principalOf(req));
  } catch (err) {
    return sendCommandError(res, err);
  }
  sendEmpty(res, 200);
};

/** DELETE /master/quota/<role> */
export const quotaRemove: Handler = async (ctx, req, res, _query, path) => {
  if (leaderGate(ctx.m, res)) return;
  if (methodGate(req, res, ["DELETE"])) return;
  let role: string;
  try {
    role = decodeURIComponent(path.slice(path.indexOf("/quota/") + "/quota/".length));
  } catch {
    return sendText(res, 400, "Failed to parse request path: malformed % sequence");
  }
  if (role === "") return sendText(res, 400, "Failed to parse request path: expecting a role");
  try {
    if (!authorizeOperatorCall(ctx.m, { type: "REMOVE_QUOTA", remove_quota: { role } } as OperatorCall, req, res)) return;
    const error = await removeQuota(ctx.m, role, principalOf(req));
    if (error) return sendText(res, 400, error);
  } catch (err) {
    return sendCommandError(res, err);
  }
  sendEmpty(res, 200);
};

async function formBody(req: IncomingMessage, res: ServerResponse): Promise<URLSearchParams | null> {
  const text = await bodyText(req, res);
  return text === null ? null : new URLSearchParams(text);
}

export const teardown: Handler = async (ctx, req, res) => {
  if (leaderGate(ctx.m, res)) return;
  if (methodGate(req, res, ["POST"])) return;
  const form = await formBody(req, res);
  if (!form) return;
  const id = form.get("frameworkId");
  if (id === null) return sendText(res, 400, "Missing 'frameworkId' query parameter in the request body");
  if (!authorizeOperatorCall(ctx.m, { type: "TEARDOWN", teardown: { framework_id: { value: id } } } as OperatorCall, req, res)) return;
  teardownFramework(ctx.m, res, id, principalOf(req));
};

const ResourceList = z.array(Resource);

function parseResourceParam(form: URLSearchParams, key: string): Resource[] | string {
  const value = form.get(key);
  if (value === null) return `Missing '${key}' query parameter in the request body`;
  try {
    const r = ResourceList.safeParse(parseJsonBody(value));
    return r.success ? r.data : `Error in parsing '${key}' query parameter in the request body: ${describeIssues(r.error)}`;
  } catch (err) {
    return `Error in parsing '${key}' query parameter in the request body: ${(err as Error).message}`;
  }
}

/** POST /master/reserve | unreserve | create-volumes | destroy-volumes (form bodies). */
export function operationForm(type: OperatorOperationType): Handler {
  const key = type === "CREATE" || type === "DESTROY" ? "volumes" : "resources";
  return async (ctx, req, res) => {
    if (leaderGate(ctx.m, res)) return;
    if (methodGate(req, res, ["POST"])) return;
    const form = await formBody(req, res);
    if (!form) return;
    const agentId = form.get("slaveId");
    if (agentId === null) return sendText(res, 400, "Missing 'slaveId' query parameter in the request body");
    const resources = parseResourceParam(form, key);
    if (typeof resources === "string") return sendText(res, 400, resources);
    let source: Resource[] | undefined;
    if (type === "RESERVE" && form.has("source")) {
      const parsed = parseResourceParam(form, "source");
      if (typeof parsed === "string") return sendText(res, 400, parsed);
      source = parsed;
    }
    const asCall = { RESERVE: { type: "RESERVE_RESOURCES", reserve_resources: { resources } }, UNRESERVE: { type: "UNRESERVE_RESOURCES", unreserve_resources: { resources } }, CREATE: { type: "CREATE_VOLUMES", create_volumes: { volumes: resources } }, DESTROY: { type: "DESTROY_VOLUMES", destroy_volumes: { volumes: resources } } }[type];
    if (!authorizeOperatorCall(ctx.m, asCall as unknown as OperatorCall, req, res)) return;
    await runOperatorOperation(ctx.m, res, { type, agentId, resources, source }, principalOf(req));
  };
}

async function snapshotOf(ctx: OperatorContext): Promise<Record<string, number>> {
  const counts = await countTasks(ctx.m);
  return metricsSnapshot({ m: ctx.m, cache: ctx.cache, operatorSubscribers: ctx.subscribers.size }, counts);
}

export const metricsSnapshotEndpoint: Handler = async (ctx, _req, res, query) => {
  sendJsonText(res, j(await snapshotOf(ctx)), query);
};

export const prometheus: Handler = async (ctx, _req, res) => {
  const body = Buffer.from(prometheusText(await snapshotOf(ctx)), "utf8");
  res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Content-Length": String(body.length) });
  res.end(body);
};

/** /logging/toggle?level=N&duration=5mins; without parameters answers the current level. */
export const loggingToggle: Handler = (ctx, req, res, query) => {
  if (methodGate(req, res, ["GET", "POST"])) return;
  const level = query.get("level");
  const duration = query.get("duration");
  if (level === null && duration === null) return sendText(res, 200, String(ctx.logging.level));
  if (level === null) return sendText(res, 400, "Expecting 'level' in query");
  if (duration === null) return sendText(res, 400, "Expecting 'duration' in query");
  if (!authorizeOperatorCall(ctx.m, { type: "SET_LOGGING_LEVEL" } as OperatorCall, req, res)) return;
  if (!/^\d+$/.test(level)) return sendText(res, 400, `Invalid level '${level}'`);
  const durationMs = parseDurationMs(duration);
  if (durationMs === null) return sendText(res, 400, `Invalid duration '${duration}' (expected e.g. 5mins, 30secs)`);
  const error = ctx.logging.set(Number(level), durationMs);
  if (error) return sendText(res, 400, error);
  sendEmpty(res, 200);
};

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, secs: 1000, mins: 60_000, hrs: 3_600_000, days: 86_400_000, weeks: 604_800_000 };

/** A Mesos duration ("5mins", "30secs", "100ms") in ms, or null. */
export function parseDurationMs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|secs|mins|hrs|days|weeks)$/.exec(text.trim());
  return m ? Number(m[1]) * UNITS[m[2]!]! : null;
}
