import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock";
import { HealthChecker, healthCheckConfig, judge, type HealthCheckConfig, type HealthState } from "./health";

const cfg = { gracePeriodMs: 10_000, consecutiveFailures: 3 };
const fresh = (startedAt = 0): HealthState => ({ startedAt, succeeded: false, consecutiveFailures: 0 });

describe("health check configuration", () => {
  it("fills in Mesos's defaults (delay 15 s, interval 10 s, timeout 20 s, 3 failures, grace 10 s)", () => {
    expect(healthCheckConfig({ type: "TCP", tcp: { port: 80 } })).toEqual({
      type: "TCP", tcp: { port: 80 }, delayMs: 15_000, intervalMs: 10_000, timeoutMs: 20_000, consecutiveFailures: 3, gracePeriodMs: 10_000,
    });
    expect(healthCheckConfig({ type: "HTTP", http: { port: 8080 } })).toMatchObject({ http: { port: 8080, path: "/", scheme: "http" } });
    expect(healthCheckConfig({ type: "COMMAND", command: { value: "true" } })).toMatchObject({ command: "true" });
  });

  it("refuses incomplete or invalid checks", () => {
    expect(healthCheckConfig({ type: "COMMAND" })).toMatch(/command/);
    expect(healthCheckConfig({ type: "HTTP", http: { port: 1, scheme: "ftp" } })).toMatch(/scheme/);
    expect(healthCheckConfig({ type: "TCP", tcp: { port: 1 }, interval_seconds: -1 })).toMatch(/non-negative/);
    expect(healthCheckConfig({})).toMatch(/COMMAND, HTTP or TCP/);
  });
});

describe("the health checker's policy", () => {
  it("ignores failures during the grace period until the first success", () => {
    const v = judge(fresh(0), false, 5_000, cfg);
    expect(v).toEqual({ state: fresh(0), kill: false });
    expect(judge(fresh(0), false, 10_000, cfg)).toMatchObject({ report: false, kill: false, state: { consecutiveFailures: 1 } });
  });

  it("reports the first success, then only changes; kills after consecutive failures", () => {
    let s = fresh(0);
    const step = (healthy: boolean, now: number) => {
      const v = judge(s, healthy, now, cfg);
      s = v.state;
      return [v.report, v.kill];
    };
    expect(step(true, 1000)).toEqual([true, false]); // first healthy result
    expect(step(true, 2000)).toEqual([undefined, false]); // still healthy: nothing to say
    expect(step(false, 3000)).toEqual([false, false]); // after a success the grace period is over
    expect(step(true, 4000)).toEqual([true, false]); // healthy again
    expect(step(false, 5000)).toEqual([false, false]);
    expect(step(false, 6000)).toEqual([false, false]);
    expect(step(false, 7000)).toEqual([false, true]); // third in a row
  });

  it("runs checks on the clock: delay first, then every interval, until it asks for the kill", async () => {
    const clock = new ManualClock(0);
    const config = healthCheckConfig({ type: "TCP", tcp: { port: 1 }, delay_seconds: 1, interval_seconds: 2, consecutive_failures: 2, grace_period_seconds: 0 }) as HealthCheckConfig;
    const reports: boolean[] = [];
    let killed = false;
    const probes: number[] = [];
    const checker = new HealthChecker({
      clock, config, context: () => ({ env: {}, cwd: "/" }), report: (h) => reports.push(h), kill: () => (killed = true),
      probe: async () => (probes.push(clock.now()), false),
    }, 0);
    checker.start();
    for (let t = 0; t < 6000; t += 500) {
      clock.advance(500);
      await new Promise((r) => setImmediate(r));
    }
    expect(probes).toEqual([1000, 3000]);
    expect(reports).toEqual([false, false]);
    expect(killed).toBe(true);
  });
});
