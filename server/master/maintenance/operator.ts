// The maintenance and drain calls of the operator API (/api/v1) and the legacy endpoints
// /master/maintenance/schedule, /master/maintenance/status, /master/machine/down and
// /master/machine/up. Bodies are parsed here (the Call schema accepts them loosely); errors are
// answered with Mesos's codes: 400 for bad input, 409 for a conflict.
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { HttpError, readBody, sendEmpty, sendText } from "../../http/util";
import { describeIssues } from "../../protocol/errors";
import { JsonInputError, parseJsonBody, toWireJson } from "../../protocol/json";
import { bool, int64 } from "../../protocol/values";
import type { CallHandler, CallIo } from "../operator/calls/types";
import type { OperatorContext } from "../operator/context";
import { principalOf } from "../operator/context";
import { leaderGate, methodGate, sendJsonText } from "../operator/http";
import { ok, respondJson, sendCommandError } from "../operator/respond";
import type { OperatorCall } from "../operator/call";
import { canonicalMachine, canonicalSchedule, MachineIdIn, MachineIdsIn, ScheduleIn, type MachineId } from "./machines";
import type { Maintenance } from "./service";

const AgentIdBody = z.object({ agent_id: z.object({ value: z.string() }) });
/** google.protobuf.Duration as JSON: `{"seconds": int64, "nanos": int32}`. */
const Duration = z.object({ seconds: int64.optional(), nanos: int64.optional() });

const BODIES = {
  update_maintenance_schedule: z.object({ schedule: ScheduleIn }),
  start_maintenance: z.object({ machines: z.array(MachineIdIn).optional() }),
  stop_maintenance: z.object({ machines: z.array(MachineIdIn).optional() }),
  drain_agent: AgentIdBody.extend({ max_grace_period: Duration.optional(), mark_gone: bool.optional() }),
  deactivate_agent: AgentIdBody,
  reactivate_agent: AgentIdBody,
  mark_agent_gone: AgentIdBody,
} as const;

type BodyKey = keyof typeof BODIES;

/** Parses a call's body; on failure answers 400 (as a failed JSON → protobuf conversion) and returns null. */
function body<K extends BodyKey>(call: OperatorCall, key: K, res: ServerResponse): z.infer<(typeof BODIES)[K]> | null {
  const r = BODIES[key].safeParse((call as Record<string, unknown>)[key]);
  if (r.success) return r.data as z.infer<(typeof BODIES)[K]>;
  sendText(res, 400, `Failed to convert JSON into Call protobuf: ${describeIssues(r.error)}`);
  return null;
}

async function run(res: ServerResponse, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    return sendCommandError(res, err);
  }
  ok(res);
}

type ServiceOf = () => Maintenance | undefined;

function handler(service: ServiceOf, fn: (svc: Maintenance, call: OperatorCall, io: CallIo) => void | Promise<void>): CallHandler {
  return (_ctx, call, io) => {
    const svc = service();
    if (!svc) return sendText(io.res, 503, "Maintenance is not running on this master");
    return fn(svc, call, io);
  };
}

/** The /api/v1 handlers, keyed by call type. */
export function maintenanceCalls(service: ServiceOf) {
  return {
    GET_MAINTENANCE_SCHEDULE: handler(service, (svc, _call, { res }) => respondJson(res, "GET_MAINTENANCE_SCHEDULE", toWireJson({ schedule: svc.currentSchedule() }))),
    GET_MAINTENANCE_STATUS: handler(service, (svc, _call, { res }) => respondJson(res, "GET_MAINTENANCE_STATUS", toWireJson({ status: svc.status() }))),
    UPDATE_MAINTENANCE_SCHEDULE: handler(service, (svc, call, { res, principal }) => {
      const b = body(call, "update_maintenance_schedule", res);
      if (b) return run(res, () => svc.updateSchedule(canonicalSchedule(b.schedule), { principal }));
    }),
    START_MAINTENANCE: handler(service, (svc, call, { res, principal }) => {
      const b = body(call, "start_maintenance", res);
      if (b) return run(res, () => svc.startMaintenance((b.machines ?? []).map(canonicalMachine), { principal }));
    }),
    STOP_MAINTENANCE: handler(service, (svc, call, { res, principal }) => {
      const b = body(call, "stop_maintenance", res);
      if (b) return run(res, () => svc.stopMaintenance((b.machines ?? []).map(canonicalMachine), { principal }));
    }),
    DRAIN_AGENT: handler(service, (svc, call, { res, principal }) => {
      const b = body(call, "drain_agent", res);
      if (!b) return;
      const g = b.max_grace_period;
      const maxGracePeriodNs = g ? (g.seconds ?? 0) * 1e9 + (g.nanos ?? 0) : undefined;
      return run(res, () => svc.drainAgent(b.agent_id.value, { maxGracePeriodNs, markGone: b.mark_gone ?? false }, { principal }));
    }),
    DEACTIVATE_AGENT: handler(service, (svc, call, { res, principal }) => {
      const b = body(call, "deactivate_agent", res);
      if (b) return run(res, () => svc.deactivateAgent(b.agent_id.value, { principal }));
    }),
    REACTIVATE_AGENT: handler(service, (svc, call, { res, principal }) => {
      const b = body(call, "reactivate_agent", res);
      if (b) return run(res, () => svc.reactivateAgent(b.agent_id.value, { principal }));
    }),
    MARK_AGENT_GONE: handler(service, (svc, call, { res, principal }) => {
      const b = body(call, "mark_agent_gone", res);
      if (b) return run(res, () => svc.markAgentGone(b.agent_id.value, { principal }));
    }),
  } satisfies Record<string, CallHandler>;
}

// ---- legacy endpoints ----

export type LegacyHandler = (ctx: OperatorContext, req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => void | Promise<void>;

async function jsonBody(req: IncomingMessage, res: ServerResponse, what: string): Promise<{ value: unknown } | null> {
  try {
    return { value: parseJsonBody((await readBody(req)).toString("utf8")) };
  } catch (err) {
    if (err instanceof HttpError) sendText(res, err.status, err.message);
    else if (err instanceof JsonInputError) sendText(res, 400, `Failed to parse ${what}: ${err.message}`);
    else throw err;
    return null;
  }
}

function legacy(service: ServiceOf, methods: string[], fn: (svc: Maintenance, req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => void | Promise<void>): LegacyHandler {
  return (ctx, req, res, query) => {
    if (leaderGate(ctx.m, res) || methodGate(req, res, methods)) return;
    const svc = service();
    if (!svc) return sendText(res, 503, "Maintenance is not running on this master");
    return fn(svc, req, res, query);
  };
}

async function machinesFrom(req: IncomingMessage, res: ServerResponse): Promise<MachineId[] | null> {
  const parsed = await jsonBody(req, res, "JSON array of machines");
  if (!parsed) return null;
  const r = MachineIdsIn.safeParse(parsed.value);
  if (!r.success) {
    sendText(res, 400, `Failed to convert JSON into machine ids: ${describeIssues(r.error)}`);
    return null;
  }
  return r.data.map(canonicalMachine);
}

async function runLegacy(res: ServerResponse, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    return sendCommandError(res, err);
  }
  sendEmpty(res, 200);
}

/** Legacy routes: path → handler. */
export function maintenanceRoutes(service: ServiceOf): [string, LegacyHandler][] {
  const schedule = legacy(service, ["GET", "POST"], async (svc, req, res, query) => {
    if (req.method === "GET") return sendJsonText(res, toWireJson(svc.currentSchedule()), query);
    const parsed = await jsonBody(req, res, "JSON schedule");
    if (!parsed) return;
    const r = ScheduleIn.safeParse(parsed.value);
    if (!r.success) return sendText(res, 400, `Failed to convert JSON into Schedule protobuf: ${describeIssues(r.error)}`);
    return runLegacy(res, () => svc.updateSchedule(canonicalSchedule(r.data), { principal: principalOf(req) }));
  });
  const status = legacy(service, ["GET", "POST"], (svc, _req, res, query) => sendJsonText(res, toWireJson(svc.status()), query));
  const down = legacy(service, ["POST"], async (svc, req, res) => {
    const ids = await machinesFrom(req, res);
    if (ids) return runLegacy(res, () => svc.startMaintenance(ids, { principal: principalOf(req) }));
  });
  const up = legacy(service, ["POST"], async (svc, req, res) => {
    const ids = await machinesFrom(req, res);
    if (ids) return runLegacy(res, () => svc.stopMaintenance(ids, { principal: principalOf(req) }));
  });
  return [
    ["/master/maintenance/schedule", schedule],
    ["/master/maintenance/status", status],
    ["/master/machine/down", down],
    ["/master/machine/up", up],
  ];
}
