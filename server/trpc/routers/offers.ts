// Outstanding offers and inverse offers, with their age.
import { masterProcedure, router } from "../init";
import { maintenanceOf } from "./maintenance";

export const offersRouter = router({
  list: masterProcedure.query(({ ctx }) => ({
    now: Date.now(),
    offers: ctx.handle.offers(),
    /** null: this master is not leading (no maintenance service). */
    inverseOffers: maintenanceOf(ctx.handle)?.inverseOfferRows() ?? null,
  })),
});
