// High availability as this master sees it: its role, the leader, the contenders, the ZooKeeper
// session and the election history (with the gaps without a leader). `leader` is the cheap probe
// the browser uses to find the leader after a failover (answered by every master).
import { masterAddress } from "../../ha/types";
import { masterProcedure, router } from "../init";

export const haRouter = router({
  status: masterProcedure.query(async ({ ctx }) => ({ now: Date.now(), status: await ctx.handle.highAvailability() })),

  leader: masterProcedure.query(async ({ ctx }) => {
    const m = ctx.handle.master;
    const ha = await ctx.handle.highAvailability().catch(() => null);
    const self = `${m.config.ip}:${m.config.port}`;
    const masters = new Set<string>([self]);
    for (const c of ha?.contenders ?? []) if (c.info) masters.add(masterAddress(c.info));
    const leader = ha?.leader ? masterAddress(ha.leader) : m.isLeading ? self : null;
    return { leading: m.isLeading, self, leader, masters: [...masters] };
  }),
});
