// Cross-site request checks for the dashboard's mutations (basic CSRF defence until login and
// sessions exist): a mutation must carry the `x-plateau-csrf` header — which a cross-site form or
// a "simple" cross-origin request cannot set — and, when the browser says where it comes from,
// come from this master's own origin or from another master of the same cluster (the dashboard
// keeps working against the new leader after a failover). Pure functions; unit-tested.

export const CSRF_HEADER = "x-plateau-csrf";

export interface RequestFacts {
  /** Host header of the request (host:port). */
  host?: string;
  /** Origin header, if the client sent one. */
  origin?: string;
  /** Value of the x-plateau-csrf header. */
  csrf?: string;
}

/** `host:port` of an origin URL, or null when it is not an http(s) origin. */
export function originHost(origin: string): string | null {
  try {
    const u = new URL(origin);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return null;
  }
}

/**
 * Why a mutation must be refused, or null when it may proceed. `isPeer(hostPort)` says whether an
 * origin's host:port is another master of this cluster.
 */
export function csrfProblem(req: RequestFacts, isPeer: (hostPort: string) => boolean): string | null {
  if (req.csrf !== "1") return `Missing the ${CSRF_HEADER} header: state-changing requests must come from the dashboard`;
  if (req.origin === undefined) return null;
  const from = originHost(req.origin);
  if (from === null) return `Requests from origin '${req.origin}' are not accepted`;
  if (req.host !== undefined && from.toLowerCase() === req.host.toLowerCase()) return null;
  if (isPeer(from)) return null;
  return `Requests from origin '${req.origin}' are not accepted: only this cluster's masters may change it`;
}
