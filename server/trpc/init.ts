// tRPC setup for the dashboard, in numbered sections (create-t3-app style).
import { dashboardVisibility, type DashboardVisibility } from "../security/visibility";
import type { IncomingMessage } from "node:http";
import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import type { MasterHandle } from "../master/handle";
import { CommandError } from "../master/errors";
import { CSRF_HEADER, csrfProblem, type RequestFacts } from "./origin";
import { isPeerMaster, refreshPeers } from "./peers";
import { ANONYMOUS, processSecurity, requestIdentity, type Security } from "../security/security";
import type { AclAction } from "../security/acls";
import { auditDenied } from "../security/operator-gate";

// 1. Context -----------------------------------------------------------------------------------
// The master handle lives in the same process; the dashboard server components and the /trpc
// HTTP handler both find it through the process-wide registry below (a master process replaces
// its core after a fail-stop, and the registry follows it).

export interface Context {
  handle: MasterHandle | null;
  /** Who is asking: the authenticated principal (session cookie, Basic or bearer) or "anonymous". */
  principal: string;
  /** The authenticated principal; undefined when anonymous (ACL subject ANY). */
  authenticated?: string;
  /** The security configuration of the server that took the request (ACLs, authentication). */
  security: Security;
  /** Facts about the HTTP request; absent for in-process calls from server components. */
  request?: RequestFacts;
}

const HANDLE_KEY = Symbol.for("plateau.masterHandle");

export function setMasterHandle(handle: MasterHandle | null): void {
  (globalThis as Record<symbol, unknown>)[HANDLE_KEY] = handle;
}

export function getMasterHandle(): MasterHandle | null {
  return ((globalThis as Record<symbol, unknown>)[HANDLE_KEY] as MasterHandle | undefined) ?? null;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function createContext(opts?: { req?: IncomingMessage; principal?: string }): Context {
  const req = opts?.req;
  // The front door (server/security/gate.ts) authenticated the request; server components pass
  // the principal of the page's session cookie.
  const identity = req ? requestIdentity(req) : undefined;
  const authenticated = identity ? identity.principal : opts?.principal;
  return {
    security: identity?.security ?? processSecurity(),
    handle: getMasterHandle(),
    principal: authenticated ?? ANONYMOUS,
    authenticated,
    request: req ? { host: header(req, "host"), origin: header(req, "origin"), csrf: header(req, CSRF_HEADER) } : undefined,
  };
}

// 2. Initialisation: errors from zod surface as field-level messages ----------------------------

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        fieldErrors: error.cause instanceof z.ZodError ? z.flattenError(error.cause).fieldErrors : undefined,
      },
    };
  },
});

// 3. Procedures --------------------------------------------------------------------------------

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** A domain error (duck-typed: the dashboard bundle and the server may hold different copies of the class). */
function asCommandError(err: unknown): CommandError | null {
  return err instanceof CommandError || (err as Error | undefined)?.name === "CommandError" ? (err as CommandError) : null;
}

/** Requires a running master; maps domain errors to tRPC codes in one place. */
export const masterProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.handle) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "The master is not running in this process" });
  // tRPC turns a throwing resolver into a failed result (the error wrapped as its cause).
  const result = await next({ ctx: { ...ctx, handle: ctx.handle } });
  if (!result.ok) {
    const domain = asCommandError(result.error.cause) ?? asCommandError(result.error);
    if (domain) throw new TRPCError({ code: domain.code, message: domain.message, cause: domain });
  }
  return result;
});

/** Operator actions the backend authorizes (the names the timeline records). */
export type OperatorAction =
  | "KILL_TASK"
  | "TEARDOWN"
  | "UPDATE_WEIGHTS"
  | "UPDATE_QUOTA"
  | "DRAIN_AGENT"
  | "DEACTIVATE_AGENT"
  | "REACTIVATE_AGENT"
  | "MARK_AGENT_GONE"
  | "UPDATE_MAINTENANCE_SCHEDULE"
  | "START_MAINTENANCE"
  | "STOP_MAINTENANCE";

/** The ACL action behind each dashboard action (server/security/acls.ts). */
export const ACL_OF: Record<OperatorAction, AclAction> = {
  KILL_TASK: "kill_tasks",
  TEARDOWN: "teardown_frameworks",
  UPDATE_WEIGHTS: "update_weights",
  UPDATE_QUOTA: "update_quotas",
  DRAIN_AGENT: "drain_agents",
  DEACTIVATE_AGENT: "deactivate_agents",
  REACTIVATE_AGENT: "reactivate_agents",
  MARK_AGENT_GONE: "mark_agents_gone",
  UPDATE_MAINTENANCE_SCHEDULE: "update_maintenance_schedules",
  START_MAINTENANCE: "start_maintenances",
  STOP_MAINTENANCE: "stop_maintenances",
};

/**
 * The one place operator authorization happens for the dashboard: the local authorizer (--acls)
 * decides for the context's principal, on each of `objects` (none = any object). A refusal is
 * recorded in the timeline (who, what, denied) and answered FORBIDDEN.
 */
export function authorize(ctx: Context, action: OperatorAction, objects: (string | undefined)[] = []): void {
  const security = ctx.security;
  const acl = ACL_OF[action];
  const targets = objects.filter((o): o is string => o !== undefined);
  const denied = targets.length === 0 ? (security.authorize(ctx.authenticated, acl) ? null : "") : targets.find((o) => !security.authorize(ctx.authenticated, acl, o));
  if (denied === null || denied === undefined) return;
  if (ctx.handle) auditDenied(ctx.handle.master, action, ctx.authenticated, denied ? `on '${denied}'` : "");
  throw new TRPCError({ code: "FORBIDDEN", message: `Principal '${ctx.principal}' is not authorized to ${acl}${denied ? ` on '${denied}'` : ""}` });
}

/** The operator's reason for a change; recorded in the timeline with the action. */
export const Reason = z.string().trim().min(3, "Give a reason (at least 3 characters)").max(500);

/**
 * Every mutating procedure: requires a running master, refuses cross-site requests, takes the
 * operator's `reason` and runs the authorization hook for the action named in its metadata.
 */
export const operatorProcedure = masterProcedure
  .input(z.object({ reason: Reason }))
  .use(async ({ ctx, next, type }) => {
    if (type !== "mutation") throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "operatorProcedure is for mutations only" });
    if (ctx.request) {
      await refreshPeers(ctx.handle);
      const problem = csrfProblem(ctx.request, isPeerMaster);
      if (problem) throw new TRPCError({ code: "FORBIDDEN", message: problem });
    }
    return next();
  });

/** What the context's principal may see (undefined: no ACLs, everything). */
export function visibilityOf(ctx: Context & { handle: MasterHandle }): DashboardVisibility | undefined {
  return dashboardVisibility(ctx.security, ctx.authenticated, ctx.handle.master);
}

/** Runs the authorization hook (on the given ACL objects), then the command; one line per router procedure. */
export function asOperator<T>(ctx: Context, action: OperatorAction, run: () => T, objects: (string | undefined)[] = []): T {
  authorize(ctx, action, objects);
  return run();
}
