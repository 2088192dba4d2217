// Outstanding offers and inverse offers, with their age (filtered by the view_frameworks ACL).
import { masterProcedure, router, visibilityOf } from "../init";
import { maintenanceOf } from "./maintenance";

export const offersRouter = router({
  list: masterProcedure.query(({ ctx }) => {
    const vis = visibilityOf(ctx);
    const offers = ctx.handle.offers();
    const inverse = maintenanceOf(ctx.handle)?.inverse.rows() ?? null;
    return {
      now: Date.now(),
      offers: vis ? offers.filter((o) => vis.framework(o.frameworkId)) : offers,
      /** null: this master is not leading (no maintenance service). */
      inverseOffers: vis && inverse ? inverse.filter((o) => vis.framework(o.frameworkId)) : inverse,
    };
  }),
});
