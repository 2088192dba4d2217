"use client";
// Overview charts: allocation, task counts and offers over time, from the master's metric history
// (sampled by the master, so the charts have history at first paint), with timeline annotations
// (agents lost/returned, elections, operator actions) drawn as vertical markers.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "../trpc/client";
import type { MetricSample } from "../../server/master/metrics";
import type { TimelineEntry } from "../../server/master/timeline";

export const CHART_WINDOWS = [
  { label: "15 min", ms: 15 * 60_000 },
  { label: "1 hour", ms: 3_600_000 },
  { label: "6 hours", ms: 6 * 3_600_000 },
  { label: "24 hours", ms: 24 * 3_600_000 },
] as const;

const pct = (a: number, b: number) => (b > 0 ? Math.round((1000 * a) / b) / 10 : 0);
const ACTIVE = ["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING"] as const;

function rowsOf(samples: MetricSample[]) {
  return samples.map((s) => ({
    time: s.time,
    cpusAllocated: pct(s.allocated.cpus, s.total.cpus),
    memAllocated: pct(s.allocated.mem, s.total.mem),
    cpusOffered: pct(s.offered.cpus, s.total.cpus),
    memOffered: pct(s.offered.mem, s.total.mem),
    running: s.tasks.TASK_RUNNING ?? 0,
    starting: (s.tasks.TASK_STAGING ?? 0) + (s.tasks.TASK_STARTING ?? 0),
    killing: s.tasks.TASK_KILLING ?? 0,
    failed: (s.tasks.TASK_FAILED ?? 0) + (s.tasks.TASK_LOST ?? 0) + (s.tasks.TASK_ERROR ?? 0),
    active: ACTIVE.reduce((n, k) => n + (s.tasks[k] ?? 0), 0),
    agents: s.agents.connected,
    offersCpus: s.offered.cpus,
  }));
}

const clock = (t: number) => new Date(t).toLocaleTimeString(undefined, { hour12: false, hour: "2-digit", minute: "2-digit" });
const clockSeconds = (t: number) => new Date(t).toLocaleTimeString(undefined, { hour12: false });
const ANNOTATED = ["agent", "election", "operator"] as const;

function Markers({ events }: { events: TimelineEntry[] }) {
  return (
    <>
      {events.map((e) => (
        <ReferenceLine key={e.seq} x={e.time} stroke={e.kind === "operator" ? "var(--pending)" : e.kind === "election" ? "var(--warn)" : "var(--bad)"} strokeDasharray="3 3" ifOverflow="hidden" label={undefined} />
      ))}
    </>
  );
}

function Chart({ title, data, lines, unit, events, domain, testId }: { title: string; data: ReturnType<typeof rowsOf>; lines: { key: string; name: string; color: string }[]; unit?: string; events: TimelineEntry[]; domain: [number, number]; testId: string }) {
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={170}>
        <LineChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: -12 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" vertical={false} />
          <XAxis dataKey="time" type="number" scale="time" domain={domain} tickFormatter={domain[1] - domain[0] < 20 * 60_000 ? clockSeconds : clock} stroke="var(--muted)" fontSize={11} minTickGap={40} />
          <YAxis stroke="var(--muted)" fontSize={11} unit={unit} allowDecimals={false} width={52} />
          <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleString()} contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" }} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Markers events={events} />
          {lines.map((l) => <Line key={l.key} type="linear" dataKey={l.key} name={l.name} stroke={l.color} dot={false} strokeWidth={1.6} isAnimationActive={false} />)}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function OverviewCharts() {
  const trpc = useTRPC();
  const [windowMs, setWindowMs] = useState<number>(3_600_000);
  const { data } = useQuery(trpc.cluster.metrics.queryOptions({ windowMs, maxPoints: 360 }));
  const { data: ev } = useQuery(trpc.events.list.queryOptions({ kinds: [...ANNOTATED], sinceMs: data ? Math.floor((data.now - windowMs) / 60_000) * 60_000 : undefined, limit: 200 }, { enabled: !!data, gcTime: 60_000 }));
  const samples = data?.samples ?? [];
  const rows = rowsOf(samples);
  const events = (ev?.entries ?? []).filter((e) => ANNOTATED.includes(e.kind as (typeof ANNOTATED)[number]));
  const domain: [number, number] = data ? [Math.max(data.now - windowMs, samples[0]?.time ?? data.now - windowMs), data.now] : [0, 1];
  return (
    <section className="charts-section" aria-label="History">
      <div className="section-head">
        <h2>History</h2>
        <div className="chips" role="group" aria-label="Time window">
          {CHART_WINDOWS.map((w) => <button key={w.ms} type="button" className={w.ms === windowMs ? "chip on" : "chip"} onClick={() => setWindowMs(w.ms)}>{w.label}</button>)}
        </div>
        <span className="legend-note muted"><i className="mark bad" /> agent lost/returned <i className="mark warn" /> election <i className="mark pending" /> operator action</span>
      </div>
      {!data ? (
        <p className="muted">Loading history…</p>
      ) : samples.length < 2 ? (
        <p className="panel muted" data-testid="history-empty">
          No history yet: the master samples the cluster every few seconds and keeps the samples in its registry; the charts appear after the first two samples.
        </p>
      ) : (
        <div className="charts" data-testid="charts">
          <Chart testId="chart-allocation" title="Allocated and offered (% of cluster)" unit="%" data={rows} events={events} domain={domain} lines={[{ key: "cpusAllocated", name: "CPUs allocated", color: "var(--allocated)" }, { key: "memAllocated", name: "Memory allocated", color: "var(--ok)" }, { key: "cpusOffered", name: "CPUs offered", color: "var(--offered-line)" }]} />
          <Chart testId="chart-tasks" title="Tasks" data={rows} events={events} domain={domain} lines={[{ key: "running", name: "Running", color: "var(--ok)" }, { key: "starting", name: "Staging/starting", color: "var(--pending)" }, { key: "killing", name: "Killing", color: "var(--warn)" }, { key: "failed", name: "Failed/lost (kept)", color: "var(--bad)" }]} />
          <Chart testId="chart-offers" title="Offers and agents" data={rows} events={events} domain={domain} lines={[{ key: "offersCpus", name: "CPUs in offers", color: "var(--offered-line)" }, { key: "agents", name: "Agents connected", color: "var(--allocated)" }]} />
        </div>
      )}
    </section>
  );
}
