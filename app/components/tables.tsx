"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { formatAgo, formatAmount, shortId, stateTone } from "../format";

function State({ value }: { value: string }) {
  return <span className={`state ${stateTone(value)}`}>{value.replace("TASK_", "")}</span>;
}

export function AgentsTable() {
  const trpc = useTRPC();
  const { data = [] } = useQuery(trpc.cluster.agents.queryOptions());
  return (
    <section>
      <h2>Agents <span className="muted">({data.length})</span></h2>
      <table data-testid="agents-table">
        <thead><tr><th>Hostname</th><th>ID</th><th>State</th><th>CPUs</th><th>Memory</th><th>Disk</th><th>Tasks</th><th>Registered</th></tr></thead>
        <tbody>
          {data.length === 0 && <tr><td colSpan={8} className="empty">No agents registered</td></tr>}
          {data.map((a) => (
            <tr key={a.id}>
              <td>{a.hostname}<div className="sub">{a.endpoint}</div></td>
              <td title={a.id}><code>{shortId(a.id)}</code></td>
              <td><State value={a.connection} />{a.deactivated && <span className="state warn">deactivated</span>}</td>
              <td>{formatAmount("cpus", a.allocated.cpus)} / {formatAmount("cpus", a.total.cpus)}</td>
              <td>{formatAmount("mem", a.allocated.mem)} / {formatAmount("mem", a.total.mem)}</td>
              <td>{formatAmount("disk", a.allocated.disk)} / {formatAmount("disk", a.total.disk)}</td>
              <td>{a.taskCount}</td>
              <td>{formatAgo(a.registeredTime)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function FrameworksTable() {
  const trpc = useTRPC();
  const { data = [] } = useQuery(trpc.cluster.frameworks.queryOptions());
  return (
    <section>
      <h2>Frameworks <span className="muted">({data.length})</span></h2>
      <table data-testid="frameworks-table">
        <thead><tr><th>Name</th><th>ID</th><th>State</th><th>Roles</th><th>User</th><th>Active tasks</th><th>CPUs</th><th>Memory</th><th>Offers</th><th>Registered</th></tr></thead>
        <tbody>
          {data.length === 0 && <tr><td colSpan={10} className="empty">No frameworks</td></tr>}
          {data.map((f) => (
            <tr key={f.id}>
              <td>{f.name}</td>
              <td title={f.id}><code>{shortId(f.id)}</code></td>
              <td><State value={f.lifecycle} /></td>
              <td>{f.roles.join(", ")}</td>
              <td>{f.user}</td>
              <td>{f.activeTasks}</td>
              <td>{formatAmount("cpus", f.allocated.cpus)}</td>
              <td>{formatAmount("mem", f.allocated.mem)}</td>
              <td>{f.offers}</td>
              <td>{formatAgo(f.registeredTime)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function TasksTable() {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.cluster.tasks.queryOptions({ limit: 1000, offset: 0 }));
  const tasks = [...(data?.tasks ?? [])].sort((a, b) => (b.lastStatusTime ?? 0) - (a.lastStatusTime ?? 0)).slice(0, 100);
  return (
    <section>
      <h2>Tasks <span className="muted">({data?.total ?? 0})</span></h2>
      <table data-testid="tasks-table">
        <thead><tr><th>ID</th><th>Name</th><th>State</th><th>Framework</th><th>Agent</th><th>CPUs</th><th>Memory</th><th>Last update</th><th>Message</th></tr></thead>
        <tbody>
          {tasks.length === 0 && <tr><td colSpan={9} className="empty">No tasks</td></tr>}
          {tasks.map((t) => (
            <tr key={`${t.frameworkId}/${t.id}`} data-task-id={t.id} data-state={t.state}>
              <td><code>{t.id}</code></td>
              <td>{t.name}</td>
              <td><State value={t.state} /></td>
              <td title={t.frameworkId}><code>{shortId(t.frameworkId)}</code></td>
              <td title={t.agentId}><code>{shortId(t.agentId)}</code></td>
              <td>{formatAmount("cpus", t.resources.cpus)}</td>
              <td>{formatAmount("mem", t.resources.mem)}</td>
              <td>{formatAgo(t.lastStatusTime)}</td>
              <td className="message">{t.lastMessage ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function RecentEvents() {
  const trpc = useTRPC();
  const { data = [] } = useQuery(trpc.cluster.timeline.queryOptions({ limit: 15 }));
  return (
    <section>
      <h2>Recent events</h2>
      <ol className="timeline" data-testid="timeline">
        {data.length === 0 && <li className="muted">Nothing yet</li>}
        {[...data].reverse().map((e) => (
          <li key={e.seq}>
            <time>{new Date(e.time).toLocaleTimeString(undefined, { hour12: false })}</time>
            <span className={`kind ${e.kind}`}>{e.kind}</span>
            <span>{e.summary}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
