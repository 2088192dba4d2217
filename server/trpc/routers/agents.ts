// Agents: the server-side paginated list, one agent's detail, and the agent controls (drain,
// deactivate/reactivate, mark gone), which go through the master handle's maintenance service.
import { z } from "zod";
import { AGENT_SORTS, AGENT_STATES } from "../../master/dashboard-views";
import { asOperator, masterProcedure, operatorProcedure, router } from "../init";
import { maintenanceService } from "./maintenance";

export const AgentListInput = z.object({
  state: z.enum([...AGENT_STATES, "deactivated", "draining"]).optional(),
  role: z.string().max(256).optional(),
  attribute: z.string().max(512).optional(),
  text: z.string().max(256).optional(),
  sort: z.enum(AGENT_SORTS).default("hostname"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type AgentListInput = z.input<typeof AgentListInput>;

const AgentId = z.string().min(1).max(512);

export const agentsRouter = router({
  list: masterProcedure.input(AgentListInput).query(({ ctx, input }) => ctx.handle.agentPage(input)),
  detail: masterProcedure.input(z.object({ id: AgentId })).query(({ ctx, input }) => ctx.handle.agentDetail(input.id)),
  /** DRAIN_AGENT: no more offers, tasks killed with min(their grace period, maxGracePeriodSeconds), then DRAINED (or gone). */
  drain: operatorProcedure
    .input(z.object({ id: AgentId, maxGracePeriodSeconds: z.number().min(0).max(365 * 86400).optional(), markGone: z.boolean().default(false) }))
    .mutation(({ ctx, input }) =>
      asOperator(ctx, input.markGone ? "MARK_AGENT_GONE" : "DRAIN_AGENT", () => {
        authorizeAlso(ctx, input.markGone);
        return maintenanceService(ctx.handle).drainAgent(
          input.id,
          { maxGracePeriodNs: input.maxGracePeriodSeconds !== undefined ? Math.round(input.maxGracePeriodSeconds * 1e9) : undefined, markGone: input.markGone },
          { principal: ctx.principal, reason: input.reason },
        );
      }),
    ),
  deactivate: operatorProcedure
    .input(z.object({ id: AgentId }))
    .mutation(({ ctx, input }) => asOperator(ctx, "DEACTIVATE_AGENT", () => maintenanceService(ctx.handle).deactivateAgent(input.id, { principal: ctx.principal, reason: input.reason }))),
  reactivate: operatorProcedure
    .input(z.object({ id: AgentId }))
    .mutation(({ ctx, input }) => asOperator(ctx, "REACTIVATE_AGENT", () => maintenanceService(ctx.handle).reactivateAgent(input.id, { principal: ctx.principal, reason: input.reason }))),
  markGone: operatorProcedure
    .input(z.object({ id: AgentId }))
    .mutation(({ ctx, input }) => asOperator(ctx, "MARK_AGENT_GONE", () => maintenanceService(ctx.handle).markAgentGone(input.id, { principal: ctx.principal, reason: input.reason }))),
});

/** A drain with mark_gone needs both permissions (Mesos: DRAIN_AGENT and MARK_AGENT_GONE). */
function authorizeAlso(ctx: Parameters<typeof asOperator>[0], markGone: boolean): void {
  if (markGone) asOperator(ctx, "DRAIN_AGENT", () => undefined);
}
