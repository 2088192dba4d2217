// The agent's directories. Sandboxes are laid out exactly as Mesos lays them out
// (src/slave/paths.hpp; agent-executor.md §3) — they are what users and tools see. Checkpoints
// and per-container runtime files are Plateau's own, laid out for launching 1,000 containers
// quickly (one inode created per launch on the work_dir is ~1 ms on a busy disk):
//
//   <work_dir>/slaves/latest -> <agent_id>
//   <work_dir>/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/latest -> <container_id>
//   <work_dir>/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/<container_id>/   (the sandbox)
//   <work_dir>/meta/boot_id
//   <work_dir>/meta/slaves/latest -> <agent_id>
//   <work_dir>/meta/slaves/<agent>/slave.info
//   <work_dir>/meta/slaves/<agent>/checkpoints      ONE append-only journal of every framework,
//        executor run, task, kill request and status update (Mesos: framework.info,
//        executor.info, task.info and task.updates files per run; see journal.ts)
//   <runtime_dir>/containers/<container_id>/          (Mesos --runtime_dir; tmpfs by default)
//        launch.sh, pids/forked.pid, pids/task.pid, exit_status, launch_error
//        (written by the container's wrapper, containerizer/wrapper.ts)
// Pure functions of (dir, ids) → absolute paths. Every id is checked with Mesos's id rules
// before it becomes a path component, so a hostile id can never escape its directory.
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
export const agentJournalPath = (workDir: string, agentId: string) => path.join(metaAgentDir(workDir, agentId), "checkpoints");

// ---- runtime files of containers (--runtime_dir) ----

export const runtimeContainersDir = (runtimeDir: string) => path.join(runtimeDir, "containers");
export const runtimeContainerDir = (runtimeDir: string, containerId: string) =>
  path.join(runtimeContainersDir(runtimeDir), component("container id", containerId));

/** Files inside a container's runtime dir; relative names so the wrapper can use them too. */
export const RUN_FILES = {
  forkedPid: path.join("pids", "forked.pid"),
  taskPid: path.join("pids", "task.pid"),
  exitStatus: "exit_status",
} as const;
