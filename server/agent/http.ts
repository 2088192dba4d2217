// The agent's HTTP server (--ip:--port). Every path is also served under `/slave(1)` and with a
// `.json` suffix, as Mesos does:
//   GET  /health                      200, empty body
//   GET  /state, /flags               agent state (state-json.ts), flags
//   GET  /monitor/statistics, /containers   per-container usage (monitor.ts)
//   GET  /files/browse|read|download|debug  sandbox files (files-http.ts)
//   POST /api/v1                      agent operator calls (api.ts)
//   POST /api/v1/executor             v1 executor API (executor-api.ts)
// Anything else is 404; a wrong method 405. A failing handler answers 500; the server never
// throws on input.
import { gateRequest, setBaseSecurityHeaders } from "../security/gate";
import { Security } from "../security/security";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { toWireJson } from "../protocol/json";
import { parseUrl, sendText } from "../http/util";
import type { Logger } from "./log";

export interface Request {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  path: string;
  query: URLSearchParams;
}

export interface Route {
  methods: string[];
  handle(r: Request): void | Promise<void>;
}

export interface AgentHttpServer {
  port: number;
  close(): Promise<void>;
}

/** `/slave(1)/state.json/` → `/state`. */
export function normalisePath(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, "") || "/";
  return trimmed.replace(/^\/slave\(1\)/, "").replace(/\.json$/, "") || "/";
}

/** JSON answer, or JSONP when `?jsonp=<callback>` is a plain identifier. */
export function sendJsonBody(res: http.ServerResponse, status: number, body: unknown, query?: URLSearchParams): void {
  const json = toWireJson(body);
  const jsonp = query?.get("jsonp");
  if (jsonp !== undefined && jsonp !== null && /^[\w$.]+$/.test(jsonp)) {
    res.writeHead(status, { "Content-Type": "text/javascript" }).end(`${jsonp}(${json});`);
  } else {
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(json)) }).end(json);
  }
}

/** A GET route answering with JSON (or an empty body). */
export function getJson(fn: (r: Request) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>): Route {
  return {
    methods: ["GET", "HEAD"],
    async handle(r) {
      const { status, body } = await fn(r);
      if (body === undefined) r.res.writeHead(status).end();
      else sendJsonBody(r.res, status, body, r.query);
    },
  };
}

/** Paths an agent serves without HTTP credentials: health, and the executor API (executors use their own tokens). */
const AGENT_PUBLIC_PATHS = new Set(["/health", "/api/v1/executor"]);

export async function startHttpServer(ip: string, port: number, routes: Record<string, Route>, log: Logger, security?: Security): Promise<AgentHttpServer> {
  const gate = { security: security ?? new Security(), realm: "mesos-agent-readwrite" };
  const server = http.createServer((req, res) => {
    const fail = (err: unknown) => {
      log.error(`HTTP ${req.method} ${req.url} failed: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) sendText(res, 500, "Internal error");
      else res.end();
    };
    try {
      const { path: rawPath, query } = parseUrl(req.url);
      let decoded: string;
      try {
        decoded = decodeURIComponent(rawPath);
      } catch {
        sendText(res, 400, "Malformed URL");
        return;
      }
      const path = normalisePath(decoded);
      // Front door (server/security/gate.ts): headers, origin check, and with --http_credentials
      // authentication on everything but the public paths.
      if (AGENT_PUBLIC_PATHS.has(path)) setBaseSecurityHeaders(res);
      else if (gateRequest(gate, req, res, path, query)) return;
      const route = routes[path];
      if (route === undefined) {
        res.writeHead(404).end();
        return;
      }
      if (!route.methods.includes(req.method ?? "")) {
        sendText(res, 405, `Expecting one of { '${route.methods.join("', '")}' }, but received '${req.method}'`, { Allow: route.methods.join(", ") });
        return;
      }
      Promise.resolve(route.handle({ req, res, path, query })).catch(fail);
    } catch (err) {
      fail(err);
    }
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  // Executor SUBSCRIBE streams are long-lived: no request timeout.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;
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
