"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/client";
import { AppLink } from "../../components/shell/app-link";
import { Facts, StateBadge, Unavailable, Usage } from "../../components/ui";
import { ScopedTasksTable } from "../../tasks/tasks-table";
import { formatAgo, formatAmount, formatDateTime, formatShare, frameworkHref, shortId } from "../../format";
import { Ago, When } from "../../components/time";
import { AgentControls } from "./agent-controls";

const NAMES = ["cpus", "mem", "disk", "gpus", "ports"] as const;

export function AgentDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const { data: a, isPending, error } = useQuery(trpc.agents.detail.queryOptions({ id }));
  if (isPending) return <p className="muted">Loading…</p>;
  if (error) return <p className="error" role="alert">{error.message}</p>;
  if (!a) return <Unavailable title="Agent not found" testId="not-found">No agent with id <code>{id}</code> is known to this master (it may have been removed).</Unavailable>;
  return (
    <>
      <div className="crumbs"><AppLink href="/agents">Agents</AppLink> /</div>
      <h1 data-testid="agent-title">
        {a.hostname || shortId(a.id)} <StateBadge value={a.state} />
        {a.deactivated && <StateBadge value="deactivated" />}
      </h1>
      <div className="grid2">
        <section className="panel">
          <h2>Agent</h2>
          <Facts
            testId="agent-facts"
            items={[
              ["ID", <code key="id">{a.id}</code>],
              ["Endpoint", a.endpoint || "—"],
              ["Version", a.version || "—"],
              ["Registered", a.registeredTime ? <When key="r" ms={a.registeredTime} /> : "—"],
              ...(a.since ? ([["Since", <When key="s" ms={a.since} />]] as [string, React.ReactNode][]) : []),
              ["Drain state", a.drain ? <StateBadge key="d" value="draining" label={a.drain.toLowerCase()} /> : a.deactivated ? "deactivated (no offers)" : "not draining"],
              ["Domain", a.domain ? `${a.domain.region} / ${a.domain.zone}` : "—"],
              ["Capabilities", a.capabilities.join(", ") || "—"],
            ]}
          />
        </section>
        <section className="panel">
          <h2>Resources</h2>
          <table className="plain" data-testid="agent-resources">
            <thead><tr><th>Resource</th><th>Allocated / total</th><th>Offered</th></tr></thead>
            <tbody>
              {NAMES.filter((n) => n !== "gpus" || a.total.gpus > 0).map((n) => (
                <tr key={n}><td>{n}</td><td><Usage name={n} used={a.allocated[n]} total={a.total[n]} /></td><td>{formatAmount(n, a.offered[n])}</td></tr>
              ))}
            </tbody>
          </table>
          <p className="sub">Total: <code>{a.totalText || "—"}</code></p>
        </section>
      </div>
      <div className="grid2">
        <section className="panel">
          <h2>Reservations and volumes</h2>
          {a.reservations.length === 0 && a.volumes.length === 0 ? <p className="muted">No reservations and no persistent volumes on this agent.</p> : null}
          {a.reservations.length > 0 && (
            <table className="plain" data-testid="agent-reservations">
              <thead><tr><th>Role</th><th>Principal</th><th>Reserved</th></tr></thead>
              <tbody>{a.reservations.map((r) => <tr key={r.role}><td>{r.role}</td><td>{r.principal ?? "—"}</td><td><code>{r.text}</code></td></tr>)}</tbody>
            </table>
          )}
          {a.volumes.length > 0 && (
            <table className="plain">
              <thead><tr><th>Volume</th><th>Role</th><th>Size</th><th>Container path</th></tr></thead>
              <tbody>{a.volumes.map((v) => <tr key={v.id}><td><code>{v.id}</code></td><td>{v.role}</td><td>{formatAmount("disk", v.sizeMb)}</td><td>{v.containerPath ?? "—"} {v.mode ?? ""}</td></tr>)}</tbody>
            </table>
          )}
        </section>
        <section className="panel">
          <h2>Attributes</h2>
          {Object.keys(a.attributes).length === 0 ? <p className="muted">No attributes.</p> : (
            <Facts items={Object.entries(a.attributes).map(([k, v]) => [k, String(v)])} testId="agent-attributes" />
          )}
          <h2>Frameworks on this agent</h2>
          {a.frameworks.length === 0 ? <p className="muted">None.</p> : (
            <ul className="plain-list">
              {a.frameworks.map((f) => <li key={f.id}><AppLink href={frameworkHref(f.id)}>{f.name || shortId(f.id)}</AppLink> <span className="muted">{f.tasks} active task{f.tasks === 1 ? "" : "s"}</span></li>)}
            </ul>
          )}
          <h2>Offers on this agent</h2>
          {a.offers.length === 0 ? <p className="muted">None outstanding.</p> : (
            <ul className="plain-list">{a.offers.map((o) => <li key={o.id}><code>{o.text}</code> <span className="muted">to {o.frameworkName || shortId(o.frameworkId)} ({o.role}), <Ago ms={o.createdAt} /></span></li>)}</ul>
          )}
        </section>
      </div>
      <section className="panel">
        <h2>Controls</h2>
        <AgentControls a={a} />
        <p className="sub">Allocated share of this agent: {formatShare(a.total.cpus > 0 ? a.allocated.cpus / a.total.cpus : 0)} of its CPUs.</p>
      </section>
      <h2>Tasks on this agent</h2>
      <ScopedTasksTable agentId={a.id} />
    </>
  );
}
