"use client";
// The operator controls shared by pages and the command palette: kill task(s) and teardown.
// Each confirms with a preview of what is affected and the operator's reason.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { ConfirmDialog } from "./confirm";
import { stateLabel } from "../format";

export interface TaskRef {
  frameworkId: string;
  id: string;
  name?: string;
  state?: string;
  agentHostname?: string;
}

export function KillTaskDialog({ task, open, onClose }: { task: TaskRef; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const kill = useMutation(trpc.tasks.kill.mutationOptions({ onSettled: () => qc.invalidateQueries(trpc.tasks.pathFilter()) }));
  return (
    <ConfirmDialog
      open={open}
      onClose={onClose}
      title={`Kill task ${task.id}`}
      confirmLabel="Kill task"
      danger
      testId="kill-dialog"
      onConfirm={(reason) => kill.mutateAsync({ frameworkId: task.frameworkId, taskId: task.id, reason })}
    >
      <p>
        The master asks the agent{task.agentHostname ? <> on <b>{task.agentHostname}</b></> : null} to kill task <code>{task.id}</code>
        {task.name && task.name !== task.id ? <> ({task.name})</> : null}
        {task.state ? <>, now {stateLabel(task.state)}</> : null}. Its framework is told through the usual status updates.
      </p>
    </ConfirmDialog>
  );
}

export function KillTasksDialog({ tasks, open, onClose, onDone }: { tasks: TaskRef[]; open: boolean; onClose: () => void; onDone?: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const kill = useMutation(trpc.tasks.killMany.mutationOptions({ onSettled: () => qc.invalidateQueries(trpc.tasks.pathFilter()) }));
  const frameworks = new Set(tasks.map((t) => t.frameworkId)).size;
  return (
    <ConfirmDialog
      open={open}
      onClose={onClose}
      title={`Kill ${tasks.length} task${tasks.length === 1 ? "" : "s"}`}
      confirmLabel={`Kill ${tasks.length} task${tasks.length === 1 ? "" : "s"}`}
      danger
      testId="kill-many-dialog"
      onConfirm={async (reason) => {
        const results = await kill.mutateAsync({ tasks: tasks.map((t) => ({ frameworkId: t.frameworkId, taskId: t.id })), reason });
        const failed = results.filter((r) => !r.ok);
        if (failed.length > 0) throw new Error(`${failed.length} of ${results.length} could not be killed: ${failed.slice(0, 3).map((f) => f.error).join("; ")}`);
        onDone?.();
      }}
    >
      <p>
        Kills {tasks.length} task{tasks.length === 1 ? "" : "s"} of {frameworks} framework{frameworks === 1 ? "" : "s"}:
      </p>
      <ul className="preview-list">
        {tasks.slice(0, 8).map((t) => (
          <li key={`${t.frameworkId}/${t.id}`}><code>{t.id}</code>{t.agentHostname ? <span className="muted"> on {t.agentHostname}</span> : null}</li>
        ))}
        {tasks.length > 8 && <li className="muted">… and {tasks.length - 8} more</li>}
      </ul>
    </ConfirmDialog>
  );
}

export function TeardownDialog({ frameworkId, open, onClose }: { frameworkId: string; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const { data: fw } = useQuery(trpc.frameworks.detail.queryOptions({ id: frameworkId }, { enabled: open }));
  const teardown = useMutation(trpc.frameworks.teardown.mutationOptions({ onSettled: () => qc.invalidateQueries() }));
  const active = fw ? Object.entries(fw.tasksByState).filter(([s]) => !["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"].includes(s)).reduce((n, [, c]) => n + (c ?? 0), 0) : undefined;
  return (
    <ConfirmDialog
      open={open}
      onClose={onClose}
      title={`Tear down ${fw?.name ?? "framework"}`}
      confirmLabel="Tear down framework"
      danger
      testId="teardown-dialog"
      onConfirm={(reason) => teardown.mutateAsync({ id: frameworkId, reason })}
    >
      <p>
        Removes framework <code>{frameworkId}</code>: {active !== undefined ? <b>{active} active task{active === 1 ? "" : "s"}</b> : "its tasks"}
        {fw ? <> on {fw.agents} agent{fw.agents === 1 ? "" : "s"} are killed and its {fw.offersHeld.length} offer{fw.offersHeld.length === 1 ? " is" : "s are"} rescinded</> : " are killed"}. The
        framework cannot subscribe again with this id.
      </p>
    </ConfirmDialog>
  );
}
