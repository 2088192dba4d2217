// The master's public handle: the one surface the dashboard's tRPC routers (and the operator
// layer) use. Read views are plain objects; commands go through the same handlers as the Mesos
// APIs; `subscribe` streams domain events.
import type { MasterEvent } from "./events";
import type { Master } from "./master";
import type { TimelineEntry } from "./timeline";
import type { MetricSample } from "./metrics";
import { agentView, allTasks, clusterOverview, frameworkView, rolesView, taskView, type AgentView, type ClusterOverview, type FrameworkView, type RoleView, type TaskView } from "./views";
import { kill } from "./tasks";
import type { TaskState } from "../protocol/mesos";
import { CommandError } from "./errors";

export { CommandError };

export interface TaskQuery {
  state?: TaskState;
  frameworkId?: string;
  agentId?: string;
  text?: string;
  limit?: number;
  offset?: number;
}


export class MasterHandle {
  constructor(readonly master: Master) {}

  overview(): ClusterOverview {
    return clusterOverview(this.master);
  }

  agents(): AgentView[] {
    const m = this.master;
    const views = [...m.agents.values()].map((a) => agentView(m, a));
    for (const u of m.unreachableAgents.values()) {
      const empty = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };
      views.push({ id: u.id, hostname: u.info.hostname, endpoint: "", connection: "unreachable", deactivated: false, registeredTime: u.since, attributes: {}, total: empty, allocated: empty, offered: empty, taskCount: 0, version: "" });
    }
    return views;
  }

  frameworks(): FrameworkView[] {
    const m = this.master;
    return [
      ...[...m.frameworks.values()].map((f) => frameworkView(m, f)),
      ...m.completedFrameworks.map((c) => frameworkView(m, c.framework, true)),
    ];
  }

  /** Roles: weights, quota (with consumption), allocated/offered/reserved, dominant shares. */
  roles(): RoleView[] {
    return rolesView(this.master);
  }

  tasks(query: TaskQuery = {}): { total: number; tasks: TaskView[] } {
    const text = query.text?.toLowerCase();
    const matching = allTasks(this.master).filter(
      (t) =>
        (!query.state || t.state === query.state) &&
        (!query.frameworkId || t.frameworkId === query.frameworkId) &&
        (!query.agentId || t.agentId === query.agentId) &&
        (!text || t.info.task_id.value.toLowerCase().includes(text) || t.info.name.toLowerCase().includes(text)),
    );
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    return { total: matching.length, tasks: matching.slice(offset, offset + limit).map(taskView) };
  }

  timeline(opts: { afterSeq?: number; limit?: number } = {}): TimelineEntry[] {
    return this.master.timeline.list(opts);
  }

  subscribe(listener: (event: MasterEvent) => void): () => void {
    return this.master.events.subscribe(listener);
  }

  /** Periodic cluster samples (totals/allocated/offered per resource, task counts), oldest first. */
  metricsHistory(opts: { sinceMs?: number } = {}): MetricSample[] {
    return this.master.metricsHistory.since(opts.sinceMs);
  }

  /**
   * Plateau extension: kill one task on behalf of an operator. Goes through the same path as a
   * framework's KILL; the request and its result are recorded in the timeline with who asked
   * ("anonymous" until authentication exists).
   */
  killTask(frameworkId: string, taskId: string, principal = "anonymous"): void {
    const m = this.master;
    const audit = (result: "ok" | "error", summary: string, agentId?: string) =>
      m.timeline.add({ time: m.clock.now(), kind: "operator", action: "KILL_TASK", summary, principal, frameworkId, taskId, agentId, result });
    const framework = m.frameworks.get(frameworkId);
    const task = framework?.tasks.get(taskId);
    if (!framework || !task) {
      const message = !framework ? `Framework ${frameworkId} not found` : `Task ${taskId} of framework ${frameworkId} is not active`;
      audit("error", `Kill of task ${taskId} requested by ${principal} rejected: ${message}`);
      throw new CommandError("NOT_FOUND", message);
    }
    kill(m, framework, { task_id: { value: taskId } });
    audit("ok", `Kill of task ${taskId} (${task.info.name}) requested by ${principal}`, task.agentId);
  }
}
