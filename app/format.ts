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
};

export function stateTone(state: string): string {
  return STATE_TONE[state] ?? "muted";
}
