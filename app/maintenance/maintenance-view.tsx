"use client";
// The maintenance page: the schedule as windows of machines with their mode (UP/DRAINING/DOWN),
// the agents on each machine and the frameworks' answers to inverse offers; create, edit and
// remove windows; take machines down and bring them up. Every change is confirmed with the
// operator's reason (recorded in the timeline) and the master's refusal is shown in words.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { Unavailable, StateBadge } from "../components/ui";
import { ConfirmButton } from "../components/confirm";
import { AppLink } from "../components/shell/app-link";
import { agentHref, formatDateTime, formatDuration, shortId } from "../format";
import type { MaintenanceView as View } from "../../server/master/maintenance/service";

type Machine = { hostname?: string; ip?: string };
type WindowInput = { machines: Machine[]; startMs: number; durationMs?: number };

const key = (m: Machine) => `${(m.hostname ?? "").toLowerCase()}|${m.ip ?? ""}`;
const label = (m: Machine) => [m.hostname, m.ip].filter(Boolean).join(" / ");

function toInput(w: View["windows"][number]): WindowInput {
  return { machines: w.machines.map((m) => m.id), startMs: w.startMs, ...(w.durationMs !== undefined ? { durationMs: w.durationMs } : {}) };
}

/** datetime-local value (browser's local time) ↔ ms since the epoch. */
function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function MaintenanceView() {
  const trpc = useTRPC();
  const { data, error } = useQuery(trpc.maintenance.status.queryOptions());
  const [editing, setEditing] = useState<number | null>(null);
  if (error) return <p className="error" role="alert">{error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  if (!data.available) {
    return (
      <Unavailable title="Maintenance is not available" testId="maintenance-unavailable">
        This master is not leading: the schedule, machine modes and inverse offers are kept by the leading master.
      </Unavailable>
    );
  }
  const view = data.view;
  return (
    <>
      <ScheduleTable view={view} onEdit={setEditing} />
      <WindowEditor key={editing ?? "new"} view={view} index={editing} onDone={() => setEditing(null)} />
      <section className="panel">
        <h2>Outstanding inverse offers</h2>
        {view.inverseOffers.length === 0 ? (
          <p className="muted" data-testid="inverse-offers-empty">None outstanding.</p>
        ) : (
          <table className="plain" data-testid="inverse-offers">
            <thead><tr><th>Inverse offer</th><th>Framework</th><th>Agent</th><th>Unavailable from</th><th>For</th></tr></thead>
            <tbody>
              {view.inverseOffers.map((o) => (
                <tr key={o.id}>
                  <td><code title={o.id}>{shortId(o.id)}</code></td>
                  <td>{o.frameworkName || shortId(o.frameworkId)}</td>
                  <td><AppLink href={agentHref(o.agentId)}>{o.agentHostname || shortId(o.agentId)}</AppLink></td>
                  <td>{formatDateTime(o.startMs)}</td>
                  <td>{o.durationMs !== undefined ? formatDuration(o.durationMs) : "open-ended"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <details className="panel">
        <summary>Maintenance status as the operator API reports it (GET_MAINTENANCE_STATUS)</summary>
        <pre className="json" data-testid="maintenance-status-json">{JSON.stringify(data.status, null, 2)}</pre>
      </details>
    </>
  );
}

function ScheduleTable({ view, onEdit }: { view: View; onEdit: (i: number) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const done = { onSettled: () => qc.invalidateQueries() };
  const update = useMutation(trpc.maintenance.updateSchedule.mutationOptions(done));
  const down = useMutation(trpc.maintenance.machinesDown.mutationOptions(done));
  const up = useMutation(trpc.maintenance.machinesUp.mutationOptions(done));
  const windows = view.windows.map(toInput);
  return (
    <section className="panel">
      <h2>Schedule</h2>
      {view.windows.length === 0 ? (
        <p className="muted" data-testid="schedule-empty">No maintenance is scheduled: every machine is UP.</p>
      ) : (
        <table className="plain" data-testid="schedule">
          <thead><tr><th>Window</th><th>Machine</th><th>Mode</th><th>Agents</th><th>Framework answers</th><th /></tr></thead>
          <tbody>
            {view.windows.map((w, wi) =>
              w.machines.map((m, mi) => (
                <tr key={`${wi}-${key(m.id)}`} data-machine={label(m.id)}>
                  <td>
                    {mi === 0 && (
                      <>
                        <b>{formatDateTime(w.startMs)}</b>
                        <div className="sub">{w.durationMs !== undefined ? `for ${formatDuration(w.durationMs)}` : "open-ended"}</div>
                        <button type="button" onClick={() => onEdit(wi)} data-testid="window-edit">Edit window</button>
                      </>
                    )}
                  </td>
                  <td><code>{label(m.id)}</code></td>
                  <td><StateBadge value={m.mode === "DOWN" ? "down" : "draining"} label={m.mode} /></td>
                  <td>
                    {m.agents.length === 0 ? <span className="muted">none registered</span> : m.agents.map((a) => (
                      <div key={a.id}><AppLink href={agentHref(a.id)}>{a.hostname || shortId(a.id)}</AppLink> <span className="muted">{a.tasks} task{a.tasks === 1 ? "" : "s"}</span></div>
                    ))}
                  </td>
                  <td>
                    {m.answers.length === 0 ? <span className="muted">—</span> : m.answers.map((a) => (
                      <div key={a.frameworkId}>{a.frameworkName || shortId(a.frameworkId)}: <StateBadge value={a.status === "ACCEPT" ? "ok" : a.status === "DECLINE" ? "failed" : "pending"} label={a.status.toLowerCase()} /></div>
                    ))}
                  </td>
                  <td className="actions">
                    {m.mode === "DRAINING" ? (
                      <>
                        <ConfirmButton label="Take down…" danger buttonTestId="machine-down" title={`Take ${label(m.id)} down`} confirmLabel="Take machine down" testId="machine-down-dialog"
                          onConfirm={(reason) => down.mutateAsync({ machines: [m.id], reason })}>
                          <p>The machine goes DOWN: {m.agents.length === 0 ? "no agent is registered on it now" : <><b>{m.agents.length} agent{m.agents.length === 1 ? "" : "s"}</b> ({m.agents.reduce((n, a) => n + a.tasks, 0)} tasks) are shut down and removed, their tasks LOST</>}. Agents from it are refused until it is brought up.</p>
                        </ConfirmButton>
                        <ConfirmButton label="Remove…" buttonTestId="machine-remove" title={`Remove ${label(m.id)} from the schedule`} confirmLabel="Remove from schedule" testId="machine-remove-dialog"
                          onConfirm={(reason) => update.mutateAsync({ windows: windows.map((x, i) => (i === wi ? { ...x, machines: x.machines.filter((id) => key(id) !== key(m.id)) } : x)).filter((x) => x.machines.length > 0), reason })}>
                          <p>The machine leaves the schedule and is UP again; outstanding inverse offers for it are rescinded.</p>
                        </ConfirmButton>
                      </>
                    ) : (
                      <ConfirmButton label="Bring up…" buttonTestId="machine-up" title={`Bring ${label(m.id)} up`} confirmLabel="Bring machine up" testId="machine-up-dialog"
                        onConfirm={(reason) => up.mutateAsync({ machines: [m.id], reason })}>
                        <p>The machine is UP and leaves the schedule; its agents may register again.</p>
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

function WindowEditor({ view, index, onDone }: { view: View; index: number | null; onDone: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const update = useMutation(trpc.maintenance.updateSchedule.mutationOptions({ onSettled: () => qc.invalidateQueries() }));
  const windows = view.windows.map(toInput);
  const current = index !== null ? windows[index] : undefined;
  const scheduled = new Set(windows.flatMap((w, i) => (i === index ? [] : w.machines.map(key))));
  const [picked, setPicked] = useState<Machine[]>(current?.machines ?? []);
  const [start, setStart] = useState(localInput(current?.startMs ?? Date.now() + 3600_000));
  const [hours, setHours] = useState(current?.durationMs !== undefined ? String(current.durationMs / 3600_000) : "2");
  const [hostname, setHostname] = useState("");
  const [ip, setIp] = useState("");
  const pickedKeys = new Set(picked.map(key));
  const known = view.knownMachines.map((k) => k.id);
  const candidates = [...known, ...picked.filter((p) => !known.some((k) => key(k) === key(p)))].filter((m) => !scheduled.has(key(m)));
  const toggle = (m: Machine) => setPicked(pickedKeys.has(key(m)) ? picked.filter((p) => key(p) !== key(m)) : [...picked, m]);
  const agentsOf = (m: Machine) => view.knownMachines.find((x) => key(x.id) === key(m))?.agents;

  const build = (): WindowInput[] => {
    const startMs = new Date(start).getTime();
    if (!Number.isFinite(startMs)) throw new Error("Give the start of the window.");
    const duration = hours.trim() === "" ? undefined : Number(hours);
    if (duration !== undefined && (!Number.isFinite(duration) || duration < 0)) throw new Error("The duration must be a number of hours, 0 or more (empty: open-ended).");
    if (picked.length === 0) throw new Error("Pick at least one machine.");
    const w: WindowInput = { machines: picked, startMs, ...(duration !== undefined ? { durationMs: Math.round(duration * 3600_000) } : {}) };
    return index === null ? [...windows, w] : windows.map((x, i) => (i === index ? w : x));
  };

  return (
    <section className="panel" data-testid="window-editor">
      <h2>{index === null ? "Schedule a maintenance window" : `Edit the window starting ${formatDateTime(current?.startMs)}`}</h2>
      <p className="sub">Machines are identified by hostname and IP, as their agents advertise them. Frameworks running on them receive inverse offers; offers from them carry the unavailability.</p>
      <div className="machine-picks" data-testid="machine-picks">
        {candidates.length === 0 && <span className="muted">No unscheduled machine known; add one by hostname and IP.</span>}
        {candidates.map((m) => (
          <label key={key(m)}><input type="checkbox" checked={pickedKeys.has(key(m))} onChange={() => toggle(m)} data-machine={label(m)} /> {label(m)}</label>
        ))}
      </div>
      <div className="window-form">
        <label className="field"><span>Hostname</span><input value={hostname} onChange={(e) => setHostname(e.target.value)} data-testid="machine-hostname" /></label>
        <label className="field"><span>IP</span><input value={ip} onChange={(e) => setIp(e.target.value)} data-testid="machine-ip" /></label>
        <button type="button" disabled={!hostname.trim() && !ip.trim()} onClick={() => {
          const m = { ...(hostname.trim() ? { hostname: hostname.trim() } : {}), ...(ip.trim() ? { ip: ip.trim() } : {}) };
          if (!pickedKeys.has(key(m))) setPicked([...picked, m]);
          setHostname("");
          setIp("");
        }} data-testid="machine-add">Add machine</button>
      </div>
      <div className="window-form">
        <label className="field"><span>Unavailable from (local time)</span><input type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} data-testid="window-start" /></label>
        <label className="field"><span>For (hours; empty: open-ended)</span><input type="number" min={0} step="any" value={hours} onChange={(e) => setHours(e.target.value)} data-testid="window-hours" /></label>
        <div className="controls">
          <ConfirmButton
            label={index === null ? "Schedule window…" : "Save window…"}
            buttonClass="primary"
            buttonTestId="window-save"
            disabled={picked.length === 0}
            title={index === null ? "Schedule maintenance" : "Change the maintenance window"}
            confirmLabel={index === null ? "Schedule" : "Save"}
            testId="window-dialog"
            onConfirm={async (reason) => {
              await update.mutateAsync({ windows: build(), reason });
              onDone();
            }}
          >
            <p>
              {picked.length} machine{picked.length === 1 ? "" : "s"} will be DRAINING from <b>{formatDateTime(new Date(start).getTime())}</b>
              {hours.trim() === "" ? " (open-ended)" : ` for ${hours} h`}:
            </p>
            <ul className="preview-list" data-testid="window-preview">
              {picked.map((m) => {
                const agents = agentsOf(m) ?? [];
                return <li key={key(m)}><code>{label(m)}</code> <span className="muted">{agents.length > 0 ? agents.map((a) => `${a.tasks} tasks of ${a.frameworks.join(", ") || "no framework"}`).join("; ") : ""}</span></li>;
              })}
            </ul>
            <p className="sub">Frameworks with tasks there receive inverse offers; their answers appear in the schedule.</p>
          </ConfirmButton>
          {index !== null && <button type="button" onClick={onDone}>Cancel edit</button>}
        </div>
      </div>
    </section>
  );
}
