// Offer filters: DECLINE/ACCEPT `refuse_seconds` hide declined resources of an agent from a
// framework's role until they expire. A filter applies to offers whose resources are a subset of
// the filtered resources (Mesos's RefusedOfferFilter).
import type { Resources } from "../resources";

export const DEFAULT_REFUSE_SECONDS = 5;
const MAX_REFUSE_SECONDS = 365 * 24 * 60 * 60;

/**
 * Normalises a framework-supplied refuse_seconds the way the Mesos master does:
 * absent or negative → 5 s default; above 365 days → capped; 0 → no filter (returns 0).
 * The effective duration is at least the allocation interval.
 */
export function effectiveRefuseSeconds(requested: number | undefined, allocationIntervalMs: number): number {
  let seconds = requested === undefined || requested < 0 || Number.isNaN(requested) ? DEFAULT_REFUSE_SECONDS : requested;
  if (seconds === 0) return 0;
  seconds = Math.min(seconds, MAX_REFUSE_SECONDS);
  return Math.max(seconds, allocationIntervalMs / 1000);
}

export interface OfferFilter {
  resources: Resources;
  expiresAt: number;
}

/** Per (framework, role, agent) list of filters. */
export class OfferFilters {
  private readonly filters = new Map<string, OfferFilter[]>();

  private static key(frameworkId: string, role: string, agentId: string): string {
    return `${frameworkId}\u0000${role}\u0000${agentId}`;
  }

  add(frameworkId: string, role: string, agentId: string, resources: Resources, expiresAt: number): void {
    const key = OfferFilters.key(frameworkId, role, agentId);
    const list = this.filters.get(key) ?? [];
    list.push({ resources, expiresAt });
    this.filters.set(key, list);
  }

  /** True if some unexpired filter covers `resources` (expired ones are dropped). */
  isFiltered(frameworkId: string, role: string, agentId: string, resources: Resources, now: number): boolean {
    const key = OfferFilters.key(frameworkId, role, agentId);
    const list = this.filters.get(key);
    if (!list) return false;
    const live = list.filter((f) => f.expiresAt > now);
    if (live.length === 0) {
      this.filters.delete(key);
      return false;
    }
    if (live.length !== list.length) this.filters.set(key, live);
    return live.some((f) => f.resources.contains(resources));
  }

  clearFramework(frameworkId: string, roles?: ReadonlySet<string>): void {
    for (const key of [...this.filters.keys()]) {
      const [fw, role] = key.split("\u0000");
      if (fw === frameworkId && (!roles || roles.has(role!))) this.filters.delete(key);
    }
  }

  clearAgent(agentId: string): void {
    for (const key of [...this.filters.keys()]) {
      if (key.endsWith(`\u0000${agentId}`)) this.filters.delete(key);
    }
  }

  /** Number of live filters per role (for metrics). */
  countByRole(now: number): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [key, list] of this.filters) {
      const role = key.split("\u0000")[1]!;
      const live = list.filter((f) => f.expiresAt > now).length;
      if (live > 0) counts.set(role, (counts.get(role) ?? 0) + live);
    }
    return counts;
  }
}
