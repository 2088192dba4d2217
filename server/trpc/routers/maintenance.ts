// Maintenance: the schedule (windows per machine), machine modes (UP/DRAINING/DOWN) and the
// frameworks' inverse-offer responses. The master gains these with issue #7; until then this
// router reports that maintenance is not available in this build (never invented data).
import { masterProcedure, router } from "../init";
import type { MasterHandle } from "../../master/handle";

/** What the maintenance page needs from the handle once maintenance exists (duck-typed). */
export interface MaintenanceCapable {
  maintenanceStatus(): unknown;
  inverseOffers?(): unknown[];
}

export function maintenanceOf(handle: MasterHandle): MaintenanceCapable | null {
  const h = handle as unknown as Partial<MaintenanceCapable>;
  return typeof h.maintenanceStatus === "function" ? (h as MaintenanceCapable) : null;
}

export const maintenanceRouter = router({
  status: masterProcedure.query(({ ctx }) => {
    const m = maintenanceOf(ctx.handle);
    return m ? { available: true as const, status: m.maintenanceStatus() } : { available: false as const };
  }),
});
