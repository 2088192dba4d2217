"use client";
import { useCan } from "../lib/use-auth";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { AppLink } from "../components/shell/app-link";
import { ConfirmDialog } from "../components/confirm";
import { formatAmount, formatShare, frameworkHref, shortId } from "../format";
import type { RoleView } from "../../server/master/views";

const QUOTA_NAMES = ["cpus", "mem", "disk"] as const;

function QuotaCell({ role }: { role: RoleView }) {
  if (!role.quota) return <span className="muted">none</span>;
  const { guarantees, limits, consumed } = role.quota;
  const names = [...new Set([...Object.keys(guarantees), ...Object.keys(limits)])];
  return (
    <div className="quota">
      {names.map((n) => {
        const limit = limits[n];
        const used = consumed[n] ?? 0;
        const pct = limit ? Math.min(100, (100 * used) / limit) : 0;
        return (
          <div key={n} className="quota-line" title={`${n}: consumed ${formatAmount(n, used)}, guarantee ${guarantees[n] !== undefined ? formatAmount(n, guarantees[n]) : "—"}, limit ${limit !== undefined ? formatAmount(n, limit) : "none"}`}>
            <span className="q-name">{n}</span>
            <span className="usage-bar"><span style={{ width: `${pct}%` }} /></span>
            <span className="q-text">{formatAmount(n, used)} · ≥{guarantees[n] !== undefined ? formatAmount(n, guarantees[n]) : "0"} · ≤{limit !== undefined ? formatAmount(n, limit) : "∞"}</span>
          </div>
        );
      })}
    </div>
  );
}

function WeightDialog({ role, onClose }: { role: RoleView; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [weight, setWeight] = useState(String(role.weight));
  const update = useMutation(trpc.roles.updateWeights.mutationOptions({ onSettled: () => qc.invalidateQueries(trpc.roles.pathFilter()) }));
  return (
    <ConfirmDialog
      open
      onClose={onClose}
      title={`Weight of role ${role.name}`}
      confirmLabel="Update weight"
      testId="weight-dialog"
      onConfirm={(reason) => update.mutateAsync({ weights: [{ role: role.name, weight: Number(weight) }], reason })}
      fields={
        <label className="field">
          <span>Weight (now {role.weight}); a higher weight gives the role a larger fair share</span>
          <input type="number" step="any" value={weight} onChange={(e) => setWeight(e.target.value)} data-testid="weight-input" />
        </label>
      }
    >
      <p>DRF divides each role&apos;s share by its weight: with weight {weight || "?"}, role <b>{role.name}</b> is offered resources as if its share were {weight && Number(weight) > 0 ? `${(1 / Number(weight)).toFixed(2)}×` : "?"} what it holds.</p>
    </ConfirmDialog>
  );
}

function QuotaDialog({ role, onClose }: { role: RoleView; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const init = (kind: "guarantees" | "limits") => Object.fromEntries(QUOTA_NAMES.map((n) => [n, role.quota?.[kind][n] !== undefined ? String(role.quota[kind][n]) : ""]));
  const [g, setG] = useState<Record<string, string>>(init("guarantees"));
  const [l, setL] = useState<Record<string, string>>(init("limits"));
  const [force, setForce] = useState(false);
  const update = useMutation(trpc.roles.updateQuota.mutationOptions({ onSettled: () => qc.invalidateQueries(trpc.roles.pathFilter()) }));
  const amounts = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).filter(([, v]) => v.trim() !== "").map(([k, v]) => [k, Number(v)]));
  return (
    <ConfirmDialog
      open
      onClose={onClose}
      title={`Quota of role ${role.name}`}
      confirmLabel="Update quota"
      testId="quota-dialog"
      onConfirm={(reason) => update.mutateAsync({ role: role.name, guarantees: amounts(g), limits: amounts(l), force, reason })}
      fields={
        <div className="quota-form">
          <table className="plain">
            <thead><tr><th>Resource</th><th>Guarantee</th><th>Limit</th><th>Consumed now</th></tr></thead>
            <tbody>
              {QUOTA_NAMES.map((n) => (
                <tr key={n}>
                  <td>{n}{n !== "cpus" ? " (MB)" : ""}</td>
                  <td><input type="number" min="0" step="any" value={g[n]} onChange={(e) => setG({ ...g, [n]: e.target.value })} aria-label={`${n} guarantee`} data-testid={`quota-g-${n}`} /></td>
                  <td><input type="number" min="0" step="any" value={l[n]} onChange={(e) => setL({ ...l, [n]: e.target.value })} aria-label={`${n} limit`} data-testid={`quota-l-${n}`} /></td>
                  <td>{formatAmount(n, role.quota?.consumed[n] ?? role.allocated[n])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <label className="check"><input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Force (skip the capacity and consumption checks)</label>
        </div>
      }
    >
      <p>Empty fields mean no guarantee / no limit. Offers that would exceed a new limit are rescinded.</p>
    </ConfirmDialog>
  );
}

export function RolesView() {
  const trpc = useTRPC();
  const { data = [], error } = useQuery(trpc.roles.list.queryOptions());
  const [weight, setWeight] = useState<RoleView | null>(null);
  const [quota, setQuota] = useState<RoleView | null>(null);
  const canWeights = useCan("UPDATE_WEIGHTS");
  const canQuota = useCan("UPDATE_QUOTA");
  if (error) return <p className="error" role="alert">{error.message}</p>;
  return (
    <>
      <table data-testid="roles-table">
        <thead>
          <tr><th>Role</th><th className="num">Weight</th><th>Quota: consumed · guarantee · limit</th><th>Allocated</th><th>Offered</th><th>Reserved</th><th className="num">Dominant share</th><th>Frameworks (share)</th><th /></tr>
        </thead>
        <tbody>
          {data.length === 0 && <tr><td colSpan={9} className="empty">No roles in use</td></tr>}
          {data.map((r) => (
            <tr key={r.name} data-role={r.name}>
              <td className="strong">{r.name}</td>
              <td className="num" data-testid="role-weight">{r.weight}</td>
              <td><QuotaCell role={r} /></td>
              <td className="nowrap">{formatAmount("cpus", r.allocated.cpus)} cpus · {formatAmount("mem", r.allocated.mem)}</td>
              <td className="nowrap">{formatAmount("cpus", r.offered.cpus)} cpus · {formatAmount("mem", r.offered.mem)}</td>
              <td className="nowrap">{r.reserved.cpus || r.reserved.mem ? `${formatAmount("cpus", r.reserved.cpus)} cpus · ${formatAmount("mem", r.reserved.mem)}` : "—"}</td>
              <td className="num">{formatShare(r.dominantShare)}</td>
              <td>
                {r.frameworks.length === 0 ? <span className="muted">—</span> : r.frameworks.map((f) => (
                  <div key={f.id}><AppLink href={frameworkHref(f.id)}>{f.name || shortId(f.id)}</AppLink> <span className="muted">{formatShare(f.dominantShare)}{f.suppressed ? ", suppressed" : ""}{f.active ? "" : ", inactive"}</span></div>
                ))}
              </td>
              <td className="nowrap">
                {canWeights && <button type="button" className="small" onClick={() => setWeight(r)} data-testid="edit-weight">Weight…</button>}{" "}
                {canQuota && <button type="button" className="small" onClick={() => setQuota(r)} data-testid="edit-quota">Quota…</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="sub">Dominant share: the largest fraction of any cluster resource the role holds (offered or used), before dividing by its weight. Role shares come from the allocator&apos;s DRF sorter.</p>
      {weight && <WeightDialog role={weight} onClose={() => setWeight(null)} />}
      {quota && <QuotaDialog role={quota} onClose={() => setQuota(null)} />}
    </>
  );
}
