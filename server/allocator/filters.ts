// Offer filters: DECLINE/ACCEPT `refuse_seconds` hide declined resources of an agent from a
// framework's role until they expire; the filters themselves live in filter-index.ts. This file
// holds the master-side normalisation of the requested duration.

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
