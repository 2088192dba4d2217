// History kept for the dashboard beyond what Mesos keeps: the event timeline and periodic metric
// samples, both bounded and persisted through the registrar (fenced like every registry write)
// so that a restarted master shows recent history at first paint.
//
//   timeline.add ─► in memory (Timeline) ──every flushMs──► AppendTimeline (append + prune)
//   sampler ──every sampleIntervalMs──► MetricsHistory (memory) ─► AppendMetricSamples (append + prune)
//   recovery: registrar.loadHistory ─► Timeline.restore / MetricsHistory.restore
//
// Registry writes are asynchronous and never awaited by request handling; one flush is in flight
// at a time; a failed write (e.g. fenced) is logged and retried with the next flush.
import { countTasks, countTasksNow, type TaskCounts } from "./task-counts";
import type { TimerHandle } from "../clock";
import type { Master } from "../master";
import type { MetricSample, SampleQuantities } from "../metrics";
import type { RegistryOperation } from "../registrar";
import type { MetricSampleRecord, TimelineRecord } from "../registry/store";
import type { TimelineEntry } from "../timeline";
import type { StateCache } from "./render/cache";

export interface HistoryOptions {
  /** Timeline entries kept in the registry. */
  timelineMaxEntries: number;
  timelineFlushMs: number;
  metricsSampleIntervalMs: number;
  /** How long metric samples are kept (memory and registry). */
  metricsRetentionMs: number;
}

export const DEFAULT_HISTORY_OPTIONS: HistoryOptions = {
  timelineMaxEntries: 10_000,
  timelineFlushMs: 1_000,
  metricsSampleIntervalMs: 5_000,
  metricsRetentionMs: 24 * 3600_000,
};

/** Largest number of timeline rows written in one registry commit. */
const MAX_TIMELINE_BATCH = 5_000;

export const AppendTimeline = (records: TimelineRecord[], maxEntries: number): RegistryOperation => ({
  name: "AppendTimeline",
  writes: () => {
    if (records.length === 0) return [];
    const newest = records[records.length - 1]!.seq;
    return [
      { kind: "timeline.append", records },
      { kind: "timeline.prune", beforeSeq: newest - maxEntries + 1 },
    ];
  },
});

export const AppendMetricSamples = (samples: MetricSampleRecord[], keepSince: number): RegistryOperation => ({
  name: "AppendMetricSamples",
  writes: () => (samples.length === 0 ? [] : [{ kind: "metrics.append", samples }, { kind: "metrics.prune", beforeTime: keepSince }]),
});

function quantitiesOf(maps: Map<string, number>[]): SampleQuantities {
  const q: SampleQuantities = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };
  for (const map of maps) for (const key of Object.keys(q) as (keyof SampleQuantities)[]) q[key] += map.get(key) ?? 0;
  for (const key of Object.keys(q) as (keyof SampleQuantities)[]) q[key] = Math.round(q[key] * 1000) / 1000;
  return q;
}

/** One sample of the cluster (per-agent usage comes from the state cache; tasks counted before). */
export function takeSample(m: Master, cache: StateCache, counts: TaskCounts = countTasksNow(m)): MetricSample {
  const totals: Map<string, number>[] = [];
  const used: Map<string, number>[] = [];
  const agents = { connected: 0, disconnected: 0, unreachable: m.unreachableAgents.size };
  for (const agent of m.agents.values()) {
    totals.push(cache.quantities(agent.total).regular);
    used.push(cache.quantities(cache.agentUsed(agent).resources).regular);
    if (agent.connection === "connected") agents.connected++;
    else agents.disconnected++;
  }
  const offered = [...m.offers.values()].map((o) => cache.quantities(o.resources).regular);
  const frameworks = { active: 0, inactive: 0 };
  for (const fw of m.frameworks.values()) {
    if (fw.lifecycle === "connected") frameworks.active++;
    else frameworks.inactive++;
  }
  return { time: m.clock.now(), total: quantitiesOf(totals), allocated: quantitiesOf(used), offered: quantitiesOf(offered), tasks: { ...counts.all }, agents, frameworks };
}

function isSample(data: unknown): data is Omit<MetricSample, "time"> {
  return typeof data === "object" && data !== null && "total" in data && "tasks" in data;
}

export class MasterHistory {
  private persistedSeq = 0;
  private flushing = false;
  private readonly timers: TimerHandle[] = [];
  private stopped = false;
  private sampling = false;

  constructor(
    private readonly m: Master,
    private readonly cache: StateCache,
    private readonly options: HistoryOptions,
    private readonly log: (line: string) => void,
  ) {
    m.metricsHistory.setCapacity(Math.ceil(options.metricsRetentionMs / Math.max(1, options.metricsSampleIntervalMs)));
  }

  /** Loads the recent history from the registry (call once, after recovery, before start). */
  async recover(): Promise<void> {
    const limit = {
      timeline: this.options.timelineMaxEntries,
      metrics: Math.ceil(this.options.metricsRetentionMs / Math.max(1, this.options.metricsSampleIntervalMs)),
      elections: 0,
    };
    const history = await this.m.registrar.loadHistory(limit);
    const entries: TimelineEntry[] = history.timeline.map((r) => ({ ...r, kind: r.kind as TimelineEntry["kind"], result: r.result as TimelineEntry["result"] }));
    this.m.timeline.restore(entries);
    this.persistedSeq = entries.reduce((max, e) => Math.max(max, e.seq), 0);
    const keepSince = this.m.clock.now() - this.options.metricsRetentionMs;
    const samples: MetricSample[] = [];
    for (const r of history.metrics) if (r.time >= keepSince && isSample(r.data)) samples.push({ ...r.data, time: r.time });
    this.m.metricsHistory.restore(samples);
  }

  start(): void {
    const clock = this.m.clock;
    this.timers.push(clock.setInterval(() => void this.flushTimeline(), this.options.timelineFlushMs));
    this.timers.push(clock.setInterval(() => void this.sample(), this.options.metricsSampleIntervalMs));
  }

  /** Takes one sample (tasks are counted in slices; the sample is stamped when taken). */
  async sample(): Promise<MetricSample | null> {
    if (!this.m.isLeading || this.sampling) return null;
    this.sampling = true;
    let counts: TaskCounts;
    try {
      counts = await countTasks(this.m);
    } finally {
      this.sampling = false;
    }
    if (this.stopped || !this.m.isLeading) return null;
    const sample = takeSample(this.m, this.cache, counts);
    this.m.metricsHistory.add(sample);
    const { time, ...data } = sample;
    this.m.registrar
      .apply(AppendMetricSamples([{ time, data }], time - this.options.metricsRetentionMs))
      .catch((err: Error) => this.log(`master] failed to persist a metric sample: ${err.message}`));
    return sample;
  }

  /** Persists timeline entries added since the last flush. */
  async flushTimeline(final = false): Promise<void> {
    if (this.flushing || (!final && !this.m.isLeading)) return;
    const pending = this.m.timeline.list({ afterSeq: this.persistedSeq });
    if (pending.length === 0) return;
    const batch = pending.slice(-MAX_TIMELINE_BATCH);
    const records: TimelineRecord[] = batch.map((e) => ({ ...e }));
    this.flushing = true;
    try {
      await this.m.registrar.apply(AppendTimeline(records, this.options.timelineMaxEntries));
      this.persistedSeq = batch[batch.length - 1]!.seq;
    } catch (err) {
      if (!this.stopped) this.log(`master] failed to persist ${records.length} timeline entries: ${(err as Error).message}`);
    } finally {
      this.flushing = false;
    }
  }

  /** Stops the timers after a last timeline flush. */
  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) t.cancel();
    await this.flushTimeline(true);
    this.stopped = true;
  }
}
