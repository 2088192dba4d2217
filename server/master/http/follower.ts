// Mesos endpoints on a master that does not lead (a standby, or an elected master still
// recovering the registry). It answers for itself: health, /master/redirect, its own metrics
// (`master/elected` 0), flags, version, and the Plateau GET_ELECTIONS call. Every other Mesos path
// is leader-only: 307 to the leader, or 503 (see ../../ha/gate.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { gateRequest, isRedirectPath, redirectEndpointDecision, sendDecision, type GateView } from "../../ha/gate";
import { GET_ELECTIONS, haStatusJson } from "../../ha/wire";
import { HttpError, parseUrl, readBody, sendEmpty, sendJson, sendText } from "../../http/util";
import { INTERNAL_AGENT_PATH } from "../../protocol/internal";
import type { Master } from "../master";

const LEADER_ONLY_EXACT = new Set(["/api/v1", "/api/v1/scheduler", "/state", "/state.json", "/state-summary", "/tasks.json", "/roles.json", "/logging/toggle"]);
const OPERATOR_API = new Set(["/api/v1", "/master/api/v1"]);

/** Paths the Mesos HTTP layer owns (everything else belongs to tRPC and the dashboard). */
export function isMesosPath(path: string): boolean {
  return LEADER_ONLY_EXACT.has(path) || path.startsWith("/master/") || path.startsWith("/files/") || path === "/metrics" || path === "/metrics/snapshot" || path === "/version" || path === "/health" || path === "/redirect" || path.startsWith("/redirect/");
}

/** Answers a request to a master that is not leading; false if the path is not a Mesos path. */
export function handleAsFollower(m: Master, view: GateView, req: IncomingMessage, res: ServerResponse): boolean {
  const { path } = parseUrl(req.url);
  if (path === INTERNAL_AGENT_PATH || !isMesosPath(path)) return false;
  if (isRedirectPath(req.url)) {
    req.resume();
    sendDecision(res, redirectEndpointDecision(view, path));
    return true;
  }
  switch (path) {
    case "/master/health":
    case "/health":
      req.resume();
      sendEmpty(res, 200);
      return true;
    case "/metrics/snapshot":
      req.resume();
      sendJson(res, 200, followerMetrics(m));
      return true;
    case "/metrics": {
      req.resume();
      const text = Object.entries(followerMetrics(m)).map(([k, v]) => `${k.replace(/[^a-zA-Z0-9_]/g, "_")} ${v}`).join("\n") + "\n";
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }).end(text);
      return true;
    }
    case "/master/flags":
      req.resume();
      sendJson(res, 200, { flags: m.config.displayFlags });
      return true;
  }
  if (OPERATOR_API.has(path) && req.method === "POST") {
    void answerOperatorCall(m, view, req, res);
    return true;
  }
  gateRequest(view, req, res);
  return true;
}

/** `master/elected` and uptime, as every Mesos master reports them. */
function followerMetrics(m: Master): Record<string, number> {
  return { "master/elected": 0, "master/uptime_secs": (m.clock.now() - m.startTime) / 1000 };
}

/** GET_ELECTIONS is answered here; every other call goes to the leader. */
async function answerOperatorCall(m: Master, view: GateView, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let type: unknown;
  try {
    const body = await readBody(req, 64 * 1024);
    type = (JSON.parse(body.toString("utf8")) as { type?: unknown } | null)?.type;
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) type = undefined;
  }
  if (type === GET_ELECTIONS && m.highAvailability) {
    try {
      sendJson(res, 200, haStatusJson(await m.highAvailability()));
    } catch (err) {
      sendText(res, 500, `Failed to read the election history: ${(err as Error).message}`);
    }
    return;
  }
  gateRequest(view, req, res);
}
