// Roles: weights, quota (guarantee/limit vs consumption), allocation, reservations and DRF
// shares; operators update weights and quota.
import { z } from "zod";
import { asOperator, masterProcedure, operatorProcedure, router } from "../init";

const Role = z.string().min(1).max(256);
const Amounts = z.record(z.string().min(1).max(64), z.number().min(0).finite());

export const rolesRouter = router({
  list: masterProcedure.query(({ ctx }) => {
    const security = ctx.security;
    const all = ctx.handle.roles();
    return security.aclsConfigured ? all.filter((r) => security.authorize(ctx.authenticated, "view_roles", r.name)) : all;
  }),
  updateWeights: operatorProcedure
    .input(z.object({ weights: z.array(z.object({ role: Role, weight: z.number().finite() })).min(1).max(100) }))
    .mutation(({ ctx, input }) => asOperator(ctx, "UPDATE_WEIGHTS", () => ctx.handle.updateWeights(input.weights, ctx.principal, input.reason), input.weights.map((w) => w.role))),
  updateQuota: operatorProcedure
    .input(z.object({ role: Role, guarantees: Amounts, limits: Amounts, force: z.boolean().default(false) }))
    .mutation(({ ctx, input }) =>
      asOperator(ctx, "UPDATE_QUOTA", () =>
        ctx.handle.updateQuota([{ role: input.role, guarantees: input.guarantees, limits: input.limits }], ctx.principal, input.reason, input.force),
        [input.role],
      ),
    ),
});
