// Recovery at start-up (Mesos "agent recovery"; agent-executor.md §5).
//
//   replay the checkpoint journal (journal.ts) ──► per live run of a checkpointing framework:
//       container alive           → re-adopt (same pids, same cgroups and limits); a custom
//                                   executor must re-subscribe within its timeout
//       ended while we were down  → its true terminal update (from exit_status, with the OOM
//                                   limitation if the kernel killed it), unless the journal
//                                   already holds a terminal one
//       never started             → TASK_LOST (PARTITION_AWARE: TASK_DROPPED)
//       host rebooted             → dead: exit_status if recorded, else TASK_FAILED
//                                   REASON_EXECUTOR_TERMINATED
//   ──► unacknowledged updates replayed into the status update manager
//   ──► cgroups of this agent that no checkpoint mentions are destroyed (orphans)
//   ──► then the agent REREGISTERs with every task and its state.
// Runs of non-checkpointing frameworks are killed and forgotten (Mesos semantics; their tasks are
// not reported, the master treats them as gone). `--recover=cleanup` kills re-adopted tasks.
import { promises as fsp } from "node:fs";
import path from "node:path";
import { AgentInfoSchema } from "../protocol/internal";
import { isTerminalState, type AgentInfo, type ExecutorInfo, type FrameworkInfo, type Id, type TaskInfo } from "../protocol/mesos";
import { CheckpointError, readJsonCheckpoint, readTextIfExists, type UpdateRecord } from "./checkpoint";
import type { Containerizer } from "./containerizer/types";
import { readJournal, streamRecords, type JournalState } from "./journal";
import type { Logger } from "./log";
import type { MetaStore } from "./meta";
import * as paths from "./paths";
import type { StatusUpdateManager } from "./status-update-manager";
import { containerResources, hasCapability, type AgentState, type ExecutorRecord, type TaskRecord } from "./state";
import { terminalOutcome } from "./status";
import type { TaskRunner } from "./tasks";

export interface RecoveredTask {
  info: TaskInfo;
  records: UpdateRecord[];
}

export interface RecoveredRun {
  executorInfo: ExecutorInfo;
  containerId: string;
  sandbox: string;
  runMetaDir: string;
  killRequested: boolean;
  tasks: RecoveredTask[];
}

export interface RecoveredFramework {
  info: FrameworkInfo & { id: Id };
  runs: RecoveredRun[];
}

export interface CheckpointedState {
  agentId: string;
  agentInfo?: AgentInfo;
  rebooted: boolean;
  frameworks: RecoveredFramework[];
}

export class AgentRecoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AgentRecoveryError";
  }
}

async function readLink(link: string): Promise<string | undefined> {
  try {
    return path.basename(await fsp.readlink(link));
  } catch {
    return undefined;
  }
}

/** Reads the checkpointed agent; undefined when this work_dir has no agent id (fresh start). */
export async function readCheckpointedState(workDir: string, runtimeDir: string, bootId: string, strict: boolean, log: Logger): Promise<CheckpointedState | undefined> {
  const agentId = await readLink(paths.metaLatestAgentLink(workDir));
  if (agentId === undefined) return undefined;
  const previousBoot = (await readTextIfExists(paths.bootIdPath(workDir)))?.trim();
  const state: CheckpointedState = {
    agentId,
    agentInfo: await readJsonCheckpoint(paths.agentInfoPath(workDir, agentId), AgentInfoSchema),
    rebooted: previousBoot !== undefined && previousBoot !== bootId,
    frameworks: [],
  };
  let journal: JournalState;
  try {
    journal = readJournal(paths.agentJournalPath(workDir, agentId));
  } catch (err) {
    if (strict || !(err instanceof CheckpointError)) throw err;
    log.warn(`Ignoring the unreadable checkpoint journal (--no-strict): ${(err as Error).message}`);
    return state;
  }
  const byFramework = new Map<string, RecoveredFramework>();
  for (const run of journal.runs.values()) {
    const info = journal.frameworks.get(run.frameworkId);
    try {
      if (info === undefined) throw new CheckpointError(paths.agentJournalPath(workDir, agentId), `run ${run.containerId} of unknown framework ${run.frameworkId}`);
      let framework = byFramework.get(run.frameworkId);
      if (framework === undefined) byFramework.set(run.frameworkId, (framework = { info: { ...info, id: { value: run.frameworkId } }, runs: [] }));
      const ref = { agentId, frameworkId: run.frameworkId, executorId: run.executor.executor_id.value, containerId: run.containerId };
      framework.runs.push({
        executorInfo: run.executor, containerId: run.containerId, sandbox: paths.sandboxDir(workDir, ref),
        runMetaDir: paths.runtimeContainerDir(runtimeDir, run.containerId), killRequested: run.killRequested,
        tasks: run.tasks.map((info) => ({ info, records: streamRecords(journal, run.frameworkId, info.task_id.value) })),
      });
    } catch (err) {
      if (strict || !(err instanceof CheckpointError || err instanceof paths.InvalidIdError)) throw err;
      log.warn(`Skipping unrecoverable run ${run.containerId} (--no-strict): ${(err as Error).message}`);
    }
  }
  state.frameworks = [...byFramework.values()];
  return state;
}

export interface RecoveryDeps {
  state: AgentState;
  runner: TaskRunner;
  containerizer: Containerizer;
  sum: StatusUpdateManager;
  meta: MetaStore;
  log: Logger;
  cleanup: boolean;
}

export interface RecoverySummary {
  readopted: number;
  terminated: number;
  killedNonCheckpointing: number;
  orphans: number;
}

/** Rebuilds agent memory from checkpoints, re-adopting or concluding every run. */
export async function applyRecovery(d: RecoveryDeps, checkpointed: CheckpointedState): Promise<RecoverySummary> {
  const summary: RecoverySummary = { readopted: 0, terminated: 0, killedNonCheckpointing: 0, orphans: 0 };
  const known = new Set<string>();
  for (const recovered of checkpointed.frameworks) {
    for (const run of recovered.runs) known.add(run.containerId);
    if (recovered.info.checkpoint !== true) {
      summary.killedNonCheckpointing += await killNonCheckpointing(d, checkpointed, recovered);
      continue;
    }
    const framework = d.state.upsertFramework(recovered.info);
    for (const run of recovered.runs) {
      const custom = run.tasks.some((t) => t.info.executor !== undefined);
      const executor: ExecutorRecord = {
        frameworkId: framework.id, executorId: run.executorInfo.executor_id.value, kind: custom ? "custom" : "command", info: run.executorInfo,
        containerId: run.containerId, directory: run.sandbox, runMetaDir: run.runMetaDir, phase: "launching",
        tasks: new Map(), completedTasks: [],
      };
      d.state.addExecutor(executor);
      for (const task of run.tasks) {
        const record = recoverTask(d, framework.id, executor, task, run.killRequested);
        // Undelivered tasks of a default executor go out together again (one LAUNCH_GROUP).
        if (record !== undefined && run.executorInfo.type === "DEFAULT") record.group = "recovered";
        if (record !== undefined) executor.tasks.set(task.info.task_id.value, record);
      }
      const container = await d.containerizer.recover({
        containerId: run.containerId, runMetaDir: run.runMetaDir, sandbox: run.sandbox, resources: containerResources(executor), rebooted: checkpointed.rebooted,
      });
      const records = [...executor.tasks.values()];
      if (container.state === "running") {
        summary.readopted++;
        executor.pid = container.pid;
        d.log.info(`Re-adopted ${custom ? `executor ${executor.executorId} with ` : ""}${describe(records)} (container ${run.containerId}, pid ${container.pid})`);
        if (custom) {
          executor.phase = "running";
          d.runner.custom.recovered(executor);
          continue;
        }
        for (const record of records) {
          // A kill in progress when the agent went down (or --recover=cleanup) starts afresh.
          const kill = d.cleanup || record.killRequested;
          record.killRequested = false;
          const running = record.statuses.find((s) => s.state === "TASK_RUNNING");
          d.runner.markRunning(executor, record, false, running?.timestamp !== undefined ? running.timestamp * 1000 : undefined);
          if (kill) d.runner.killTask(record);
        }
        if (records.length === 0) executor.phase = "running";
        continue;
      }
      summary.terminated++;
      if (container.state === "terminated" && custom) {
        executor.phase = "running";
        d.runner.custom.onTerminated(executor, container.termination);
        continue;
      }
      d.runner.markTerminated(executor);
      for (const record of records) {
        if (isTerminalState(record.state)) continue;
        if (container.state === "terminated") {
          const outcome = terminalOutcome(container.termination, record.killRequested);
          if (checkpointed.rebooted && container.termination.kind === "lost") outcome.message = "Executor terminated: the host rebooted";
          d.runner.update(record, outcome);
        } else {
          const partitionAware = hasCapability(framework, "PARTITION_AWARE");
          d.runner.update(record, {
            state: partitionAware ? "TASK_DROPPED" : "TASK_LOST", source: "SOURCE_AGENT", reason: "REASON_AGENT_RESTARTED",
            message: "The agent restarted before the task was launched",
          });
        }
      }
      d.runner.retireIfComplete(executor);
    }
  }
  summary.orphans = (await d.containerizer.destroyOrphans(known)).length;
  return summary;
}

/** Active record of a recovered task, or undefined when its stream is complete (terminal and acknowledged). */
function recoverTask(d: RecoveryDeps, frameworkId: string, executor: ExecutorRecord, task: RecoveredTask, killRequested: boolean): TaskRecord | undefined {
  const statuses = task.records.flatMap((r) => ("update" in r ? [r.update.status] : []));
  const record: TaskRecord = {
    info: task.info, frameworkId, executorId: executor.executorId, statuses, killRequested,
    state: statuses.at(-1)?.state ?? "TASK_STAGING",
  };
  const pending = d.sum.recover(frameworkId, task.info.task_id.value, task.records, { checkpoint: true });
  if (pending.length === 0 && isTerminalState(record.state)) {
    executor.completedTasks.push(record);
    return undefined;
  }
  return record;
}

async function killNonCheckpointing(d: RecoveryDeps, checkpointed: CheckpointedState, framework: RecoveredFramework): Promise<number> {
  let killed = 0;
  for (const run of framework.runs) {
    const container = await d.containerizer.recover({ containerId: run.containerId, runMetaDir: run.runMetaDir, rebooted: checkpointed.rebooted });
    if (container.state !== "running") continue;
    killed++;
    d.log.info(`Killing ${describe(run.tasks.map((t) => t))} of non-checkpointing framework ${framework.info.id.value}`);
    await d.containerizer.signal(run.containerId, "SIGKILL");
  }
  for (const run of framework.runs) await d.meta.retireRun(run.containerId).catch(() => {});
  return killed;
}

function describe(tasks: { info: TaskInfo }[]): string {
  return tasks.length === 1 ? `task ${tasks[0]!.info.task_id.value}` : `${tasks.length} tasks`;
}

/** Whether the recorded AgentInfo still matches this agent (Mesos `--reconfiguration_policy=equal`, minus host/port). */
export function agentInfoMismatch(previous: AgentInfo, current: AgentInfo): string | undefined {
  const canon = (v: unknown) => JSON.stringify(v);
  if (canon(previous.resources) !== canon(current.resources)) return "resources changed";
  if (canon(previous.attributes) !== canon(current.attributes)) return "attributes changed";
  return undefined;
}
