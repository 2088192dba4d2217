// /metrics/snapshot, GET_METRICS and /metrics (Prometheus): Mesos's master, allocator,
// registrar and system metric keys (operator-api.md §6). Gauges are computed from the master's
// state when asked (sums over agents use the per-agent cached usage, so a snapshot of a 20k-agent
// cluster stays cheap); counters come from MasterCounters.
//
// Not reported (no Plateau equivalent): `allocator/mesos/allocation_run_latency_ms`,
// `allocator/mesos/offer_filters/...`, `registrar/log/*`, `master/operations/<type>/...`.
// `master/event_queue_*` are 0 (Node has no actor mailbox); `master/http_cache_hits` counts
// task JSON fragments served from the state cache.
import os from "node:os";
import { TASK_STATES, isTerminalState, type TaskState } from "../../protocol/mesos";
import type { Master } from "../master";
import type { StateCache } from "./render/cache";
import { agentActive } from "./render/legacy";
import { countTasksNow, type TaskCounts } from "./task-counts";

export interface MetricsSources {
  m: Master;
  cache: StateCache;
  operatorSubscribers: number;
}

export const MESSAGE_METRICS = [
  "authenticate", "deactivate_framework", "decline_offers", "executor_to_framework", "exited_executor",
  "framework_to_executor", "kill_task", "launch_tasks", "operation_status_update",
  "operation_status_update_acknowledgement", "reconcile_operations", "reconcile_tasks", "register_framework",
  "register_slave", "reregister_framework", "reregister_slave", "resource_request", "revive_offers",
  "status_update", "status_update_acknowledgement", "suppress_offers", "unregister_framework", "unregister_slave",
  "update_slave",
] as const;

const TERMINAL_COUNTERS: [string, TaskState][] = [
  ["finished", "TASK_FINISHED"], ["failed", "TASK_FAILED"], ["killed", "TASK_KILLED"], ["lost", "TASK_LOST"],
  ["error", "TASK_ERROR"], ["dropped", "TASK_DROPPED"], ["gone", "TASK_GONE"], ["gone_by_operator", "TASK_GONE_BY_OPERATOR"],
];

/** Names of counters (monotonic); everything else is a gauge. For Prometheus TYPE lines. */
export function isCounter(name: string): boolean {
  if (name.startsWith("master/messages_") || name === "master/dropped_messages") return true;
  if (/^master\/(valid|invalid)_/.test(name)) return true;
  if (/^master\/task_[a-z_]+\/source_/.test(name)) return true;
  if (/^master\/tasks_(finished|failed|killed|lost|error|dropped|gone|gone_by_operator)$/.test(name)) return true;
  if (/^master\/slave_(registrations|reregistrations|removals|unreachable_(scheduled|completed|canceled)|shutdowns_)/.test(name)) return true;
  if (name === "master/recovery_slave_removals" || name === "master/http_cache_hits") return true;
  if (name === "allocator/mesos/allocation_runs") return true;
  if (/\/(calls|events)(\/|$)/.test(name) && name.startsWith("master/frameworks/")) return true;
  return /\/count$/.test(name);
}

const PERCENTILES: [string, number][] = [["p50", 0.5], ["p90", 0.9], ["p95", 0.95], ["p99", 0.99], ["p999", 0.999], ["p9999", 0.9999]];

/** A Mesos timer: last value plus /count, /min, /max and percentiles (only once it has samples). */
export function timerMetrics(out: Record<string, number>, name: string, samples: readonly number[]): void {
  if (samples.length === 0) return;
  const sorted = [...samples].sort((a, b) => a - b);
  out[name] = samples[samples.length - 1]!;
  out[`${name}/count`] = samples.length;
  out[`${name}/min`] = sorted[0]!;
  out[`${name}/max`] = sorted[sorted.length - 1]!;
  for (const [key, q] of PERCENTILES) out[`${name}/${key}`] = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function add(into: Map<string, number>, from: Map<string, number>): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The whole snapshot, keys sorted. `counts`: a task count (countTasks; counted now if absent). */
export function metricsSnapshot(src: MetricsSources, counts: TaskCounts = countTasksNow(src.m)): Record<string, number> {
  const { m, cache } = src;
  const out: Record<string, number> = {};
  const c = m.counters;
  const now = m.clock.now();

  out["master/elected"] = m.isLeading ? 1 : 0;
  out["master/uptime_secs"] = (now - m.startTime) / 1000;

  // Resources.
  const total = new Map<string, number>();
  const used = new Map<string, number>();
  const totalRevocable = new Map<string, number>();
  const usedRevocable = new Map<string, number>();
  let active = 0;
  let connected = 0;
  for (const agent of m.agents.values()) {
    if (agentActive(agent)) active++;
    if (agent.connection === "connected") connected++;
    const t = cache.quantities(agent.total);
    add(total, t.regular);
    add(totalRevocable, t.revocable);
    const u = cache.quantities(cache.agentUsed(agent).resources);
    add(used, u.regular);
    add(usedRevocable, u.revocable);
  }
  for (const name of ["cpus", "mem", "disk", "gpus"]) {
    const tt = round(total.get(name) ?? 0);
    const uu = round(used.get(name) ?? 0);
    out[`master/${name}_total`] = tt;
    out[`master/${name}_used`] = uu;
    out[`master/${name}_percent`] = tt > 0 ? uu / tt : 0;
    const rt = round(totalRevocable.get(name) ?? 0);
    const ru = round(usedRevocable.get(name) ?? 0);
    out[`master/${name}_revocable_total`] = rt;
    out[`master/${name}_revocable_used`] = ru;
    out[`master/${name}_revocable_percent`] = rt > 0 ? ru / rt : 0;
  }

  // Agents.
  out["master/slaves_active"] = active;
  out["master/slaves_inactive"] = m.agents.size - active;
  out["master/slaves_connected"] = connected;
  out["master/slaves_disconnected"] = m.agents.size - connected;
  out["master/slaves_unreachable"] = m.unreachableAgents.size;
  out["master/slave_registrations"] = c.agentRegistrations;
  out["master/slave_reregistrations"] = c.agentReregistrations;
  out["master/slave_removals"] = c.agentRemovals;
  out["master/slave_removals/reason_registered"] = 0;
  out["master/slave_removals/reason_unhealthy"] = c.agentsUnreachableCompleted;
  out["master/slave_removals/reason_unregistered"] = 0;
  out["master/slave_unreachable_scheduled"] = c.agentsUnreachableScheduled;
  out["master/slave_unreachable_completed"] = c.agentsUnreachableCompleted;
  out["master/slave_unreachable_canceled"] = Math.max(0, c.agentsUnreachableScheduled - c.agentsUnreachableCompleted);
  out["master/slave_shutdowns_scheduled"] = 0;
  out["master/slave_shutdowns_completed"] = 0;
  out["master/slave_shutdowns_canceled"] = 0;
  out["master/recovery_slave_removals"] = 0;

  // Frameworks and offers.
  let fwConnected = 0;
  for (const fw of m.frameworks.values()) if (fw.lifecycle === "connected") fwConnected++;
  out["master/frameworks_active"] = fwConnected;
  out["master/frameworks_inactive"] = m.frameworks.size - fwConnected;
  out["master/frameworks_connected"] = fwConnected;
  out["master/frameworks_disconnected"] = m.frameworks.size - fwConnected;
  out["master/outstanding_offers"] = m.offers.size;

  // Tasks: gauges from state, counters from MasterCounters.
  const gauges = counts.active;
  const perFramework = counts.perFramework;
  for (const state of ["staging", "starting", "running", "killing"] as const) {
    out[`master/tasks_${state}`] = gauges[`TASK_${state.toUpperCase()}` as TaskState] ?? 0;
  }
  out["master/tasks_unreachable"] = counts.unreachable;
  for (const [name, state] of TERMINAL_COUNTERS) out[`master/tasks_${name}`] = c.terminalTasks.get(state) ?? 0;
  for (const [detail, n] of c.taskStateDetail) out[`master/${detail}`] = n;

  // Messages.
  for (const name of MESSAGE_METRICS) out[`master/messages_${name}`] = c.messages.get(name) ?? 0;
  out["master/dropped_messages"] = c.droppedMessages;
  out["master/valid_status_updates"] = c.validStatusUpdates;
  out["master/invalid_status_updates"] = c.invalidStatusUpdates;
  out["master/valid_status_update_acknowledgements"] = c.validAcknowledgements;
  out["master/invalid_status_update_acknowledgements"] = c.invalidAcknowledgements;
  for (const kind of ["operation_status_updates", "operation_status_update_acknowledgements", "framework_to_executor_messages", "executor_to_framework_messages"]) {
    out[`master/valid_${kind}`] = 0;
    out[`master/invalid_${kind}`] = 0;
  }
  out["master/operations/total"] = 0;

  // Event queues (no actor mailboxes in Node) and the HTTP cache.
  out["master/event_queue_messages"] = 0;
  out["master/event_queue_dispatches"] = 0;
  out["master/event_queue_http_requests"] = 0;
  out["master/operator_event_stream_subscribers"] = src.operatorSubscribers;
  out["master/http_cache_hits"] = cache.stats.hits;

  // Per framework (Mesos --publish_per_framework_metrics, default true).
  for (const fw of m.frameworks.values()) {
    const prefix = `master/frameworks/${encodeURIComponent(fw.info.name)}/${fw.id}`;
    out[`${prefix}/subscribed`] = fw.lifecycle === "connected" ? 1 : 0;
    const calls = c.frameworkCalls.get(fw.id);
    let callTotal = 0;
    for (const [call, n] of calls ?? []) {
      out[`${prefix}/calls/${call.toLowerCase()}`] = n;
      callTotal += n;
    }
    out[`${prefix}/calls`] = callTotal;
    const events = c.frameworkEvents.get(fw.id);
    let eventTotal = 0;
    for (const [event, n] of events ?? []) {
      out[`${prefix}/events/${event.toLowerCase()}`] = n;
      eventTotal += n;
    }
    out[`${prefix}/events`] = eventTotal;
    const mine = perFramework.get(fw.id);
    for (const state of TASK_STATES) {
      if (isTerminalState(state)) out[`${prefix}/tasks/terminal/${state.toLowerCase()}`] = mine?.terminal.get(state) ?? 0;
      else out[`${prefix}/tasks/active/${state.toLowerCase()}`] = mine?.active.get(state) ?? 0;
    }
  }

  // Allocator.
  out["allocator/event_queue_dispatches"] = 0;
  out["allocator/mesos/event_queue_dispatches"] = 0;
  out["allocator/mesos/allocation_runs"] = m.allocationRuns;
  timerMetrics(out, "allocator/mesos/allocation_run_ms", m.allocationRunMs);
  const offered = new Map<string, number>();
  for (const offer of m.offers.values()) add(offered, cache.quantities(offer.resources).regular);
  for (const name of ["cpus", "mem", "disk"]) {
    out[`allocator/mesos/resources/${name}/total`] = round(total.get(name) ?? 0);
    out[`allocator/mesos/resources/${name}/offered_or_allocated`] = round((used.get(name) ?? 0) + (offered.get(name) ?? 0));
  }
  const snapshot = m.allocator.snapshot?.();
  for (const role of snapshot?.roles ?? []) {
    out[`allocator/mesos/roles/${role.role}/shares/dominant`] = role.dominantShare;
    if (!role.quota) continue;
    const names = new Set([...Object.keys(role.quota.guarantees), ...Object.keys(role.quota.limits)]);
    for (const name of names) {
      const base = `allocator/mesos/quota/roles/${role.role}/resources/${name}`;
      if (role.quota.guarantees[name] !== undefined) out[`${base}/guarantee`] = role.quota.guarantees[name]!;
      if (role.quota.limits[name] !== undefined) out[`${base}/limit`] = role.quota.limits[name]!;
      out[`${base}/offered_or_allocated`] = role.consumed[name] ?? 0;
    }
  }

  // Registrar.
  const stats = m.registrar.stats;
  out["registrar/queued_operations"] = stats.queued;
  timerMetrics(out, "registrar/state_store_ms", stats.storeMsSamples);

  // System.
  const [l1, l5, l15] = os.loadavg();
  out["system/cpus_total"] = os.cpus().length;
  out["system/load_1min"] = l1!;
  out["system/load_5min"] = l5!;
  out["system/load_15min"] = l15!;
  out["system/mem_total_bytes"] = os.totalmem();
  out["system/mem_free_bytes"] = os.freemem();

  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Prometheus text exposition (version 0.0.4) of a snapshot: `mesos_` + the key with every
 *  character outside [a-zA-Z0-9_] as `_`; one TYPE line per metric. */
export function prometheusText(snapshot: Record<string, number>): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(snapshot)) {
    const name = prometheusName(key);
    if (seen.has(name)) continue; // two keys differing only in punctuation: keep the first
    seen.add(name);
    lines.push(`# TYPE ${name} ${isCounter(key) ? "counter" : "gauge"}`);
    lines.push(`${name} ${formatValue(value)}`);
  }
  return lines.join("\n") + "\n";
}

export function prometheusName(key: string): string {
  return "mesos_" + key.replace(/[^a-zA-Z0-9_]/g, "_");
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}
