// Outstanding offers (and inverse offers once maintenance exists, issue #7), with their age.
import { masterProcedure, router, visibilityOf } from "../init";
import { maintenanceOf } from "./maintenance";

export const offersRouter = router({
  list: masterProcedure.query(({ ctx }) => {
    const vis = visibilityOf(ctx);
    const offers = ctx.handle.offers();
    return {
    now: Date.now(),
    offers: vis ? offers.filter((o) => vis.framework(o.frameworkId)) : offers,
    /** null: inverse offers do not exist in this build. */
    inverseOffers: maintenanceOf(ctx.handle)?.inverseOffers?.() ?? null,
    };
  }),
});
