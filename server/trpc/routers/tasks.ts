// Tasks: the cluster-wide server-side paginated list, one task's detail, and kills (single and
// bulk). Kills go through the same path as a framework's KILL and are audited in the timeline.
import { z } from "zod";
import { TASK_STATES, isTerminalState } from "../../protocol/mesos";
import { TASK_SORTS } from "../../master/dashboard-views";
import type { MasterHandle } from "../../master/handle";
import { TRPCError } from "@trpc/server";
import { taskUser } from "../../security/operator-authz";
import { asOperator, masterProcedure, operatorProcedure, router, visibilityOf } from "../init";

export const TaskListInput = z.object({
  state: z.enum([...TASK_STATES, "active", "terminal"]).optional(),
  frameworkId: z.string().max(512).optional(),
  agentId: z.string().max(512).optional(),
  text: z.string().max(256).optional(),
  sort: z.enum(TASK_SORTS).default("updated"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type TaskListInput = z.input<typeof TaskListInput>;

const TaskRef = z.object({ frameworkId: z.string().min(1).max(512), taskId: z.string().min(1).max(512) });

export interface KillResult {
  frameworkId: string;
  taskId: string;
  ok: boolean;
  error?: string;
}

function killOne(handle: MasterHandle, ref: z.infer<typeof TaskRef>, principal: string, reason: string): KillResult {
  const task = handle.taskDetail(ref.frameworkId, ref.taskId);
  if (task && isTerminalState(task.state)) return { ...ref, ok: false, error: `Task ${ref.taskId} is already ${task.state}` };
  try {
    handle.killTask(ref.frameworkId, ref.taskId, principal, reason);
    return { ...ref, ok: true };
  } catch (err) {
    return { ...ref, ok: false, error: (err as Error).message };
  }
}

export const tasksRouter = router({
  list: masterProcedure.input(TaskListInput).query(({ ctx, input }) => ctx.handle.taskPage({ ...input, visible: visibilityOf(ctx) })),
  detail: masterProcedure.input(TaskRef).query(({ ctx, input }) => {
    const vis = visibilityOf(ctx);
    return vis && !vis.taskRef(input.frameworkId, input.taskId) ? null : ctx.handle.taskDetail(input.frameworkId, input.taskId);
  }),
  kill: operatorProcedure.input(TaskRef).mutation(({ ctx, input }) =>
    asOperator(ctx, "KILL_TASK", () => {
      const task = ctx.handle.taskDetail(input.frameworkId, input.taskId);
      if (task && isTerminalState(task.state)) throw new TRPCError({ code: "CONFLICT", message: `Task ${input.taskId} is already ${task.state}` });
      ctx.handle.killTask(input.frameworkId, input.taskId, ctx.principal, input.reason);
      return { ok: true };
    }, [taskUser(ctx.handle.master, input.frameworkId, input.taskId)]),
  ),
  /** Kills up to 500 tasks; answers per task (a task that cannot be killed does not stop the rest). */
  killMany: operatorProcedure
    .input(z.object({ tasks: z.array(TaskRef).min(1).max(500) }))
    .mutation(({ ctx, input }) => asOperator(ctx, "KILL_TASK", () => input.tasks.map((ref) => killOne(ctx.handle, ref, ctx.principal, input.reason)), input.tasks.map((ref) => taskUser(ctx.handle.master, ref.frameworkId, ref.taskId)))),
});
