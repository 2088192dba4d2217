// Framework failover deadlines that survive a master failover (Mesos keeps failover timers in
// memory only, so a new leader forgets them). When a framework with a failover_timeout disconnects
// its deadline is written to the registry; re-subscribing or removal deletes it. A newly elected
// master starts a timer for every persisted deadline: a framework that has not re-subscribed by
// then is removed (its tasks killed), and one never seen again is listed as completed, so its
// tasks are shut down when their agents re-register and its id cannot subscribe again.
import type { FrameworkInfo } from "../protocol/mesos";
import type { TimerHandle } from "./clock";
import { newFramework, removeFramework } from "./frameworks";
import type { Master } from "./master";
import type { RegistryOperation } from "./registrar";
import type { Framework } from "./state";

export const FAILOVER_DEADLINE_PREFIX = "framework_failover_deadline/";

export interface FailoverDeadline {
  frameworkId: string;
  /** ms since epoch */
  deadline: number;
  info: FrameworkInfo;
}

const PutDeadline = (d: FailoverDeadline): RegistryOperation => ({
  name: "PutFrameworkFailoverDeadline",
  writes: () => [{ kind: "entry.put", key: FAILOVER_DEADLINE_PREFIX + d.frameworkId, value: d }],
});

const ClearDeadline = (frameworkId: string): RegistryOperation => ({
  name: "ClearFrameworkFailoverDeadline",
  writes: (state) => (state.entries.has(FAILOVER_DEADLINE_PREFIX + frameworkId) ? [{ kind: "entry.delete", key: FAILOVER_DEADLINE_PREFIX + frameworkId }] : []),
});

function isDeadline(v: unknown): v is FailoverDeadline {
  const d = v as FailoverDeadline;
  return typeof d === "object" && d !== null && typeof d.frameworkId === "string" && typeof d.deadline === "number" && typeof d.info === "object";
}

export class FailoverDeadlines {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly persisted = new Map<string, number>();
  private unsubscribe: () => void = () => {};

  constructor(
    private readonly m: Master,
    private readonly log: (line: string) => void,
  ) {}

  /** Arms timers for the deadlines in the recovered registry, then follows framework changes. */
  start(): void {
    const m = this.m;
    for (const [key, value] of m.registrar.view().entries) {
      if (!key.startsWith(FAILOVER_DEADLINE_PREFIX) || !isDeadline(value)) continue;
      this.persisted.set(value.frameworkId, value.deadline);
      this.arm(value);
      this.log(`master] Framework ${value.frameworkId} must re-subscribe within ${Math.max(0, Math.round((value.deadline - m.clock.now()) / 1000))}s (failover deadline from the registry)`);
    }
    this.unsubscribe = m.events.subscribe((e) => {
      if (e.type === "FRAMEWORK_ADDED" || e.type === "FRAMEWORK_UPDATED") this.onFramework(e.framework);
      else if (e.type === "FRAMEWORK_REMOVED") this.clear(e.framework.id);
    });
  }

  stop(): void {
    this.unsubscribe();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private onFramework(framework: Framework): void {
    if (framework.lifecycle === "connected") {
      this.clear(framework.id);
      return;
    }
    if (framework.lifecycle !== "disconnected" || framework.unregisteredTime === undefined) return;
    const timeoutMs = (framework.info.failover_timeout ?? 0) * 1000;
    if (timeoutMs <= 0) return;
    const deadline = Math.round(framework.unregisteredTime + timeoutMs);
    if (this.persisted.get(framework.id) === deadline) return;
    this.persisted.set(framework.id, deadline);
    this.m.registrar
      .apply(PutDeadline({ frameworkId: framework.id, deadline, info: framework.info }))
      .catch((err: Error) => this.log(`master] failed to persist the failover deadline of framework ${framework.id}: ${err.message}`));
  }

  private clear(frameworkId: string): void {
    this.timers.get(frameworkId)?.cancel();
    this.timers.delete(frameworkId);
    if (!this.persisted.delete(frameworkId)) return;
    this.m.registrar
      .apply(ClearDeadline(frameworkId))
      .catch((err: Error) => this.log(`master] failed to clear the failover deadline of framework ${frameworkId}: ${err.message}`));
  }

  private arm(d: FailoverDeadline): void {
    const m = this.m;
    const timer = m.clock.setTimeout(() => {
      this.timers.delete(d.frameworkId);
      const framework = m.frameworks.get(d.frameworkId);
      if (framework?.lifecycle === "connected") return;
      const why = "failover timeout expired (deadline kept across a master failover)";
      if (framework) {
        removeFramework(m, framework, why);
      } else if (!m.completedFrameworks.some((c) => c.framework.id === d.frameworkId)) {
        const now = m.clock.now();
        const gone = newFramework(m, d.frameworkId, d.info, now, "disconnected");
        gone.unregisteredTime = d.deadline - (d.info.failover_timeout ?? 0) * 1000;
        m.completedFrameworks.push({ framework: gone, removedTime: now });
        if (m.completedFrameworks.length > m.config.maxCompletedFrameworks) m.completedFrameworks.shift();
        m.timeline.add({ time: now, kind: "framework", action: "FRAMEWORK_REMOVED", summary: `Framework ${d.info.name} (${d.frameworkId}) removed: ${why}`, frameworkId: d.frameworkId });
        this.clear(d.frameworkId);
      }
      // removeFramework publishes FRAMEWORK_REMOVED, which clears the entry.
    }, Math.max(0, d.deadline - m.clock.now()));
    this.timers.set(d.frameworkId, timer);
  }
}
