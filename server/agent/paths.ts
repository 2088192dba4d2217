// The agent's work_dir layout, as Mesos lays it out (src/slave/paths.hpp; agent-executor.md §3).
// Pure functions of (work_dir, ids) → absolute paths. Every id is checked with Mesos's id rules
// before it becomes a path component, so a hostile id can never escape the work_dir.
//
//   <work_dir>/slaves/latest -> <agent_id>
//   <work_dir>/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/latest -> <container_id>
//   <work_dir>/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/<container_id>/   (the sandbox)
//   <work_dir>/meta/boot_id
//   <work_dir>/meta/slaves/latest -> <agent_id>
//   <work_dir>/meta/slaves/<agent>/slave.info
//   <work_dir>/meta/slaves/<agent>/task.updates      (status update journal of ALL tasks; journal.ts)
//   <work_dir>/meta/slaves/<agent>/frameworks/<fw>/framework.info
//   <work_dir>/meta/slaves/<agent>/frameworks/<fw>/executors/<ex>/executor.info
//   <work_dir>/meta/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/<cid>/pids/forked.pid
//   <work_dir>/meta/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/<cid>/tasks/<task>/task.info
//
// Plateau additions inside a run's meta dir (written by the task wrapper, see
// containerizer/wrapper.ts): `launch.sh`, `pids/task.pid` (pid = process group id of the user
// command), `exit_status` (the wait status as the shell reports it, 0–255) and `launch_error`;
// and `kill_requested`, written by the agent before it signals a task, so a restarted agent
// still reports TASK_KILLED. Mesos keeps a `task.updates` file per task; Plateau journals every
// task's updates in one file per agent (see journal.ts).
import path from "node:path";
import { validateIdString } from "../protocol/values";

export class InvalidIdError extends Error {
  constructor(
    readonly kind: string,
    readonly id: string,
    reason: string,
  ) {
    super(`Invalid ${kind} '${id}': ${reason}`);
    this.name = "InvalidIdError";
  }
}

/** The id, if it is safe as a single path component; throws InvalidIdError otherwise. */
function component(kind: string, id: string): string {
  const problem = validateIdString(id);
  if (problem !== null) throw new InvalidIdError(kind, id, problem);
  return id;
}

/** Identifies one run (container) of one executor. */
export interface RunRef {
  agentId: string;
  frameworkId: string;
  executorId: string;
  containerId: string;
}

export const LATEST = "latest";

// ---- sandboxes ----

export const slavesDir = (workDir: string) => path.join(workDir, "slaves");
export const latestAgentLink = (workDir: string) => path.join(slavesDir(workDir), LATEST);
export const agentDir = (workDir: string, agentId: string) =>
  path.join(slavesDir(workDir), component("agent id", agentId));

export const frameworkDir = (workDir: string, agentId: string, frameworkId: string) =>
  path.join(agentDir(workDir, agentId), "frameworks", component("framework id", frameworkId));

export const executorDir = (workDir: string, agentId: string, frameworkId: string, executorId: string) =>
  path.join(frameworkDir(workDir, agentId, frameworkId), "executors", component("executor id", executorId));

export const runsDir = (workDir: string, agentId: string, frameworkId: string, executorId: string) =>
  path.join(executorDir(workDir, agentId, frameworkId, executorId), "runs");

/** The sandbox (MESOS_DIRECTORY) of one run. */
export const sandboxDir = (workDir: string, run: RunRef) =>
  path.join(runsDir(workDir, run.agentId, run.frameworkId, run.executorId), component("container id", run.containerId));

export const latestRunLink = (workDir: string, run: Omit<RunRef, "containerId">) =>
  path.join(runsDir(workDir, run.agentId, run.frameworkId, run.executorId), LATEST);

// ---- checkpoints (meta) ----

export const metaDir = (workDir: string) => path.join(workDir, "meta");
export const bootIdPath = (workDir: string) => path.join(metaDir(workDir), "boot_id");
export const metaSlavesDir = (workDir: string) => path.join(metaDir(workDir), "slaves");
export const metaLatestAgentLink = (workDir: string) => path.join(metaSlavesDir(workDir), LATEST);
export const metaAgentDir = (workDir: string, agentId: string) =>
  path.join(metaSlavesDir(workDir), component("agent id", agentId));
export const agentInfoPath = (workDir: string, agentId: string) => path.join(metaAgentDir(workDir, agentId), "slave.info");
export const agentJournalPath = (workDir: string, agentId: string) => path.join(metaAgentDir(workDir, agentId), "task.updates");

export const metaFrameworksDir = (workDir: string, agentId: string) => path.join(metaAgentDir(workDir, agentId), "frameworks");
export const metaFrameworkDir = (workDir: string, agentId: string, frameworkId: string) =>
  path.join(metaFrameworksDir(workDir, agentId), component("framework id", frameworkId));
export const frameworkInfoPath = (workDir: string, agentId: string, frameworkId: string) =>
  path.join(metaFrameworkDir(workDir, agentId, frameworkId), "framework.info");

export const metaExecutorsDir = (workDir: string, agentId: string, frameworkId: string) =>
  path.join(metaFrameworkDir(workDir, agentId, frameworkId), "executors");
export const metaExecutorDir = (workDir: string, agentId: string, frameworkId: string, executorId: string) =>
  path.join(metaExecutorsDir(workDir, agentId, frameworkId), component("executor id", executorId));
export const executorInfoPath = (workDir: string, agentId: string, frameworkId: string, executorId: string) =>
  path.join(metaExecutorDir(workDir, agentId, frameworkId, executorId), "executor.info");

export const metaRunsDir = (workDir: string, agentId: string, frameworkId: string, executorId: string) =>
  path.join(metaExecutorDir(workDir, agentId, frameworkId, executorId), "runs");
export const metaRunDir = (workDir: string, run: RunRef) =>
  path.join(metaRunsDir(workDir, run.agentId, run.frameworkId, run.executorId), component("container id", run.containerId));

/** Files inside a run's meta dir (`metaRunDir`); relative names so the wrapper can use them too. */
export const RUN_FILES = {
  forkedPid: path.join("pids", "forked.pid"),
  taskPid: path.join("pids", "task.pid"),
  exitStatus: "exit_status",
  killRequested: "kill_requested",
} as const;

export const metaTaskDir = (workDir: string, run: RunRef, taskId: string) =>
  path.join(metaRunDir(workDir, run), "tasks", component("task id", taskId));
export const taskInfoPath = (workDir: string, run: RunRef, taskId: string) =>
  path.join(metaTaskDir(workDir, run, taskId), "task.info");
