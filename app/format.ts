// Display formatting shared by dashboard components.

export function formatMem(mb: number): string {
  if (mb >= 1024 * 1024) return `${(mb / 1024 / 1024).toFixed(1)} TB`;
  if (mb >= 1024) return `${(mb / 1024).toFixed(1)} GB`;
  return `${Math.round(mb)} MB`;
}

export function formatAmount(name: string, value: number): string {
  if (name === "mem" || name === "disk") return formatMem(value);
  if (name === "cpus" || name === "gpus") return String(Math.round(value * 100) / 100);
  return String(Math.round(value));
}

export function formatTime(ms: number | undefined): string {
  if (ms === undefined) return "—";
  return new Date(ms).toLocaleTimeString(undefined, { hour12: false });
}

export function formatAgo(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined) return "—";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function shortId(id: string): string {
  return id.length > 14 ? `…${id.slice(-12)}` : id;
}

const STATE_TONE: Record<string, string> = {
  TASK_RUNNING: "ok",
  TASK_FINISHED: "done",
  TASK_STAGING: "pending",
  TASK_STARTING: "pending",
  TASK_KILLING: "warn",
  TASK_KILLED: "muted",
  TASK_FAILED: "bad",
  TASK_ERROR: "bad",
  TASK_LOST: "bad",
  TASK_DROPPED: "bad",
  TASK_GONE: "bad",
  TASK_GONE_BY_OPERATOR: "bad",
  TASK_UNREACHABLE: "warn",
  TASK_UNKNOWN: "warn",
  connected: "ok",
  disconnected: "warn",
  recovered: "pending",
  unreachable: "bad",
  completed: "muted",
  recovered_agent: "pending",
  gone: "muted",
  deactivated: "warn",
  draining: "warn",
  leading: "ok",
  contending: "pending",
  standalone: "ok",
  expired: "bad",
  closed: "muted",
  connecting: "pending",
  UP: "ok",
  DRAINING: "warn",
  DOWN: "bad",
};

export function stateTone(state: string): string {
  return STATE_TONE[state] ?? "muted";
}

export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

export function formatDateTime(ms: number | undefined): string {
  if (ms === undefined) return "—";
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export function formatPercent(part: number, total: number): string {
  if (total <= 0) return "—";
  const p = (100 * part) / total;
  return p > 0 && p < 1 ? "<1%" : `${Math.round(p)}%`;
}

export function formatShare(share: number): string {
  return share > 0 && share < 0.001 ? "<0.1%" : `${(share * 100).toFixed(1)}%`;
}

/** TASK_RUNNING → running */
export function stateLabel(state: string): string {
  return state.replace(/^TASK_/, "").replace(/_/g, " ").toLowerCase();
}

/** URL of a task's detail page (task ids are unique per framework). */
export function taskHref(frameworkId: string, taskId: string, sub = ""): string {
  return `/tasks/${encodeURIComponent(taskId)}${sub}?framework=${encodeURIComponent(frameworkId)}`;
}

export const agentHref = (id: string) => `/agents/${encodeURIComponent(id)}`;
export const frameworkHref = (id: string) => `/frameworks/${encodeURIComponent(id)}`;
