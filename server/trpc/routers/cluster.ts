// Cluster-wide reads: the overview figures, this master's identity, the metric history for the
// charts, the command palette's search, and the live change feed (SSE).
import { z } from "zod";
import { masterProcedure, router, visibilityOf } from "../init";
import { changeNotices } from "../changes";

export interface MasterSummary {
  masterId: string;
  hostname: string;
  /** ip:port the master listens on. */
  address: string;
  version: string;
  leading: boolean;
  startTime: number;
  electedTime?: number;
}

export const clusterRouter = router({
  overview: masterProcedure.query(({ ctx }) => ctx.handle.overview()),

  master: masterProcedure.query(({ ctx }): MasterSummary => {
    const m = ctx.handle.master;
    return {
      masterId: m.id,
      hostname: m.info.hostname,
      address: `${m.config.ip}:${m.config.port}`,
      version: m.info.version,
      leading: m.isLeading,
      startTime: m.startTime,
      electedTime: m.electedTime,
    };
  }),

  /** Metric samples of the last `windowMs` (downsampled to at most `maxPoints`), oldest first. */
  metrics: masterProcedure
    .input(z.object({ windowMs: z.number().int().min(60_000).max(7 * 86_400_000).default(3_600_000), maxPoints: z.number().int().min(10).max(2000).default(360) }))
    .query(({ ctx, input }) => ({
      now: Date.now(),
      samples: ctx.handle.metricsSeries({ sinceMs: Date.now() - input.windowMs, maxPoints: input.maxPoints }),
    })),

  search: masterProcedure
    .input(z.object({ q: z.string().max(200), limit: z.number().int().min(1).max(20).default(6) }))
    .query(({ ctx, input }) => {
      const hits = ctx.handle.search(input.q, input.limit);
      const vis = visibilityOf(ctx);
      if (!vis) return hits;
      return hits.filter((h) => (h.kind === "framework" ? vis.framework(h.id) : h.kind === "task" ? vis.taskRef(h.frameworkId!, h.id) : true));
    }),

  /** Live change notices (SSE): at most one per 150 ms, a heartbeat every 5 s. */
  changes: masterProcedure.subscription(async function* ({ ctx, signal }) {
    // With view ACLs, a subscriber learns only about tasks and frameworks it may view.
    for await (const notice of changeNotices(ctx.handle, signal)) {
      const vis = visibilityOf(ctx);
      yield vis
        ? { ...notice, tasks: notice.tasks.filter((t) => vis.taskRef(t.frameworkId, t.id)), frameworks: notice.frameworks.filter((id) => vis.framework(id)) }
        : notice;
    }
  }),
});
