"use client";
import { useCan } from "../../lib/use-auth";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/client";
import { AppLink } from "../../components/shell/app-link";
import { Facts, StateBadge, Unavailable } from "../../components/ui";
import { TeardownDialog } from "../../components/actions";
import { ScopedTasksTable } from "../../tasks/tasks-table";
import { agentHref, formatAgo, formatAmount, formatDateTime, formatDuration, formatShare, shortId, stateLabel } from "../../format";
import { Ago, When } from "../../components/time";

/** Only http(s) links are rendered as links (a framework chooses its webui_url). */
function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

export function FrameworkDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const { data: f, isPending, error } = useQuery(trpc.frameworks.detail.queryOptions({ id }));
  const [teardown, setTeardown] = useState(false);
  const canTeardown = useCan("TEARDOWN");
  if (isPending) return <p className="muted">Loading…</p>;
  if (error) return <p className="error" role="alert">{error.message}</p>;
  if (!f) return <Unavailable title="Framework not found" testId="not-found">No framework with id <code>{id}</code> is known to this master.</Unavailable>;
  const web = safeUrl(f.webuiUrl);
  const completed = f.lifecycle === "completed";
  return (
    <>
      <div className="crumbs"><AppLink href="/frameworks">Frameworks</AppLink> /</div>
      <h1 data-testid="framework-title">
        {f.name} <StateBadge value={f.lifecycle} />
        {!completed && canTeardown && (
          <button type="button" className="danger title-action" onClick={() => setTeardown(true)} data-testid="teardown">Teardown…</button>
        )}
      </h1>
      <div className="grid2">
        <section className="panel">
          <h2>Framework</h2>
          <Facts
            testId="framework-facts"
            items={[
              ["ID", <code key="id">{f.id}</code>],
              ["User", f.user],
              ["Principal", f.principal ?? "—"],
              ["Hostname", f.hostname ?? "—"],
              ["Roles", f.roles.join(", ")],
              ["Capabilities", f.capabilities.join(", ") || "—"],
              ["Failover timeout", f.failoverTimeoutSeconds > 0 ? formatDuration(f.failoverTimeoutSeconds * 1000) : "0 (torn down when disconnected)"],
              ["Checkpointing", f.checkpoint ? "yes" : "no"],
              ["Registered", <When key="r" ms={f.registeredTime} />],
              ...(f.reregisteredTime ? ([["Re-registered", <Ago key="rr" ms={f.reregisteredTime} />]] as [string, React.ReactNode][]) : []),
              ...(f.unregisteredTime ? ([["Unregistered", <Ago key="u" ms={f.unregisteredTime} />]] as [string, React.ReactNode][]) : []),
              ["Web UI", web ? <a key="w" href={web} target="_blank" rel="noreferrer noopener">{web}</a> : f.webuiUrl ? <code key="w">{f.webuiUrl}</code> : "—"],
              ["Labels", f.labels.length ? f.labels.map((l) => `${l.key}=${l.value ?? ""}`).join(", ") : "—"],
            ]}
          />
        </section>
        <section className="panel">
          <h2>Allocation</h2>
          <Facts
            items={[
              ["CPUs", formatAmount("cpus", f.allocated.cpus)],
              ["Memory", formatAmount("mem", f.allocated.mem)],
              ["Disk", formatAmount("disk", f.allocated.disk)],
              ["Active tasks", String(f.activeTasks)],
              ["Agents used", String(f.agents)],
            ]}
          />
          <h2>Dominant share by role</h2>
          <table className="plain" data-testid="framework-shares">
            <thead><tr><th>Role</th><th>Dominant share</th><th>Offers</th></tr></thead>
            <tbody>{f.shares.map((s) => <tr key={s.role}><td>{s.role}</td><td>{formatShare(s.dominantShare)}</td><td>{s.suppressed ? "suppressed" : "wanted"}</td></tr>)}</tbody>
          </table>
          <h2>Tasks by state</h2>
          <ul className="inline-list">
            {Object.entries(f.tasksByState).length === 0 ? <li className="muted">No tasks</li> : Object.entries(f.tasksByState).map(([s, n]) => <li key={s}><b>{n}</b> {stateLabel(s)}</li>)}
          </ul>
        </section>
      </div>
      <section className="panel">
        <h2>Offers held ({f.offersHeld.length})</h2>
        {f.offersHeld.length === 0 ? <p className="muted">This framework holds no offers.</p> : (
          <table className="plain">
            <thead><tr><th>Offer</th><th>Agent</th><th>Role</th><th>Resources</th><th>Age</th></tr></thead>
            <tbody>{f.offersHeld.map((o) => <tr key={o.id}><td><code>{shortId(o.id)}</code></td><td><AppLink href={agentHref(o.agentId)}>{o.agentHostname || shortId(o.agentId)}</AppLink></td><td>{o.role}</td><td><code>{o.text}</code></td><td><Ago ms={o.createdAt} /></td></tr>)}</tbody>
          </table>
        )}
      </section>
      <h2>Tasks</h2>
      <ScopedTasksTable frameworkId={f.id} />
      {teardown && <TeardownDialog frameworkId={f.id} open onClose={() => setTeardown(false)} />}
    </>
  );
}
