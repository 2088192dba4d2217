"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { formatAmount } from "../format";

const NAMES = ["cpus", "mem", "disk", "gpus", "ports"] as const;
const LABEL: Record<(typeof NAMES)[number], string> = { cpus: "CPUs", mem: "Memory", disk: "Disk", gpus: "GPUs", ports: "Ports" };

/** Total / allocated / offered / idle per resource, as reported by the master. */
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

export function Counts() {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.cluster.overview.queryOptions());
  if (!data) return null;
  const taskStates = Object.entries(data.tasks).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="counts" aria-label="Counts">
      <div className="count-group" data-testid="agent-counts">
        <h3>Agents</h3>
        <ul>
          <li><b>{data.agents.connected}</b> connected</li>
          <li><b>{data.agents.disconnected}</b> disconnected</li>
          <li><b>{data.agents.recovered}</b> awaiting re-registration</li>
          <li><b>{data.agents.unreachable}</b> unreachable</li>
          <li><b>{data.agents.deactivated}</b> deactivated</li>
        </ul>
      </div>
      <div className="count-group" data-testid="framework-counts">
        <h3>Frameworks</h3>
        <ul>
          <li><b>{data.frameworks.connected}</b> connected</li>
          <li><b>{data.frameworks.disconnected}</b> disconnected</li>
          <li><b>{data.frameworks.recovered}</b> recovered</li>
          <li><b>{data.frameworks.completed}</b> completed</li>
        </ul>
      </div>
      <div className="count-group" data-testid="task-counts">
        <h3>Tasks</h3>
        {taskStates.length === 0 ? <p className="muted">No tasks yet</p> : (
          <ul>{taskStates.map(([state, n]) => <li key={state}><b>{n}</b> {state.replace("TASK_", "").toLowerCase()}</li>)}</ul>
        )}
      </div>
      <div className="count-group">
        <h3>Offers</h3>
        <ul><li><b>{data.outstandingOffers}</b> outstanding</li></ul>
      </div>
    </section>
  );
}
