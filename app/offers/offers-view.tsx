"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { AppLink } from "../components/shell/app-link";
import { agentHref, formatAmount, formatDateTime, frameworkHref, shortId } from "../format";
import { Age } from "../components/time";

type Group = "framework" | "agent";

export function OffersView() {
  const trpc = useTRPC();
  const { data, error } = useQuery(trpc.offers.list.queryOptions());
  const [group, setGroup] = useState<Group>("framework");
  if (error) return <p className="error" role="alert">{error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const groups = new Map<string, { label: string; href: string; offers: typeof data.offers }>();
  for (const o of data.offers) {
    const k = group === "framework" ? o.frameworkId : o.agentId;
    const g = groups.get(k) ?? { label: group === "framework" ? o.frameworkName || shortId(o.frameworkId) : o.agentHostname || shortId(o.agentId), href: group === "framework" ? frameworkHref(k) : agentHref(k), offers: [] };
    g.offers.push(o);
    groups.set(k, g);
  }
  return (
    <>
      <div className="filters">
        <div className="chips" role="group" aria-label="Group by">
          <button type="button" className={group === "framework" ? "chip on" : "chip"} onClick={() => setGroup("framework")}>By framework</button>
          <button type="button" className={group === "agent" ? "chip on" : "chip"} onClick={() => setGroup("agent")} data-testid="group-agent">By agent</button>
        </div>
        <span className="result-count muted" data-testid="offer-count">{data.offers.length} outstanding offer{data.offers.length === 1 ? "" : "s"}</span>
      </div>
      {data.offers.length === 0 && <p className="panel muted" data-testid="no-offers">No outstanding offers: every framework has declined or accepted what it was offered, or nothing is free.</p>}
      {[...groups].map(([k, g]) => (
        <section key={k} className="panel" data-testid="offer-group">
          <h2><AppLink href={g.href}>{g.label}</AppLink> <span className="muted">({g.offers.length})</span></h2>
          <table className="plain">
            <thead><tr><th>Offer</th><th>{group === "framework" ? "Agent" : "Framework"}</th><th>Role</th><th className="num">CPUs</th><th className="num">Memory</th><th className="num">Disk</th><th>Resources</th><th>Age</th></tr></thead>
            <tbody>
              {g.offers.map((o) => (
                <tr key={o.id} data-offer-id={o.id}>
                  <td><code title={o.id}>{shortId(o.id)}</code></td>
                  <td>{group === "framework" ? <AppLink href={agentHref(o.agentId)}>{o.agentHostname || shortId(o.agentId)}</AppLink> : <AppLink href={frameworkHref(o.frameworkId)}>{o.frameworkName || shortId(o.frameworkId)}</AppLink>}</td>
                  <td>{o.role}</td>
                  <td className="num">{formatAmount("cpus", o.resources.cpus)}</td>
                  <td className="num">{formatAmount("mem", o.resources.mem)}</td>
                  <td className="num">{formatAmount("disk", o.resources.disk)}</td>
                  <td><code className="ellipsis" title={o.text}>{o.text}</code></td>
                  <td className="nowrap"><Age ms={o.createdAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <section className="panel">
        <h2>Inverse offers</h2>
        {data.inverseOffers === null ? (
          <p className="muted" data-testid="inverse-unavailable">Inverse offers are kept by the leading master; this master is not leading.</p>
        ) : data.inverseOffers.length === 0 ? (
          <p className="muted">No outstanding inverse offers (frameworks on machines scheduled for maintenance receive them).</p>
        ) : (
          <table className="plain" data-testid="inverse-offers">
            <thead><tr><th>Inverse offer</th><th>Framework</th><th>Agent</th><th>Unavailable from</th><th>Age</th></tr></thead>
            <tbody>
              {data.inverseOffers.map((o) => (
                <tr key={o.id}>
                  <td><code title={o.id}>{shortId(o.id)}</code></td>
                  <td><AppLink href={frameworkHref(o.frameworkId)}>{o.frameworkName || shortId(o.frameworkId)}</AppLink></td>
                  <td><AppLink href={agentHref(o.agentId)}>{o.agentHostname || shortId(o.agentId)}</AppLink></td>
                  <td>{formatDateTime(o.startMs)}</td>
                  <td className="nowrap"><Age ms={o.createdAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
