// Health checks of command tasks (Mesos's health checker run by the command executor;
// agent-executor.md §8). COMMAND (exit 0 = healthy), HTTP (GET 127.0.0.1:<port><path>, 200–399 =
// healthy, redirects followed) and TCP (connect to 127.0.0.1:<port>).
//
//   task RUNNING ──delay──► check ──interval──► check ──► …     (one timer per checked task)
//
// `judge` is the pure policy: failures during the grace period (counted from the task's start,
// until the first success) are ignored; every other failure is reported (TASK_RUNNING with
// healthy=false) and counted; the first success after start or after a failure is reported
// (healthy=true); `consecutive_failures` failures in a row kill the task.
import { spawn } from "node:child_process";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { HealthCheck } from "../protocol/mesos";
import type { Clock, TimerHandle } from "./clock";

export const HEALTH_DEFAULTS = { delaySeconds: 15, intervalSeconds: 10, timeoutSeconds: 20, consecutiveFailures: 3, gracePeriodSeconds: 10 };

export interface HealthCheckConfig {
  type: "COMMAND" | "HTTP" | "TCP";
  delayMs: number;
  intervalMs: number;
  timeoutMs: number;
  consecutiveFailures: number;
  gracePeriodMs: number;
  command?: string;
  /** exec form of COMMAND: argv */
  argv?: string[];
  http?: { port: number; path: string; scheme: "http" | "https" };
  tcp?: { port: number };
}

/** The effective configuration (Mesos defaults filled in), or a validation error message. */
export function healthCheckConfig(hc: HealthCheck): HealthCheckConfig | string {
  const d = HEALTH_DEFAULTS;
  const seconds = (v: number | undefined, fallback: number, name: string): number | string =>
    v === undefined ? fallback * 1000 : v < 0 ? `Health check '${name}' must be non-negative` : v * 1000;
  const delayMs = seconds(hc.delay_seconds, d.delaySeconds, "delay_seconds");
  const intervalMs = seconds(hc.interval_seconds, d.intervalSeconds, "interval_seconds");
  const timeoutMs = seconds(hc.timeout_seconds, d.timeoutSeconds, "timeout_seconds");
  const gracePeriodMs = seconds(hc.grace_period_seconds, d.gracePeriodSeconds, "grace_period_seconds");
  for (const v of [delayMs, intervalMs, timeoutMs, gracePeriodMs]) if (typeof v === "string") return v;
  const base = {
    delayMs: delayMs as number,
    intervalMs: Math.max(intervalMs as number, 10),
    timeoutMs: timeoutMs as number,
    gracePeriodMs: gracePeriodMs as number,
    consecutiveFailures: hc.consecutive_failures ?? d.consecutiveFailures,
  };
  switch (hc.type) {
    case "COMMAND": {
      const c = hc.command;
      if (c?.value === undefined || c.value === "") return "Command health check must contain 'command.value'";
      if (c.shell === false) return { ...base, type: "COMMAND", argv: [c.value, ...(c.arguments ?? []).slice(1)] };
      return { ...base, type: "COMMAND", command: c.value };
    }
    case "HTTP": {
      if (hc.http === undefined) return "HTTP health check must contain 'http'";
      const scheme = hc.http.scheme ?? "http";
      if (scheme !== "http" && scheme !== "https") return `Unsupported HTTP health check scheme: '${scheme}'`;
      const p = hc.http.path ?? "/";
      if (!p.startsWith("/")) return "The path of an HTTP health check must start with '/'";
      return { ...base, type: "HTTP", http: { port: hc.http.port, path: p, scheme } };
    }
    case "TCP":
      if (hc.tcp === undefined) return "TCP health check must contain 'tcp'";
      return { ...base, type: "TCP", tcp: { port: hc.tcp.port } };
    default:
      return "Health check type must be COMMAND, HTTP or TCP";
  }
}

export interface HealthState {
  /** When the task started (ms): the grace period counts from here. */
  startedAt: number;
  succeeded: boolean;
  consecutiveFailures: number;
  /** The last health reported in an update, if any. */
  reported?: boolean;
}

export interface HealthVerdict {
  state: HealthState;
  /** Send TASK_RUNNING with this `healthy` value. */
  report?: boolean;
  /** Kill the task (too many consecutive failures). */
  kill: boolean;
}

/** The health checker's policy (pure). */
export function judge(state: HealthState, healthy: boolean, now: number, cfg: Pick<HealthCheckConfig, "gracePeriodMs" | "consecutiveFailures">): HealthVerdict {
  if (healthy) {
    const next = { ...state, succeeded: true, consecutiveFailures: 0, reported: true };
    return { state: next, report: state.reported !== true ? true : undefined, kill: false };
  }
  if (!state.succeeded && now - state.startedAt < cfg.gracePeriodMs) return { state, kill: false };
  const failures = state.consecutiveFailures + 1;
  return { state: { ...state, consecutiveFailures: failures, reported: false }, report: false, kill: failures >= cfg.consecutiveFailures };
}

export interface ProbeContext {
  env: Record<string, string>;
  cwd: string;
}

/** Runs one check; resolves true when healthy. Never rejects. */
export async function probe(cfg: HealthCheckConfig, ctx: ProbeContext): Promise<boolean> {
  try {
    if (cfg.type === "COMMAND") return await commandProbe(cfg, ctx);
    if (cfg.type === "HTTP") return await httpProbe(cfg.http!, cfg.timeoutMs);
    return await tcpProbe(cfg.tcp!.port, cfg.timeoutMs);
  } catch {
    return false;
  }
}

function commandProbe(cfg: HealthCheckConfig, ctx: ProbeContext): Promise<boolean> {
  const argv = cfg.argv ?? ["/bin/sh", "-c", cfg.command!];
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ctx.cwd, env: ctx.env as NodeJS.ProcessEnv, detached: true, stdio: "ignore" });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
      resolve(false);
    }, cfg.timeoutMs);
    child.once("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

function httpProbe(target: { port: number; path: string; scheme: "http" | "https" }, timeoutMs: number, redirects = 5): Promise<boolean> {
  return new Promise((resolve) => {
    const get = target.scheme === "https" ? https.get : http.get;
    const req = get({ host: "127.0.0.1", port: target.port, path: target.path, timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location && redirects > 0) {
        const next = new URL(location, `${target.scheme}://127.0.0.1:${target.port}${target.path}`);
        const scheme = next.protocol === "https:" ? "https" : "http";
        resolve(httpProbe({ port: Number(next.port) || (scheme === "https" ? 443 : 80), path: next.pathname + next.search, scheme }, timeoutMs, redirects - 1));
        return;
      }
      resolve(status >= 200 && status < 400);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(false));
  });
}

function tcpProbe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export interface HealthCheckerDeps {
  clock: Clock;
  config: HealthCheckConfig;
  context: () => ProbeContext;
  /** Health to report on a TASK_RUNNING update. */
  report(healthy: boolean): void;
  /** Consecutive failures reached: kill the task. */
  kill(): void;
  probe?: (cfg: HealthCheckConfig, ctx: ProbeContext) => Promise<boolean>;
}

/** Runs the checks of one task until stopped or until it asks for the kill. */
export class HealthChecker {
  private state: HealthState;
  private timer?: TimerHandle;
  private stopped = false;

  constructor(
    private readonly d: HealthCheckerDeps,
    startedAt: number,
  ) {
    this.state = { startedAt, succeeded: false, consecutiveFailures: 0 };
  }

  start(): void {
    const elapsed = this.d.clock.now() - this.state.startedAt;
    this.schedule(Math.max(0, this.d.config.delayMs - elapsed));
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.d.clock.setTimeout(() => void this.check(), ms);
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    const healthy = await (this.d.probe ?? probe)(this.d.config, this.d.context());
    if (this.stopped) return;
    const verdict = judge(this.state, healthy, this.d.clock.now(), this.d.config);
    this.state = verdict.state;
    if (verdict.report !== undefined) this.d.report(verdict.report);
    if (verdict.kill) {
      this.stopped = true;
      this.d.kill();
      return;
    }
    this.schedule(this.d.config.intervalMs);
  }
}
