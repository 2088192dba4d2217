// The master process's single HTTP server: Mesos paths go straight to the master's handlers, /trpc
// to tRPC (with SSE subscriptions), the agents' WebSocket upgrades to the internal protocol, and
// everything else to Next.js (the dashboard).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { RunningMaster } from "../master";
import { setMasterHandle } from "../trpc/init";
import { createTrpcHttpHandler } from "../trpc/http";
import { parseUrl, sendText } from "./util";
import { loadDashboard } from "./next";
import { API_CSP, applyDashboardCsp, gateRequest, gateUpgrade } from "../security/gate";
import { handleLoginRoutes } from "../security/login";
import { PRINCIPAL_HEADER, Security, addProcessSecurity, requestIdentity } from "../security/security";
import { isPeerMaster } from "../trpc/peers";

export interface ServeOptions {
  ip: string;
  port: number;
  running: RunningMaster;
  /** Serve the Next.js dashboard (needs a production build in .next/). */
  dashboard: boolean;
  log: (line: string) => void;
  /** Authentication and authorization (../security); default: open (no credentials, no ACLs). */
  security?: Security;
}

export interface Served {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

export async function serve(opts: ServeOptions): Promise<Served> {
  setMasterHandle(opts.running.handle);
  // After a fail-stop the master process replaces its core; the dashboard follows the new one.
  const unfollow = opts.running.onMasterChange((handle) => setMasterHandle(handle));
  const trpc = createTrpcHttpHandler();
  const dashboard = opts.dashboard ? await loadDashboard(opts.ip, opts.port, opts.log) : null;
  const security = opts.security ?? new Security();
  const removeSecurity = addProcessSecurity(security);
  const gate = { security, realm: "mesos-master-readwrite", isPeer: isPeerMaster, isDashboardPath: () => dashboard !== null };

  const server = http.createServer((req, res) => {
    try {
      const { path, query } = parseUrl(req.url);
      // Front door: security headers, authentication, CSRF origin check (see server/security).
      if (gateRequest(gate, req, res, path, query)) return;
      if (handleLoginRoutes(security, req, res, path, query, opts.log)) return;
      res.setHeader("Content-Security-Policy", API_CSP);
      if (opts.running.handleRequest(req, res)) return;
      if (path.startsWith("/trpc/")) {
        trpc(req, res);
        return;
      }
      if (dashboard) {
        applyDashboardCsp(req, res);
        // Server components learn the principal from this header; a client cannot set it.
        delete req.headers[PRINCIPAL_HEADER];
        const principal = requestIdentity(req).principal;
        if (principal !== undefined) req.headers[PRINCIPAL_HEADER] = principal;
        void dashboard(req, res).catch((err: unknown) => {
          opts.log(`http] dashboard request ${path} failed: ${String(err)}`);
          sendText(res, 500, "Internal error");
        });
        return;
      }
      sendText(res, 404, "Not found");
    } catch (err) {
      opts.log(`http] request failed: ${(err as Error).stack ?? err}`);
      sendText(res, 500, "Internal error");
    }
  });
  server.on("upgrade", (req, socket, head) => {
    const checked = gateUpgrade(security, req);
    if (!checked.ok) {
      socket.on("error", () => {}); // the refused client may reset the connection
      const body = Buffer.from(checked.message, "utf8");
      socket.end(`HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="mesos-master-readwrite"\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${checked.message}`);
      return;
    }
    if (!opts.running.handleUpgrade(req, socket, head)) socket.destroy();
  });
  // Malformed request lines and headers: answer 400 and drop the connection; never crash.
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  // Track every socket (upgraded WebSockets and streaming responses included) so close() can end them.
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0; // streaming responses (SUBSCRIBE) are long-lived

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.ip, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        unfollow();
        removeSecurity();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
