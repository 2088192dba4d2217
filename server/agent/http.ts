// The agent's HTTP server (--ip:--port). Read-only endpoints for now:
//   GET /health                         200, empty body
//   GET /state, /state.json, /slave(1)/state, /slave(1)/state.json   agent state (state-json.ts)
//   GET /flags, /slave(1)/flags         {"flags": {...}}
// Anything else is 404; non-GET on a known path is 405. A failing handler answers 500; the
// server never throws on input. (#4 adds /api/v1/executor, /files/*, /monitor/statistics.)
import http from "node:http";
import type { AddressInfo } from "node:net";
import { toWireJson } from "../protocol/json";
import type { Logger } from "./log";

export type Route = () => { status: number; body?: unknown };

export interface AgentHttpServer {
  port: number;
  close(): Promise<void>;
}

function normalise(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, "") || "/";
  return trimmed.replace(/^\/slave\(1\)/, "").replace(/\.json$/, "") || "/";
}

export async function startHttpServer(ip: string, port: number, routes: Record<string, Route>, log: Logger): Promise<AgentHttpServer> {
  const server = http.createServer((req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://agent");
      const route = routes[normalise(decodeURIComponent(url.pathname))];
      if (route === undefined) {
        res.writeHead(404).end();
        return;
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { Allow: "GET" }).end();
        return;
      }
      const { status, body } = route();
      if (body === undefined) {
        res.writeHead(status).end();
        return;
      }
      const json = toWireJson(body);
      const jsonp = url.searchParams.get("jsonp");
      if (jsonp !== null && /^[\w$.]+$/.test(jsonp)) {
        res.writeHead(status, { "Content-Type": "text/javascript" }).end(`${jsonp}(${json});`);
      } else {
        res.writeHead(status, { "Content-Type": "application/json" }).end(json);
      }
    } catch (err) {
      log.error(`HTTP ${req.method} ${req.url} failed: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, ip, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
