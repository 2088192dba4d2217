// Maintenance: the schedule (windows of machines), machine modes (UP/DRAINING/DOWN), the
// frameworks' inverse-offer answers; create/edit/remove windows, take machines down and up.
// Every mutation goes through the master handle (audited in the timeline with who asked and why).
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { asOperator, masterProcedure, operatorProcedure, router } from "../init";
import type { MasterHandle } from "../../master/handle";
import type { Maintenance } from "../../master/maintenance/service";
import type { Schedule } from "../../master/maintenance/machines";

/** The master's maintenance service; absent while the master is not leading. */
export function maintenanceOf(handle: MasterHandle): Maintenance | null {
  return handle.maintenance;
}

function need(handle: MasterHandle): Maintenance {
  const m = handle.maintenance;
  if (!m) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Maintenance is not available: this master is not leading" });
  return m;
}

export const MachineInput = z
  .object({ hostname: z.string().trim().max(255).optional(), ip: z.string().trim().max(64).optional() })
  .transform((m) => ({ ...(m.hostname ? { hostname: m.hostname } : {}), ...(m.ip ? { ip: m.ip } : {}) }));

export const WindowInput = z.object({
  machines: z.array(MachineInput).min(1, "A window needs at least one machine").max(10_000),
  startMs: z.number().int().min(0),
  /** Absent: open-ended. */
  durationMs: z.number().int().min(0).optional(),
});

const MS_TO_NS = 1e6;

function toSchedule(windows: z.infer<typeof WindowInput>[]): Schedule {
  return {
    windows: windows.map((w) => ({
      machine_ids: w.machines,
      unavailability: { start: { nanoseconds: w.startMs * MS_TO_NS }, ...(w.durationMs !== undefined ? { duration: { nanoseconds: w.durationMs * MS_TO_NS } } : {}) },
    })),
  };
}

export const maintenanceRouter = router({
  status: masterProcedure.query(({ ctx }) => {
    const m = maintenanceOf(ctx.handle);
    return m ? { available: true as const, view: m.dashboardView(), status: m.status() } : { available: false as const };
  }),
  /** Replaces the whole schedule (the page sends the current windows with its edit applied). */
  updateSchedule: operatorProcedure
    .input(z.object({ windows: z.array(WindowInput).max(10_000) }))
    .mutation(({ ctx, input }) =>
      asOperator(ctx, "UPDATE_MAINTENANCE_SCHEDULE", () => need(ctx.handle).updateSchedule(toSchedule(input.windows), { principal: ctx.principal, reason: input.reason })),
    ),
  machinesDown: operatorProcedure
    .input(z.object({ machines: z.array(MachineInput).min(1).max(10_000) }))
    .mutation(({ ctx, input }) => asOperator(ctx, "START_MAINTENANCE", () => need(ctx.handle).startMaintenance(input.machines, { principal: ctx.principal, reason: input.reason }))),
  machinesUp: operatorProcedure
    .input(z.object({ machines: z.array(MachineInput).min(1).max(10_000) }))
    .mutation(({ ctx, input }) => asOperator(ctx, "STOP_MAINTENANCE", () => need(ctx.handle).stopMaintenance(input.machines, { principal: ctx.principal, reason: input.reason }))),
});

export { need as maintenanceService };
