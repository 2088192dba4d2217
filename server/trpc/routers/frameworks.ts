// Frameworks: list, detail and the operator's teardown.
import { z } from "zod";
import { asOperator, masterProcedure, operatorProcedure, router } from "../init";

const FrameworkId = z.string().min(1).max(512);

export const frameworksRouter = router({
  list: masterProcedure.query(({ ctx }) => ctx.handle.frameworks()),
  detail: masterProcedure.input(z.object({ id: FrameworkId })).query(({ ctx, input }) => ctx.handle.frameworkDetail(input.id)),
  /** Kills every task of the framework and removes it (Mesos TEARDOWN). */
  teardown: operatorProcedure
    .input(z.object({ id: FrameworkId }))
    .mutation(({ ctx, input }) => asOperator(ctx, "TEARDOWN", () => ctx.handle.teardownFramework(input.id, ctx.principal, input.reason), [
      ctx.handle.master.frameworks.get(input.id)?.info.principal,
    ])),
});
