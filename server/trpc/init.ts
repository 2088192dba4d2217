// tRPC setup for the dashboard, in numbered sections (create-t3-app style).
import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import type { MasterHandle } from "../master/handle";
import { CommandError } from "../master/errors";

// 1. Context -----------------------------------------------------------------------------------
// The master handle lives in the same process; the dashboard server components and the /trpc
// HTTP handler both find it through the process-wide registry below.

export interface Context {
  handle: MasterHandle | null;
  /** Who is asking (operator identity; "anonymous" until dashboard login exists). */
  principal: string;
}

const HANDLE_KEY = Symbol.for("plateau.masterHandle");

export function setMasterHandle(handle: MasterHandle | null): void {
  (globalThis as Record<symbol, unknown>)[HANDLE_KEY] = handle;
}

export function getMasterHandle(): MasterHandle | null {
  return ((globalThis as Record<symbol, unknown>)[HANDLE_KEY] as MasterHandle | undefined) ?? null;
}

export function createContext(): Context {
  return { handle: getMasterHandle(), principal: "anonymous" };
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

/** Requires a running master; maps domain errors to tRPC codes in one place. */
export const masterProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.handle) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "The master is not running in this process" });
  try {
    return await next({ ctx: { ...ctx, handle: ctx.handle } });
  } catch (err) {
    // Duck-typed: the dashboard bundle and the server may hold different copies of the class.
    if (err instanceof CommandError || (err as Error)?.name === "CommandError") {
      const e = err as CommandError;
      throw new TRPCError({ code: e.code, message: e.message });
    }
    throw err;
  }
});
