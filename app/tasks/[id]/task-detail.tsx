"use client";
import { useCan } from "../../lib/use-auth";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/client";
import { AppLink } from "../../components/shell/app-link";
import { Facts, StateBadge, Unavailable } from "../../components/ui";
import { KillTaskDialog } from "../../components/actions";
import { agentHref, formatAgo, formatAmount, formatDateTime, frameworkHref, shortId, taskHref } from "../../format";
import { DateTime, When } from "../../components/time";

const TERMINAL = new Set(["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"]);

/** Without ?framework=, finds the frameworks that have a task with this id. */
function FindTask({ id }: { id: string }) {
  const trpc = useTRPC();
  const { data, isPending } = useQuery(trpc.tasks.list.queryOptions({ text: id, limit: 50, offset: 0, sort: "updated", dir: "desc" }));
  if (isPending) return <p className="muted">Looking for task {id}…</p>;
  const exact = (data?.rows ?? []).filter((t) => t.id === id);
  if (exact.length === 0) return <Unavailable title="Task not found" testId="not-found">No task with id <code>{id}</code> is known to this master.</Unavailable>;
  if (exact.length === 1) return <TaskDetail id={id} frameworkId={exact[0]!.frameworkId} />;
  return (
    <section className="panel">
      <h1>Task {id}</h1>
      <p>Several frameworks have a task with this id:</p>
      <ul className="plain-list">{exact.map((t) => <li key={t.frameworkId}><AppLink href={taskHref(t.frameworkId, t.id)}>{t.frameworkName || t.frameworkId}</AppLink> <StateBadge value={t.state} /></li>)}</ul>
    </section>
  );
}

export function TaskDetail({ id, frameworkId }: { id: string; frameworkId?: string }) {
  if (!frameworkId) return <FindTask id={id} />;
  return <KnownTask id={id} frameworkId={frameworkId} />;
}

function KnownTask({ id, frameworkId }: { id: string; frameworkId: string }) {
  const trpc = useTRPC();
  const { data: t, isPending, error } = useQuery(trpc.tasks.detail.queryOptions({ frameworkId, taskId: id }));
  const { data: sandbox } = useQuery(trpc.sandbox.capability.queryOptions());
  const canKill = useCan("KILL_TASK");
  const [kill, setKill] = useState(false);
  if (isPending) return <p className="muted">Loading…</p>;
  if (error) return <p className="error" role="alert">{error.message}</p>;
  if (!t) return <Unavailable title="Task not found" testId="not-found">Framework <code>{frameworkId}</code> has no task <code>{id}</code> that this master remembers.</Unavailable>;
  const active = !TERMINAL.has(t.state);
  const statuses = [...t.statuses].reverse();
  return (
    <>
      <div className="crumbs"><AppLink href="/tasks">Tasks</AppLink> / <AppLink href={frameworkHref(t.frameworkId)}>{t.frameworkName || shortId(t.frameworkId)}</AppLink> /</div>
      <h1 data-testid="task-title">
        <span className="title-text">{t.name === t.id ? t.id : `${t.name}`}</span> <StateBadge value={t.state} />
        {t.killRequested && active && <span className="state warn">kill requested</span>}
        {active && t.frameworkActive && canKill && <button type="button" className="danger title-action" onClick={() => setKill(true)} data-testid="kill-task">Kill…</button>}
      </h1>
      <div className="grid2">
        <section className="panel">
          <h2>Task</h2>
          <Facts
            testId="task-facts"
            items={[
              ["ID", <code key="id">{t.id}</code>],
              ["Name", t.name],
              ["Framework", <AppLink key="f" href={frameworkHref(t.frameworkId)}>{t.frameworkName || t.frameworkId}</AppLink>],
              ["Agent", <span key="a"><AppLink href={agentHref(t.agentId)}>{t.agentHostname || shortId(t.agentId)}</AppLink>{t.agentConnection ? <span className="muted"> ({t.agentConnection})</span> : null}</span>],
              ["Executor", <code key="e">{t.executorId}</code>],
              ["User", t.user],
              ["Command", t.command ? <code key="c" className="wrap">{t.command}</code> : "—"],
              ["Started", t.startedTime ? <When key="s" ms={t.startedTime} /> : "—"],
              ["Last update", t.lastStatusTime ? <When key="u" ms={t.lastStatusTime} /> : "—"],
              ["Kill grace period", t.killGracePeriodSeconds !== undefined ? `${t.killGracePeriodSeconds}s` : "default"],
            ]}
          />
        </section>
        <section className="panel">
          <h2>Resources and health</h2>
          <Facts
            items={[
              ["CPUs", formatAmount("cpus", t.resources.cpus)],
              ["Memory", formatAmount("mem", t.resources.mem)],
              ["Disk", formatAmount("disk", t.resources.disk)],
              ["All resources", <code key="r" className="wrap">{t.resourcesText || "—"}</code>],
              ["Health check", t.healthCheck ?? "none"],
              ["Healthy", t.healthy === undefined ? "not reported" : t.healthy ? <StateBadge key="h" value="TASK_RUNNING" label="healthy" /> : <StateBadge key="h" value="TASK_FAILED" label="unhealthy" />],
            ]}
          />
          <h2>Labels</h2>
          {t.labels.length === 0 ? <p className="muted">No labels.</p> : (
            <table className="plain" data-testid="task-labels"><tbody>{t.labels.map((l, i) => <tr key={i}><td><code>{l.key}</code></td><td>{l.value ?? ""}</td></tr>)}</tbody></table>
          )}
          <h2>Sandbox</h2>
          {sandbox?.available ? (
            <p><AppLink href={taskHref(t.frameworkId, t.id, "/sandbox")} data-testid="sandbox-link">Browse the sandbox</AppLink> · <AppLink href={`${taskHref(t.frameworkId, t.id, "/sandbox")}&path=stdout`}>stdout</AppLink> · <AppLink href={`${taskHref(t.frameworkId, t.id, "/sandbox")}&path=stderr`}>stderr</AppLink></p>
          ) : (
            <p className="muted" data-testid="sandbox-unavailable">{sandbox?.reason ?? "Checking…"}</p>
          )}
        </section>
      </div>
      <section className="panel">
        <h2>Status history</h2>
        <table className="plain" data-testid="status-history">
          <thead><tr><th>Time</th><th>State</th><th>Source</th><th>Reason</th><th>Message</th><th>Healthy</th></tr></thead>
          <tbody>
            {statuses.length === 0 && <tr><td colSpan={6} className="empty">No status updates yet</td></tr>}
            {statuses.map((s, i) => (
              <tr key={i}>
                <td className="nowrap"><DateTime ms={s.time} /></td>
                <td><StateBadge value={s.state} /></td>
                <td>{s.source?.replace("SOURCE_", "").toLowerCase() ?? "—"}</td>
                <td>{s.reason?.replace("REASON_", "").toLowerCase().replace(/_/g, " ") ?? "—"}</td>
                <td className="wrap">{s.message ?? ""}</td>
                <td>{s.healthy === undefined ? "—" : s.healthy ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {kill && <KillTaskDialog task={{ frameworkId: t.frameworkId, id: t.id, name: t.name, state: t.state, agentHostname: t.agentHostname }} open onClose={() => setKill(false)} />}
    </>
  );
}
