// Agents: the server-side paginated list and one agent's detail. Agent controls (drain,
// deactivate/reactivate, mark gone) plug in here when the master has them (issue #7).
import { z } from "zod";
import { AGENT_SORTS, AGENT_STATES } from "../../master/dashboard-views";
import { masterProcedure, router } from "../init";

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

export const agentsRouter = router({
  list: masterProcedure.input(AgentListInput).query(({ ctx, input }) => ctx.handle.agentPage(input)),
  detail: masterProcedure.input(z.object({ id: z.string().min(1).max(512) })).query(({ ctx, input }) => ctx.handle.agentDetail(input.id)),
});
