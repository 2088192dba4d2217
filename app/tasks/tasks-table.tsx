"use client";
// The cluster-wide tasks table (also embedded, pre-filtered, in agent and framework pages):
// filters and sort on the master, virtualized rows, selection for a bulk kill.
import { useCan } from "../lib/use-auth";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useTRPC } from "../trpc/client";
import { TASKS_URL, tasksQuery, withSort, type TasksUrlState } from "../lib/url-state";
import { useUrlState } from "../lib/use-url-state";
import { hrefOn, useMasterBase } from "../lib/masters";
import { VirtualTable, usePagedRows, type Column } from "../components/virtual-table";
import { AppLink } from "../components/shell/app-link";
import { StateBadge } from "../components/ui";
import { FilterText } from "../components/filters";
import { KillTaskDialog, KillTasksDialog, type TaskRef } from "../components/actions";
import { agentHref, formatAmount, frameworkHref, shortId, stateLabel, taskHref } from "../format";
import type { TaskRow } from "../../server/master/dashboard-views";
import { Ago } from "../components/time";

const CHIPS = ["active", "TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_UNREACHABLE", "terminal"] as const;
const TERMINAL = new Set(["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"]);
const key = (t: { frameworkId: string; id: string }) => `${t.frameworkId}/${t.id}`;

function columns(opts: { hide: Set<string>; select: (t: TaskRow) => React.ReactNode; kill: (t: TaskRow) => void }): Column<TaskRow>[] {
  const all: Column<TaskRow>[] = [
    { key: "sel", header: "", width: "30px", render: opts.select },
    { key: "id", header: "Task", width: "minmax(150px, 1.3fr)", sort: "id", render: (t) => <AppLink href={taskHref(t.frameworkId, t.id)} className="strong ellipsis" title={t.id}>{t.id}</AppLink> },
    { key: "name", header: "Name", width: "minmax(110px, 1fr)", sort: "name", render: (t) => <span className="ellipsis" title={t.name}>{t.name}</span> },
    { key: "state", header: "State", width: "118px", sort: "state", render: (t) => <StateBadge value={t.state} /> },
    { key: "framework", header: "Framework", width: "minmax(100px, 0.8fr)", render: (t) => <AppLink href={frameworkHref(t.frameworkId)} className="ellipsis" title={t.frameworkId}>{t.frameworkName || shortId(t.frameworkId)}</AppLink> },
    { key: "agent", header: "Agent", width: "minmax(100px, 0.8fr)", render: (t) => <AppLink href={agentHref(t.agentId)} className="ellipsis" title={t.agentId}>{t.agentHostname || shortId(t.agentId)}</AppLink> },
    { key: "cpus", header: "CPUs", width: "56px", sort: "cpus", align: "right", render: (t) => formatAmount("cpus", t.resources.cpus) },
    { key: "mem", header: "Mem", width: "72px", sort: "mem", align: "right", render: (t) => formatAmount("mem", t.resources.mem) },
    { key: "updated", header: "Updated", width: "84px", sort: "updated", render: (t) => <Ago ms={t.lastStatusTime} /> },
    {
      key: "kill",
      header: "",
      width: "52px",
      render: (t) => (TERMINAL.has(t.state) || t.state === "TASK_KILLING" ? null : <button type="button" className="small danger" onClick={() => opts.kill(t)} title={`Kill ${t.id}`} data-testid="row-kill">Kill</button>),
    },
  ];
  return all.filter((c) => !opts.hide.has(c.key));
}

/** Tasks with URL-bound filters (the /tasks page). */
export function UrlTasksTable() {
  const [url, setUrl] = useUrlState(TASKS_URL);
  return <TasksTable state={url} setState={setUrl} />;
}

/** Tasks of one agent or framework, with local filter state. */
export function ScopedTasksTable({ agentId, frameworkId, height }: { agentId?: string; frameworkId?: string; height?: string }) {
  const [state, setLocal] = useState<TasksUrlState>({ state: "active", framework: frameworkId, agent: agentId, q: undefined, sort: "updated", dir: "desc" });
  return <TasksTable state={state} setState={(p) => setLocal((s) => ({ ...s, ...p }))} hide={new Set([agentId ? "agent" : "", frameworkId ? "framework" : ""])} height={height ?? "420px"} />;
}

export function TasksTable({ state, setState, hide = new Set(), height }: { state: TasksUrlState; setState: (p: Partial<TasksUrlState>) => void; hide?: Set<string>; height?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const base = useMasterBase();
  const query = tasksQuery(state);
  const paged = usePagedRows((offset, limit) => trpc.tasks.list.queryOptions({ ...query, offset, limit }), JSON.stringify(query));
  const [selected, setSelected] = useState(new Map<string, TaskRef>());
  const [kill, setKill] = useState<TaskRef | null>(null);
  const [bulk, setBulk] = useState(false);
  const canKill = useCan("KILL_TASK");
  const counts = paged.first?.states ?? {};
  const toggle = (t: TaskRow) =>
    setSelected((prev) => {
      const next = new Map(prev);
      if (next.has(key(t))) next.delete(key(t));
      else if (!TERMINAL.has(t.state)) next.set(key(t), { frameworkId: t.frameworkId, id: t.id, name: t.name, state: t.state, agentHostname: t.agentHostname });
      return next;
    });
  const cols = columns({
    hide: canKill ? hide : new Set([...hide, "kill", "sel"]),
    select: (t) => (TERMINAL.has(t.state) ? null : <input type="checkbox" aria-label={`Select ${t.id}`} checked={selected.has(key(t))} onChange={() => toggle(t)} data-testid="row-select" />),
    kill: (t) => setKill({ frameworkId: t.frameworkId, id: t.id, name: t.name, state: t.state, agentHostname: t.agentHostname }),
  });
  const open = (t: TaskRow) => (base ? (window.location.href = hrefOn(base, taskHref(t.frameworkId, t.id))) : router.push(taskHref(t.frameworkId, t.id)));
  const chipCount = (c: string) => (c === "active" ? Object.entries(counts).filter(([s]) => !TERMINAL.has(s)).reduce((n, [, v]) => n + (v ?? 0), 0) : c === "terminal" ? Object.entries(counts).filter(([s]) => TERMINAL.has(s)).reduce((n, [, v]) => n + (v ?? 0), 0) : (counts[c as keyof typeof counts] ?? 0));
  return (
    <>
      <div className="filters" role="search">
        <div className="chips" role="group" aria-label="State">
          <button type="button" className={!state.state ? "chip on" : "chip"} onClick={() => setState({ state: undefined })} data-testid="filter-state-all">All</button>
          {CHIPS.map((c) => (
            <button key={c} type="button" className={state.state === c ? "chip on" : "chip"} onClick={() => setState({ state: state.state === c ? undefined : c })} data-testid={`filter-state-${c}`}>
              {stateLabel(c)} <span className="count">{chipCount(c)}</span>
            </button>
          ))}
        </div>
        <FilterText label="Search tasks" placeholder="task id or name" value={state.q} onChange={(q) => setState({ q })} primary testId="filter-text" />
        {!hide.has("framework") && <FilterText label="Framework id" placeholder="framework id" value={state.framework} onChange={(framework) => setState({ framework })} testId="filter-framework" width={150} />}
        {!hide.has("agent") && <FilterText label="Agent id" placeholder="agent id" value={state.agent} onChange={(agent) => setState({ agent })} testId="filter-agent" width={150} />}
        <span className="result-count muted" data-testid="result-count">{paged.total === undefined ? "…" : `${paged.total.toLocaleString("en-US")} task${paged.total === 1 ? "" : "s"}`}</span>
        {selected.size > 0 && (
          <span className="bulk">
            <b>{selected.size}</b> selected
            {canKill && <button type="button" className="danger" onClick={() => setBulk(true)} data-testid="bulk-kill">Kill selected…</button>}
            <button type="button" onClick={() => setSelected(new Map())}>Clear</button>
          </span>
        )}
      </div>
      {paged.error && <p className="error" role="alert">{paged.error.message}</p>}
      <VirtualTable
        label="Tasks"
        testId="tasks-table"
        columns={cols}
        total={paged.total ?? 0}
        getRow={paged.getRow}
        rowKey={(t) => key(t)}
        onWindow={paged.onWindow}
        height={height}
        sort={{ key: state.sort ?? "updated", dir: (state.dir ?? "desc") as "asc" | "desc" }}
        onSort={(k) => setState(withSort({ sort: state.sort ?? "updated", dir: state.dir ?? "desc" }, k, k === "updated" || k === "started" ? "desc" : "asc"))}
        onOpen={open}
        selected={(t) => selected.has(key(t))}
        onToggle={toggle}
        rowAttrs={(t) => ({ "data-task-id": t.id, "data-state": t.state })}
        empty={paged.loading ? "Loading…" : "No task matches these filters"}
      />
      {kill && <KillTaskDialog task={kill} open onClose={() => setKill(null)} />}
      {bulk && <KillTasksDialog tasks={[...selected.values()]} open onClose={() => setBulk(false)} onDone={() => setSelected(new Map())} />}
    </>
  );
}
