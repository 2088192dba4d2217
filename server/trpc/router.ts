// The dashboard's root router: thin procedures over the master handle.
import { z } from "zod";
import { TASK_STATES } from "../protocol/mesos";
import { masterProcedure, router } from "./init";
import type { MasterEvent } from "../master/events";

/** What the browser needs to know to refresh: which kinds of data changed. */
export interface ChangeNotice {
  kinds: ("tasks" | "agents" | "frameworks" | "offers" | "timeline")[];
  at: number;
}

function kindOf(event: MasterEvent): ChangeNotice["kinds"][number] {
  switch (event.type) {
    case "TASK_ADDED":
    case "TASK_UPDATED":
      return "tasks";
    case "AGENT_ADDED":
    case "AGENT_UPDATED":
    case "AGENT_REMOVED":
      return "agents";
    case "FRAMEWORK_ADDED":
    case "FRAMEWORK_UPDATED":
    case "FRAMEWORK_REMOVED":
      return "frameworks";
    case "OFFERS_CHANGED":
      return "offers";
  }
}

const BATCH_MS = 150;

export const appRouter = router({
  cluster: router({
    overview: masterProcedure.query(({ ctx }) => ctx.handle.overview()),
    agents: masterProcedure.query(({ ctx }) => ctx.handle.agents()),
    frameworks: masterProcedure.query(({ ctx }) => ctx.handle.frameworks()),
    tasks: masterProcedure
      .input(
        z.object({
          state: z.enum(TASK_STATES).optional(),
          frameworkId: z.string().max(512).optional(),
          agentId: z.string().max(512).optional(),
          text: z.string().max(256).optional(),
          limit: z.number().int().min(1).max(1000).default(100),
          offset: z.number().int().min(0).default(0),
        }),
      )
      .query(({ ctx, input }) => ctx.handle.tasks(input)),
    timeline: masterProcedure
      .input(z.object({ limit: z.number().int().min(1).max(1000).default(50) }))
      .query(({ ctx, input }) => ctx.handle.timeline({ limit: input.limit })),
    /** Live change notices (SSE), batched so a burst of task updates is one message. */
    changes: masterProcedure.subscription(async function* ({ ctx, signal }) {
      const pending = new Set<ChangeNotice["kinds"][number]>();
      let wake: (() => void) | null = null;
      const unsubscribe = ctx.handle.subscribe((event) => {
        pending.add(kindOf(event));
        pending.add("timeline");
        wake?.();
      });
      try {
        while (!signal?.aborted) {
          if (pending.size === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              signal?.addEventListener("abort", () => resolve(), { once: true });
            });
            wake = null;
            continue;
          }
          await new Promise((r) => setTimeout(r, BATCH_MS));
          const notice: ChangeNotice = { kinds: [...pending], at: Date.now() };
          pending.clear();
          yield notice;
        }
      } finally {
        unsubscribe();
      }
    }),
  }),
});

export type AppRouter = typeof appRouter;
