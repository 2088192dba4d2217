// Boots a master: registry store → registrar → recovery → allocation loop; exposes the HTTP
// request/upgrade handlers the process's server routes to (see server/http/server.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Allocator } from "../allocator/types";
import { HierarchicalAllocator } from "../allocator/hierarchical";
import { INTERNAL_AGENT_PATH } from "../protocol/internal";
import { parseUrl, sendEmpty, sendText } from "../http/util";
import { realClock, type Clock } from "./clock";
import type { MasterConfig } from "./config";
import { scheduleReregistrationTimeout } from "./agents";
import { createAgentSocketServer } from "./http/agent-socket";
import { handleScheduler } from "./http/scheduler";
import { MasterHandle } from "./handle";
import { Master } from "./master";
import { startAllocationLoop } from "./offers";
import { Registrar } from "./registrar";
import { recoverRoles } from "./roles";
import { MemoryRegistryStore } from "./registry/memory-store";
import { PrismaRegistryStore } from "./registry/prisma-store";
import type { RegistryStore } from "./registry/store";
import { startOperatorLayer, type OperatorLayer, type OperatorOptions } from "./operator";

export interface StartMasterOptions {
  config: MasterConfig;
  /** `in_memory`, a SQLite path/`file:` URL, or `postgresql://…`. */
  registry: string | RegistryStore;
  clock?: Clock;
  allocator?: Allocator;
  log?: (line: string) => void;
  /** Operator API layer: the master's log file, history bounds (see ./operator). */
  operator?: OperatorOptions;
}

export type RouteHandler = (m: Master, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => void | Promise<void>;

export interface RunningMaster {
  master: Master;
  handle: MasterHandle;
  /** Mesos HTTP routes: true if the request was for a master path (and has been answered). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Extra routes (operator API, legacy endpoints…) are registered here, by exact path. */
  routes: Map<string, RouteHandler>;
  /** The operator API, legacy endpoints, metrics, files and history (./operator). */
  operator: OperatorLayer;
  stop(): Promise<void>;
}

/** The default allocator: hierarchical DRF with the master's allocation flags. */
export function createAllocator(config: MasterConfig): Allocator {
  return new HierarchicalAllocator({ minAllocatableResources: config.minAllocatableResources });
}

export function openRegistryStore(registry: string): RegistryStore {
  if (registry === "in_memory") return new MemoryRegistryStore();
  return PrismaRegistryStore.fromUrl(registry);
}

export async function startMaster(options: StartMasterOptions): Promise<RunningMaster> {
  const clock = options.clock ?? realClock;
  const log = options.log ?? ((line: string) => console.log(line));
  const store = typeof options.registry === "string" ? openRegistryStore(options.registry) : options.registry;
  await store.init();
  let master: Master | null = null;
  const registrar = new Registrar(store, (err) => {
    log(`master] FATAL: ${err.message}; this master stops leading`);
    if (master) master.phase = "stopped";
  });
  const m = new Master(options.config, clock, options.allocator ?? createAllocator(options.config), registrar);
  master = m;
  await recover(m, log);
  const stopLoop = startAllocationLoop(m);
  const agentSockets = createAgentSocketServer(m);
  const routes = new Map<string, RouteHandler>();
  routes.set("/api/v1/scheduler", (mm, req, res) => handleScheduler(mm, req, res));
  routes.set("/master/api/v1/scheduler", (mm, req, res) => handleScheduler(mm, req, res));
  routes.set("/master/health", (_mm, _req, res) => sendEmpty(res, 200));
  routes.set("/health", (_mm, _req, res) => sendEmpty(res, 200));
  const operator = await startOperatorLayer(m, routes, log, options.operator);

  return {
    master: m,
    handle: new MasterHandle(m),
    routes,
    operator,
    handleRequest(req, res) {
      const { path, query } = parseUrl(req.url);
      const route = routes.get(path) ?? operator.prefixRoute(path);
      if (!route) return false;
      Promise.resolve(route(m, req, res, path, query)).catch((err) => {
        log(`master] request ${req.method} ${path} failed: ${(err as Error).stack ?? err}`);
        sendText(res, 500, "Internal error");
      });
      return true;
    },
    handleUpgrade(req, socket, head) {
      if (parseUrl(req.url).path !== INTERNAL_AGENT_PATH) return false;
      agentSockets.handleUpgrade(req, socket, head);
      return true;
    },
    async stop() {
      await operator.stop();
      m.phase = "stopped";
      stopLoop();
      agentSockets.close();
      for (const fw of m.frameworks.values()) {
        fw.failoverTimer?.cancel();
        fw.stream?.close();
      }
      await registrar.close();
    },
  };
}

async function recover(m: Master, log: (line: string) => void): Promise<void> {
  const snapshot = await m.registrar.recover(m.id, `${m.config.ip}:${m.config.port}`);
  for (const record of snapshot.agents) {
    const info = record.info as Master["agents"] extends Map<string, infer A> ? (A extends { info: infer I } ? I : never) : never;
    if (record.state === "ADMITTED") m.recoveredAgents.set(record.id, { id: record.id, info });
    else if (record.state === "UNREACHABLE") m.unreachableAgents.set(record.id, { id: record.id, info, since: record.since });
    else m.goneAgents.set(record.id, record.since);
  }
  recoverRoles(m);
  m.phase = "leading";
  m.electedTime = m.clock.now();
  m.timeline.add({ time: m.electedTime, kind: "election", action: "ELECTED", summary: `Master ${m.id} at ${m.config.ip}:${m.config.port} is leading (registry: ${m.registrar.storeKind}, epoch ${m.registrar.currentEpoch})` });
  log(`master] Recovered registry (${m.registrar.storeKind}, epoch ${m.registrar.currentEpoch}): ${m.recoveredAgents.size} agents to re-register, ${m.unreachableAgents.size} unreachable, ${m.goneAgents.size} gone`);
  scheduleReregistrationTimeout(m);
}
