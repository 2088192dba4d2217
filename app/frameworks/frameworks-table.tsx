"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { AppLink } from "../components/shell/app-link";
import { StateBadge } from "../components/ui";
import { TeardownDialog } from "../components/actions";
import { formatAmount, frameworkHref, shortId } from "../format";
import { Ago } from "../components/time";

export function FrameworksTable() {
  const trpc = useTRPC();
  const { data = [], error } = useQuery(trpc.frameworks.list.queryOptions());
  const [showCompleted, setShowCompleted] = useState(false);
  const [teardown, setTeardown] = useState<string | null>(null);
  const active = data.filter((f) => f.lifecycle !== "completed");
  const completed = data.filter((f) => f.lifecycle === "completed");
  const rows = showCompleted ? completed : active;
  return (
    <>
      <div className="filters">
        <div className="chips" role="group" aria-label="Frameworks">
          <button type="button" className={!showCompleted ? "chip on" : "chip"} onClick={() => setShowCompleted(false)}>Registered <span className="count">{active.length}</span></button>
          <button type="button" className={showCompleted ? "chip on" : "chip"} onClick={() => setShowCompleted(true)} data-testid="show-completed">Completed <span className="count">{completed.length}</span></button>
        </div>
      </div>
      {error && <p className="error" role="alert">{error.message}</p>}
      <table data-testid="frameworks-table">
        <thead>
          <tr><th>Name</th><th>ID</th><th>State</th><th>Roles</th><th>Principal</th><th>User</th><th className="num">Active tasks</th><th className="num">CPUs</th><th className="num">Memory</th><th className="num">Offers</th><th>Registered</th><th /></tr>
        </thead>
        <tbody>
          {rows.length === 0 && <tr><td colSpan={12} className="empty">{showCompleted ? "No completed frameworks" : "No frameworks registered"}</td></tr>}
          {rows.map((f) => (
            <tr key={f.id} data-framework-id={f.id}>
              <td><AppLink href={frameworkHref(f.id)} className="strong">{f.name}</AppLink></td>
              <td title={f.id}><code>{shortId(f.id)}</code></td>
              <td><StateBadge value={f.lifecycle} /></td>
              <td>{f.roles.join(", ")}</td>
              <td>{f.principal ?? "—"}</td>
              <td>{f.user}</td>
              <td className="num">{f.activeTasks}</td>
              <td className="num">{formatAmount("cpus", f.allocated.cpus)}</td>
              <td className="num">{formatAmount("mem", f.allocated.mem)}</td>
              <td className="num">{f.offers}</td>
              <td><Ago ms={f.registeredTime} /></td>
              <td>{f.lifecycle !== "completed" && <button type="button" className="small danger" onClick={() => setTeardown(f.id)} data-testid="row-teardown">Teardown</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {teardown && <TeardownDialog frameworkId={teardown} open onClose={() => setTeardown(null)} />}
    </>
  );
}
