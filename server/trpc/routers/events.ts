// The cluster timeline: task changes, agents lost/returned, elections, operator actions (who,
// what, why, result), filtered on the master and paged backwards by sequence number.
import { z } from "zod";
import { masterProcedure, router, visibilityOf } from "../init";

export const TIMELINE_KINDS = ["task", "agent", "framework", "operator", "election", "maintenance"] as const;

export const EventListInput = z.object({
  kinds: z.array(z.enum(TIMELINE_KINDS)).max(6).optional(),
  text: z.string().max(256).optional(),
  principal: z.string().max(256).optional(),
  agentId: z.string().max(512).optional(),
  frameworkId: z.string().max(512).optional(),
  taskId: z.string().max(512).optional(),
  beforeSeq: z.number().int().optional(),
  sinceMs: z.number().optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  /** Paging cursor (TanStack infinite queries): same as beforeSeq. */
  cursor: z.number().int().nullish(),
});
export type EventListInput = z.input<typeof EventListInput>;

/** Most entries one export returns (newest first, like the list). */
export const EXPORT_MAX = 10_000;

export const eventsRouter = router({
  // With view ACLs, entries about frameworks (and their tasks) the principal may not view are left
  // out of each page (a page can then hold fewer entries than asked for).
  list: masterProcedure.input(EventListInput).query(({ ctx, input }) => {
    const page = ctx.handle.timelinePage({ ...input, beforeSeq: input.cursor ?? input.beforeSeq });
    const vis = visibilityOf(ctx);
    return vis ? { ...page, entries: page.entries.filter((e) => e.frameworkId === undefined || vis.framework(e.frameworkId)) } : page;
  }),
  /**
   * The audit export: every entry matching the filters (default: operator actions — who, what,
   * target, result, time, reason), newest first, up to EXPORT_MAX. Reachable as
   * GET /trpc/events.export?input=… with the same credentials as everything else.
   */
  export: masterProcedure
    .input(EventListInput.omit({ cursor: true, limit: true }).extend({ kinds: z.array(z.enum(TIMELINE_KINDS)).max(6).default(["operator"]) }))
    .query(({ ctx, input }) => {
      const entries = [];
      let beforeSeq = input.beforeSeq;
      for (;;) {
        const page = ctx.handle.timelinePage({ ...input, beforeSeq, limit: 1000 });
        entries.push(...page.entries);
        if (!page.hasMore || entries.length >= EXPORT_MAX || page.entries.length === 0) break;
        beforeSeq = page.entries.at(-1)!.seq;
      }
      const vis = visibilityOf(ctx);
      const visible = vis ? entries.filter((e) => e.frameworkId === undefined || vis.framework(e.frameworkId)) : entries;
      return { exportedAt: Date.now(), entries: visible.slice(0, EXPORT_MAX) };
    }),
});
