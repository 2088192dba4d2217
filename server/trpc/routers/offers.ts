// Outstanding offers (and inverse offers once maintenance exists, issue #7), with their age.
import { masterProcedure, router } from "../init";
import { maintenanceOf } from "./maintenance";

export const offersRouter = router({
  list: masterProcedure.query(({ ctx }) => ({
    now: Date.now(),
    offers: ctx.handle.offers(),
    /** null: inverse offers do not exist in this build. */
    inverseOffers: maintenanceOf(ctx.handle)?.inverseOffers?.() ?? null,
  })),
});
