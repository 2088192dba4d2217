// The /trpc HTTP endpoint of a master process: tRPC's Node adapter behind a small CORS layer that
// lets a dashboard loaded from another master of the same cluster call this one (how the open
// page follows the leader after a failover without a reload). Other origins get no CORS headers,
// so browsers keep them out; mutations are checked again in operatorProcedure (./init.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { appRouter } from "./router";
import { createContext, getMasterHandle } from "./init";
import { CSRF_HEADER, originHost } from "./origin";
import { isPeerMaster, refreshPeers } from "./peers";

export const TRPC_MAX_BODY_BYTES = 1024 * 1024;

export function createTrpcHttpHandler(): (req: IncomingMessage, res: ServerResponse) => void {
  // Dashboard calls are small: 1 MB is plenty (bigger bodies are refused with 413).
  const trpc = createHTTPHandler({ router: appRouter, createContext, basePath: "/trpc/", maxBodySize: TRPC_MAX_BODY_BYTES });
  return (req, res) => {
    const origin = req.headers.origin;
    const host = req.headers.host;
    const from = origin ? originHost(origin) : null;
    if (origin && from === null) {
      // "null" (sandboxed frames, file: pages) or a non-http origin: never one of ours.
      res.writeHead(403, { "Content-Type": "text/plain" }).end(`Requests from origin '${origin}' are not accepted`);
      return;
    }
    if (from === null || from.toLowerCase() === host?.toLowerCase()) {
      trpc(req, res);
      return;
    }
    // Cross-origin: answer CORS only for this cluster's masters (refreshing the list if the origin is new).
    const known = isPeerMaster(from) ? Promise.resolve() : refreshPeers(getMasterHandle());
    void known.then(() => {
      if (isPeerMaster(from)) {
        res.setHeader("Access-Control-Allow-Origin", origin!);
        res.setHeader("Vary", "Origin");
        // The dashboard's session cookie is sent to the cluster's other masters (same site) so the
        // page can follow a new leader when authentication is on (masters share --jwt_secret_key).
        res.setHeader("Access-Control-Allow-Credentials", "true");
        res.setHeader("Access-Control-Allow-Headers", `content-type, ${CSRF_HEADER}, trpc-accept, last-event-id`);
        res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        res.setHeader("Access-Control-Max-Age", "600");
      }
      if (req.method === "OPTIONS") {
        res.writeHead(isPeerMaster(from) ? 204 : 403).end();
        return;
      }
      // Queries and subscription streams (SSE) from foreign pages are refused outright, not just
      // left without CORS headers (an Origin check on the streaming endpoints).
      if (!isPeerMaster(from)) {
        res.writeHead(403, { "Content-Type": "text/plain" }).end(`Requests from origin '${origin}' are not accepted`);
        return;
      }
      trpc(req, res);
    });
  };
}
