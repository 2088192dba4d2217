// Dynamic reservations and persistent volumes as conversions of resources (Mesos's
// ResourceConversion): RESERVE turns `from` (the resources one reservation lower) into `to`,
// UNRESERVE the reverse, CREATE turns reserved disk into a volume, DESTROY the reverse. The agent
// checkpoints the resources that need it (dynamically reserved ones and persistent volumes) and
// reports them when it (re)registers; the total is its static `--resources` with those applied.
import type { Resource } from "../protocol/mesos";
import { isDynamicallyReserved, isPersistentVolume } from "./format";
import { Resources } from "./resources";

export interface Conversion {
  from: Resources;
  to: Resources;
}

/** Resources the agent must checkpoint: dynamically reserved, or persistent volumes. */
export function needsCheckpointing(r: Resource): boolean {
  return isDynamicallyReserved(r) || isPersistentVolume(r);
}

export function checkpointedPart(resources: Resources): Resources {
  return resources.filter(needsCheckpointing);
}

/** A wire copy of `r` without its persistent-volume fields (DiskInfo.persistence and .volume). */
function withoutVolume(r: Resource): Resource {
  if (r.disk?.persistence === undefined && r.disk?.volume === undefined) return r;
  const { persistence: _p, volume: _v, ...disk } = r.disk;
  const out: Resource = { ...r };
  if (Object.keys(disk).length > 0) out.disk = disk;
  else delete out.disk;
  return out;
}

/** What a checkpointed resource was carved from: no volume, no dynamic reservations (static ones stay). */
function staticSource(r: Resource): Resource {
  const out = withoutVolume(r);
  const stack = out.reservations ?? [];
  let keep = stack.length;
  while (keep > 0 && stack[keep - 1]!.type === "DYNAMIC") keep--;
  if (keep === stack.length) return out;
  const copy: Resource = { ...out };
  if (keep === 0) delete copy.reservations;
  else copy.reservations = stack.slice(0, keep);
  return copy;
}

/**
 * The agent's total: its static resources with every checkpointed resource applied (the
 * resource it was carved from replaced by it). A message when a checkpointed resource does not
 * fit (the static resources changed under it).
 */
export function applyCheckpointed(staticTotal: Resources, checkpointed: Resources): { ok: true; total: Resources } | { ok: false; error: string } {
  let total = staticTotal;
  for (const r of checkpointed.toArray()) {
    const target = Resources.from([r]);
    const source = Resources.from([staticSource(r)]);
    if (!total.contains(source)) {
      return { ok: false, error: `Checkpointed resources ${target.toString()} are incompatible with the agent's resources ${staticTotal.toString()}` };
    }
    total = total.subtract(source).add(target);
  }
  return { ok: true, total };
}

/** RESERVE: each resource's stack minus its top entry becomes the full stack. Throws on an unreserved resource. */
export function reserveConversion(resources: Resources): Conversion {
  return { from: resources.popReservation(), to: resources };
}

/** UNRESERVE: the top reservation of each resource is removed. */
export function unreserveConversion(resources: Resources): Conversion {
  return { from: resources, to: resources.popReservation() };
}

/** CREATE: the reserved disk the volumes are made of becomes the volumes. */
export function createConversion(volumes: Resources): Conversion {
  return { from: Resources.from(volumes.toArray().map(withoutVolume)), to: volumes };
}

/** DESTROY: the volumes become plain reserved disk again. */
export function destroyConversion(volumes: Resources): Conversion {
  return { from: volumes, to: Resources.from(volumes.toArray().map(withoutVolume)) };
}

/** Applies a conversion to `resources`; null when `from` is not contained. */
export function applyConversion(resources: Resources, c: Conversion): Resources | null {
  return resources.contains(c.from) ? resources.subtract(c.from).add(c.to) : null;
}
