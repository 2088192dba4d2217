// What a master that is not leading answers on the Mesos endpoints (Mesos master/http.cpp
// `redirect`): 307 with a protocol-relative `Location: //<leader host>:<port><path?query>` when the
// leader is known, 503 "No leader elected" when it is not, 503 "Master has not finished recovery"
// while this master is elected but still loading the registry. `/master/redirect` answers 307 to
// the leader's base URL (also on the leader itself); paths below it are 404 (no redirect loops).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MasterInfo } from "../protocol/mesos";
import { parseUrl, sendEmpty, sendText } from "../http/util";
import { masterAddress } from "./types";

export interface GateView {
  /** This master's id (MasterInfo.id of its current candidacy). */
  selfId: string;
  /** This master has recovered the registry and leads. */
  leading: boolean;
  /** The leader as detected (may be this master). */
  leader: MasterInfo | null;
}

export type GateDecision =
  | { kind: "serve" }
  | { kind: "redirect"; location: string }
  | { kind: "unavailable"; message: string };

export const NO_LEADER = "No leader elected";
export const NOT_RECOVERED = "Master has not finished recovery";

/** Decision for a leader-only endpoint requested as `pathAndQuery`. */
export function gateDecision(view: GateView, pathAndQuery: string): GateDecision {
  if (view.leading) return { kind: "serve" };
  if (!view.leader) return { kind: "unavailable", message: NO_LEADER };
  if (view.leader.id === view.selfId) return { kind: "unavailable", message: NOT_RECOVERED };
  return { kind: "redirect", location: `//${masterAddress(view.leader)}${pathAndQuery}` };
}

/** `/master/redirect` (and `/redirect`): to the leader's base URL, wherever it is asked. */
export function redirectEndpointDecision(view: GateView, path: string): GateDecision | { kind: "not_found" } {
  if (/^\/(master\/)?redirect\/./.test(path)) return { kind: "not_found" };
  if (!view.leader) return { kind: "unavailable", message: NO_LEADER };
  return { kind: "redirect", location: `//${masterAddress(view.leader)}` };
}

export function sendDecision(res: ServerResponse, decision: GateDecision | { kind: "not_found" }): void {
  switch (decision.kind) {
    case "serve":
      return;
    case "redirect":
      return sendEmpty(res, 307, { Location: decision.location });
    case "unavailable":
      return sendText(res, 503, decision.message);
    case "not_found":
      return sendText(res, 404, "Not found");
  }
}

/** Answers (and returns true) unless this master should serve the request itself. */
export function gateRequest(view: GateView, req: IncomingMessage, res: ServerResponse): boolean {
  const decision = gateDecision(view, req.url ?? "/");
  if (decision.kind === "serve") return false;
  req.resume();
  sendDecision(res, decision);
  return true;
}

export function isRedirectPath(url: string | undefined): boolean {
  const { path } = parseUrl(url);
  return path === "/master/redirect" || path === "/redirect" || path.startsWith("/master/redirect/") || path.startsWith("/redirect/");
}
