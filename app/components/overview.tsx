"use client";
// The overview's figures: resources total/allocated/offered/idle, agents/frameworks/tasks by
// state, outstanding offers, and the most recent events.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { formatAmount, stateLabel } from "../format";
import { AppLink } from "./shell/app-link";
import { TimelineList } from "./timeline";

const NAMES = ["cpus", "mem", "disk", "gpus", "ports"] as const;
const LABEL: Record<(typeof NAMES)[number], string> = { cpus: "CPUs", mem: "Memory", disk: "Disk", gpus: "GPUs", ports: "Ports" };

export function ResourceSummary() {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.cluster.overview.queryOptions());
  if (!data) return null;
  const r = data.resources;
  return (
    <section className="cards" aria-label="Cluster resources">
      {NAMES.filter((n) => n !== "gpus" || r.total.gpus > 0).map((name) => {
        const total = r.total[name];
        const pct = (v: number) => (total > 0 ? (100 * v) / total : 0);
        return (
          <div className="card" key={name} data-testid={`resource-${name}`}>
            <div className="card-title">{LABEL[name]}</div>
            <div className="card-value">{formatAmount(name, total)}</div>
            <div className="bar" role="img" aria-label={`${LABEL[name]}: ${formatAmount(name, r.allocated[name])} allocated, ${formatAmount(name, r.offered[name])} offered, ${formatAmount(name, r.idle[name])} idle`}>
              <span className="seg allocated" style={{ width: `${pct(r.allocated[name])}%` }} />
              <span className="seg offered" style={{ width: `${pct(r.offered[name])}%` }} />
            </div>
            <dl className="legend">
              <div><dt><i className="sw allocated" />Allocated</dt><dd data-testid={`resource-${name}-allocated`}>{formatAmount(name, r.allocated[name])}</dd></div>
              <div><dt><i className="sw offered" />Offered</dt><dd>{formatAmount(name, r.offered[name])}</dd></div>
              <div><dt><i className="sw idle" />Idle</dt><dd>{formatAmount(name, r.idle[name])}</dd></div>
            </dl>
          </div>
        );
      })}
    </section>
  );
}

function Count({ n, label, href }: { n: number; label: string; href?: string }) {
  const body = <><b>{n.toLocaleString("en-US")}</b> {label}</>;
  return <li className={n === 0 ? "zero" : undefined}>{href && n > 0 ? <AppLink href={href}>{body}</AppLink> : body}</li>;
}

export function Counts() {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.cluster.overview.queryOptions());
  if (!data) return null;
  const taskStates = Object.entries(data.tasks).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="counts" aria-label="Counts">
      <div className="count-group" data-testid="agent-counts">
        <h3><AppLink href="/agents">Agents</AppLink></h3>
        <ul>
          <Count n={data.agents.connected} label="connected" href="/agents?state=connected" />
          <Count n={data.agents.disconnected} label="disconnected" href="/agents?state=disconnected" />
          <Count n={data.agents.recovered} label="awaiting re-registration" href="/agents?state=recovered" />
          <Count n={data.agents.unreachable} label="unreachable" href="/agents?state=unreachable" />
          <Count n={data.agents.gone} label="gone" href="/agents?state=gone" />
          <Count n={data.agents.deactivated} label="deactivated" href="/agents?state=deactivated" />
        </ul>
      </div>
      <div className="count-group" data-testid="framework-counts">
        <h3><AppLink href="/frameworks">Frameworks</AppLink></h3>
        <ul>
          <Count n={data.frameworks.connected} label="connected" />
          <Count n={data.frameworks.disconnected} label="disconnected" />
          <Count n={data.frameworks.recovered} label="recovered" />
          <Count n={data.frameworks.completed} label="completed" />
        </ul>
      </div>
      <div className="count-group" data-testid="task-counts">
        <h3><AppLink href="/tasks">Tasks</AppLink></h3>
        {taskStates.length === 0 ? <p className="muted">No tasks yet</p> : (
          <ul>{taskStates.map(([state, n]) => <Count key={state} n={n ?? 0} label={stateLabel(state)} href={`/tasks?state=${state}`} />)}</ul>
        )}
      </div>
      <div className="count-group">
        <h3><AppLink href="/offers">Offers</AppLink></h3>
        <ul><Count n={data.outstandingOffers} label="outstanding" href="/offers" /></ul>
      </div>
    </section>
  );
}

export function RecentEvents() {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.events.list.queryOptions({ limit: 12 }));
  return (
    <section>
      <div className="section-head"><h2>Recent events</h2><AppLink href="/events">All events →</AppLink></div>
      <TimelineList entries={data?.entries ?? []} testId="timeline" compact />
    </section>
  );
}
