// The other masters of this cluster (`host:port`), as this master's leader election sees them:
// the dashboard may call them cross-origin to follow the leader after a failover. Refreshed in
// the background from the handle's HA status at most every few seconds; lookups are synchronous.
import type { MasterHandle } from "../master/handle";

const REFRESH_MS = 3_000;

let known = new Set<string>();
let refreshedAt = 0;
let refreshing: Promise<void> | null = null;

function addressesOf(info: { address?: { hostname?: string; ip?: string; port: number }; hostname?: string; port?: number }): string[] {
  const port = info.address?.port ?? info.port;
  const hosts = [info.address?.hostname, info.address?.ip, info.hostname].filter((h): h is string => !!h);
  return [...new Set(hosts)].map((h) => `${h}:${port}`.toLowerCase());
}

/** Starts a refresh when the cached list is stale; never throws. */
export function refreshPeers(handle: MasterHandle | null): Promise<void> {
  if (!handle || refreshing || Date.now() - refreshedAt < REFRESH_MS) return refreshing ?? Promise.resolve();
  refreshedAt = Date.now();
  refreshing = handle
    .highAvailability()
    .then((ha) => {
      if (!ha) return;
      const next = new Set<string>();
      for (const c of ha.contenders) if (c.info) for (const a of addressesOf(c.info)) next.add(a);
      if (ha.leader) for (const a of addressesOf(ha.leader)) next.add(a);
      for (const a of addressesOf(ha.self)) next.add(a);
      for (const e of ha.elections) next.add(e.address.toLowerCase());
      known = next;
    })
    .catch(() => {})
    .finally(() => (refreshing = null));
  return refreshing;
}

export function isPeerMaster(hostPort: string): boolean {
  return known.has(hostPort.toLowerCase());
}
