// Frameworks: list, detail and the operator's teardown.
import { z } from "zod";
import { asOperator, masterProcedure, operatorProcedure, router, visibilityOf } from "../init";

const FrameworkId = z.string().min(1).max(512);

export const frameworksRouter = router({
  list: masterProcedure.query(({ ctx }) => {
    const vis = visibilityOf(ctx);
    const all = ctx.handle.frameworks();
    return vis ? all.filter((f) => vis.frameworkUser(f.user)) : all;
  }),
  detail: masterProcedure.input(z.object({ id: FrameworkId })).query(({ ctx, input }) => {
    const d = ctx.handle.frameworkDetail(input.id);
    const vis = visibilityOf(ctx);
    return d && vis && !vis.frameworkUser(d.user) ? null : d;
  }),
  /** Kills every task of the framework and removes it (Mesos TEARDOWN). */
  teardown: operatorProcedure
    .input(z.object({ id: FrameworkId }))
    .mutation(({ ctx, input }) => asOperator(ctx, "TEARDOWN", () => ctx.handle.teardownFramework(input.id, ctx.principal, input.reason), [
      ctx.handle.master.frameworks.get(input.id)?.info.principal,
    ])),
});
