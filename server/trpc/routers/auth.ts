// Who the dashboard user is and what they may do: the header shows the principal (and a logout
// button when authentication is on), the insecure banner, and controls are hidden or disabled
// from `can` (the backend enforces the same ACLs anyway, see ../init.ts authorize()).
import { ACL_OF, masterProcedure, router, type OperatorAction } from "../init";

export const authRouter = router({
  me: masterProcedure.query(({ ctx }) => {
    const security = ctx.security;
    const can = Object.fromEntries(
      (Object.keys(ACL_OF) as OperatorAction[]).map((action) => [action, security.mayEver(ctx.authenticated, ACL_OF[action])]),
    ) as Record<OperatorAction, boolean>;
    return { principal: ctx.principal, authenticated: ctx.authenticated !== undefined, authEnabled: security.authEnabled, insecure: security.insecure, can };
  }),
});
