// Resource usage of the agent's containers: /monitor/statistics (legacy JSON array of
// `{framework_id, executor_id, executor_name, source, statistics}`), /containers, and the v1
// GET_CONTAINERS call. Statistics come from the containerizer (cgroups files, or /proc for
// posix isolation).
import type { Containerizer, ResourceStatistics } from "./containerizer/types";
import type { AgentState, ExecutorRecord } from "./state";

export interface ContainerUsage {
  executor: ExecutorRecord;
  statistics: ResourceStatistics;
}

/** Usage of every running executor container (one at a time: a cgroup read is cheap but not free). */
export async function containerUsage(state: AgentState, containerizer: Containerizer): Promise<ContainerUsage[]> {
  const out: ContainerUsage[] = [];
  for (const framework of state.frameworks.values()) {
    for (const executor of framework.executors.values()) {
      if (executor.phase !== "running") continue;
      const statistics = await containerizer.usage(executor.containerId);
      if (statistics !== undefined) out.push({ executor, statistics });
    }
  }
  return out;
}

export function monitorStatisticsJson(usage: ContainerUsage[]): Record<string, unknown>[] {
  return usage.map(({ executor, statistics }) => ({
    framework_id: executor.frameworkId,
    executor_id: executor.executorId,
    executor_name: executor.info.name ?? "",
    source: executor.info.source ?? "",
    statistics,
  }));
}

/** `/containers` entries (Mesos agent endpoint) and v1 GET_CONTAINERS entries share this shape. */
export function containersJson(usage: ContainerUsage[], v1: boolean): Record<string, unknown>[] {
  return usage.map(({ executor, statistics }) => {
    const base = v1
      ? { framework_id: { value: executor.frameworkId }, executor_id: { value: executor.executorId }, container_id: { value: executor.containerId } }
      : { framework_id: executor.frameworkId, executor_id: executor.executorId, container_id: executor.containerId };
    return {
      ...base,
      executor_name: executor.info.name ?? "",
      ...(v1 ? { resource_statistics: statistics } : { source: executor.info.source ?? "", statistics }),
      ...(executor.pid !== undefined ? { [v1 ? "container_status" : "status"]: { executor_pid: executor.pid } } : {}),
    };
  });
}
