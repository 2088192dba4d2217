// Per-agent maintenance on the leading master (ha-maintenance.md §6): DRAIN_AGENT (tasks killed
// with min(their grace, max_grace_period); DRAINING → DRAINED once no task is left; mark_gone),
// DEACTIVATE_AGENT / REACTIVATE_AGENT and MARK_AGENT_GONE, persisted in the agent's registry
// record and recorded in the timeline (audited). Owned by the Maintenance service (./service.ts).
import { isTerminalState, type TaskReason, type TaskState, type TaskStatus } from "../../protocol/mesos";
import { CommandError } from "../errors";
import { isPartitionAware } from "../framework-info";
import type { Master } from "../master";
import { rescindAgentOffers } from "../offers";
import { removeAgent } from "../agents";
import { MarkAgentGone, RegistryOperationError, UpdateAgentFlags } from "../registrar";
import type { Agent, Framework } from "../state";
import { masterStatus, transitionTask } from "../task-lifecycle";
import type { TimelineEntry } from "../timeline";
import type { ActionContext, DrainConfig, DrainInfo } from "./service";

/** Mesos's default kill grace period for tasks without a KillPolicy (built-in executors). */
const DEFAULT_KILL_GRACE_NS = 3_000_000_000;

/** Runs an operator action and records it (with who asked, why and the result) in the timeline. */
export async function audited(m: Master, action: string, who: ActionContext, agentId: string | undefined, run: () => Promise<string>): Promise<void> {
  const entry = (result: TimelineEntry["result"], summary: string) =>
    m.timeline.add({ time: m.clock.now(), kind: "operator", action, summary, principal: who.principal, agentId, result, reason: who.reason });
  try {
    const summary = await run();
    entry("ok", summary);
  } catch (err) {
    const message = err instanceof RegistryOperationError ? err.message : (err as Error).message;
    entry("error", `${action}${agentId ? ` of agent ${agentId}` : ""} requested by ${who.principal} failed: ${message}`);
    if (err instanceof RegistryOperationError) throw new CommandError("BAD_REQUEST", message);
    throw err;
  }
}

export class AgentDrains {
  private readonly markingGone = new Set<string>();
  private readonly completingDrain = new Set<string>();
  /** The link the drain's kills were last sent on (a re-registered agent gets them again). */
  private readonly killsSentOn = new WeakMap<Agent, unknown>();

  constructor(
    private readonly m: Master,
    private readonly log: (line: string) => void,
  ) {}

  /** An agent (re-)registered: a drain in progress sends its kills again over the new link. */
  resume(agent: Agent): void {
    const drain = agent.drainInfo as DrainInfo | undefined;
    if (drain?.state === "DRAINING" && agent.link && agent.connection === "connected" && this.killsSentOn.get(agent) !== agent.link) {
      this.killForDrain(agent, drain.config);
      this.checkDrained(agent.id);
    }
  }

  private known(agentId: string): boolean {
    const m = this.m;
    return m.agents.has(agentId) || m.recoveredAgents.has(agentId) || m.unreachableAgents.has(agentId);
  }

  async drainAgent(agentId: string, opts: { maxGracePeriodNs?: number; markGone?: boolean }, who: ActionContext): Promise<void> {
    await audited(this.m, "DRAIN_AGENT", who, agentId, async () => {
      if (!this.known(agentId)) throw new CommandError("BAD_REQUEST", "Unknown agent");
      if (this.markingGone.has(agentId)) throw new CommandError("CONFLICT", "Agent is currently being marked gone");
      if (opts.maxGracePeriodNs !== undefined && opts.maxGracePeriodNs < 0) throw new CommandError("BAD_REQUEST", "'max_grace_period' must be non-negative");
      const config: DrainConfig = { mark_gone: opts.markGone ?? false, ...(opts.maxGracePeriodNs !== undefined ? { max_grace_period: { nanoseconds: opts.maxGracePeriodNs } } : {}) };
      const drainInfo: DrainInfo = { state: "DRAINING", config };
      await this.m.registrar.apply(UpdateAgentFlags(agentId, { deactivated: true, drainInfo }));
      const agent = this.m.agents.get(agentId);
      let tasks = 0;
      if (agent) {
        agent.drainInfo = drainInfo;
        this.deactivate(agent);
        tasks = this.killForDrain(agent, config);
        this.m.events.publish({ type: "AGENT_UPDATED", agent });
      }
      const grace = config.max_grace_period ? `max grace period ${config.max_grace_period.nanoseconds / 1e9} s` : "tasks' own grace periods";
      const summary = `Drain of agent ${agent?.info.hostname ?? agentId} (${agentId}) requested by ${who.principal}: ${agent ? `${tasks} task${tasks === 1 ? "" : "s"} to kill` : "starts when the agent re-registers"}, ${grace}${config.mark_gone ? ", then marked gone" : ""}`;
      queueMicrotask(() => this.checkDrained(agentId));
      return summary;
    });
  }

  /** Kills every non-terminal task of a draining agent with min(task grace, max_grace_period). */
  private killForDrain(agent: Agent, config: DrainConfig): number {
    const max = config.max_grace_period?.nanoseconds;
    let count = 0;
    for (const [frameworkId, tasks] of agent.tasks) {
      for (const task of tasks.values()) {
        if (isTerminalState(task.state)) continue;
        task.killRequested = true;
        count++;
        const own = task.info.kill_policy?.grace_period?.nanoseconds;
        const kill_policy = max === undefined ? undefined : { grace_period: { nanoseconds: Math.min(own ?? DEFAULT_KILL_GRACE_NS, max) } };
        agent.link?.send({ type: "KILL_TASK", framework_id: { value: frameworkId }, task_id: task.info.task_id, ...(kill_policy ? { kill_policy } : {}) });
      }
    }
    if (agent.link) this.killsSentOn.set(agent, agent.link);
    return count;
  }

  /**
   * A status update from a draining agent: TASK_KILLING/TASK_KILLED carry REASON_AGENT_DRAINING,
   * and with mark_gone a partition-aware framework sees the terminal state as TASK_GONE_BY_OPERATOR.
   */
  drainStatus(agentId: string, framework: Framework, status: TaskStatus): TaskStatus {
    const drain = this.m.agents.get(agentId)?.drainInfo;
    if (drain?.state !== "DRAINING" || (status.state !== "TASK_KILLING" && status.state !== "TASK_KILLED")) return status;
    const out: TaskStatus = { ...status, reason: "REASON_AGENT_DRAINING" };
    if (status.state === "TASK_KILLED" && drain.config.mark_gone && isPartitionAware(framework)) out.state = "TASK_GONE_BY_OPERATOR";
    return out;
  }

  /** DRAINING → DRAINED (or gone) once the agent holds no task (terminal updates acknowledged). */
  checkDrained(agentId: string): void {
    const agent = this.m.agents.get(agentId);
    const drain = agent?.drainInfo as DrainInfo | undefined;
    if (!agent || drain?.state !== "DRAINING" || agent.connection !== "connected" || this.completingDrain.has(agentId)) return;
    for (const tasks of agent.tasks.values()) if (tasks.size > 0) return;
    this.completingDrain.add(agentId);
    const done = async () => {
      if (drain.config.mark_gone) {
        await this.markGone(agentId, "drained and marked gone");
        return;
      }
      const drained: DrainInfo = { state: "DRAINED", config: drain.config };
      await this.m.registrar.apply(UpdateAgentFlags(agentId, { drainInfo: drained }));
      if (this.m.agents.get(agentId) === agent) {
        agent.drainInfo = drained;
        this.m.events.publish({ type: "AGENT_UPDATED", agent });
      }
      this.m.timeline.add({ time: this.m.clock.now(), kind: "maintenance", action: "AGENT_DRAINED", summary: `Agent ${agent.info.hostname} (${agentId}) is DRAINED: no tasks left`, agentId });
    };
    done()
      .catch((err: Error) => this.log(`master] completing the drain of agent ${agentId} failed: ${err.message}`))
      .finally(() => this.completingDrain.delete(agentId));
  }

  private deactivate(agent: Agent): void {
    agent.deactivated = true;
    this.m.allocator.deactivateAgent(agent.id);
    rescindAgentOffers(this.m, agent);
  }

  async deactivateAgent(agentId: string, who: ActionContext): Promise<void> {
    await audited(this.m, "DEACTIVATE_AGENT", who, agentId, async () => {
      if (!this.known(agentId)) throw new CommandError("BAD_REQUEST", "Unknown agent");
      await this.m.registrar.apply(UpdateAgentFlags(agentId, { deactivated: true }));
      const agent = this.m.agents.get(agentId);
      if (agent) {
        this.deactivate(agent);
        this.m.events.publish({ type: "AGENT_UPDATED", agent });
      }
      return `Agent ${agent?.info.hostname ?? agentId} (${agentId}) deactivated by ${who.principal}: no offers from it`;
    });
  }

  async reactivateAgent(agentId: string, who: ActionContext): Promise<void> {
    await audited(this.m, "REACTIVATE_AGENT", who, agentId, async () => {
      const record = this.m.registrar.view().agents.get(agentId);
      if (!record || record.state === "GONE" || !this.known(agentId)) throw new CommandError("BAD_REQUEST", "Unknown agent");
      if ((record.drainInfo as DrainInfo | undefined)?.state === "DRAINING") throw new CommandError("BAD_REQUEST", "Agent is still in the DRAINING state");
      if (!record.deactivated) throw new CommandError("BAD_REQUEST", "Agent is not deactivated");
      await this.m.registrar.apply(UpdateAgentFlags(agentId, { deactivated: false, drainInfo: undefined }));
      const agent = this.m.agents.get(agentId);
      if (agent) {
        agent.deactivated = false;
        agent.drainInfo = undefined;
        if (agent.connection === "connected") this.m.allocator.activateAgent(agentId);
        this.m.events.publish({ type: "AGENT_UPDATED", agent });
        this.m.requestAllocation();
      }
      return `Agent ${agent?.info.hostname ?? agentId} (${agentId}) reactivated by ${who.principal}`;
    });
  }

  async markAgentGone(agentId: string, who: ActionContext): Promise<void> {
    await audited(this.m, "MARK_AGENT_GONE", who, agentId, async () => {
      if (this.m.goneAgents.has(agentId)) return `Agent ${agentId} was already marked gone (requested again by ${who.principal})`;
      if (!this.known(agentId)) throw new CommandError("BAD_REQUEST", "Unknown agent");
      if (this.markingGone.has(agentId)) throw new CommandError("CONFLICT", "Agent is currently being marked gone");
      const hostname = this.m.agents.get(agentId)?.info.hostname;
      await this.markGone(agentId, `marked gone by ${who.principal}`);
      return `Agent ${hostname ?? agentId} (${agentId}) marked gone by ${who.principal}`;
    });
  }

  /** Registry first; then its tasks are GONE_BY_OPERATOR (LOST for non-partition-aware frameworks) and the agent is shut down. */
  private async markGone(agentId: string, why: string): Promise<void> {
    const m = this.m;
    this.markingGone.add(agentId);
    try {
      const now = m.clock.now();
      await m.registrar.apply(MarkAgentGone(agentId, now));
      const agent = m.agents.get(agentId);
      if (agent) {
        for (const [frameworkId, tasks] of [...agent.tasks]) {
          const framework = m.frameworks.get(frameworkId);
          for (const task of [...tasks.values()]) {
            if (isTerminalState(task.state)) continue;
            const aware = !!framework && isPartitionAware(framework);
            const state: TaskState = aware ? "TASK_GONE_BY_OPERATOR" : "TASK_LOST";
            const reason: TaskReason = aware ? "REASON_AGENT_REMOVED_BY_OPERATOR" : "REASON_AGENT_REMOVED";
            const status = masterStatus(m, { taskId: task.info.task_id.value, agentId, executorId: task.executorId }, state, reason, `Agent ${agentId} ${why}`);
            transitionTask(m, task, status);
            if (framework) m.sendStatusUpdate(framework, status);
          }
        }
        agent.link?.send({ type: "SHUTDOWN_AGENT", message: "Agent has been marked gone" });
        removeAgent(m, agent, why);
      }
      m.recoveredAgents.delete(agentId);
      m.unreachableAgents.delete(agentId);
      m.goneAgents.set(agentId, now);
      if (!agent) m.events.publish({ type: "AGENT_REMOVED", agentId, reason: why });
      m.timeline.add({ time: now, kind: "maintenance", action: "AGENT_GONE", summary: `Agent ${agent?.info.hostname ?? agentId} (${agentId}) ${why}`, agentId });
    } finally {
      this.markingGone.delete(agentId);
    }
  }
}
