// Boots a master process: registry store → leader election (standalone or ZooKeeper) → for each
// leadership term a fresh core (./lifecycle.ts) that recovers the registry and leads; exposes the
// HTTP request/upgrade handlers the process's server routes to (see server/http/server.ts). A
// master that is not leading answers the Mesos paths itself or with 307/503 (./http/follower.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Allocator } from "../allocator/types";
import { HierarchicalAllocator } from "../allocator/hierarchical";
import { standaloneElection } from "../ha/standalone";
import type { GateView } from "../ha/gate";
import type { LeaderElection } from "../ha/types";
import { INTERNAL_AGENT_PATH } from "../protocol/internal";
import { parseUrl, sendEmpty, sendText } from "../http/util";
import { realClock, type Clock } from "./clock";
import type { MasterConfig } from "./config";
import { scheduleReregistrationTimeout } from "./agents";
import { FailoverDeadlines } from "./failover-deadlines";
import { AGENT_FILES_PREFIX, AgentSandboxFiles } from "./http/files-proxy";
import { handleAsFollower } from "./http/follower";
import { handleScheduler } from "./http/scheduler";
import type { MasterHandle } from "./handle";
import { MasterLifecycle, type Term } from "./lifecycle";
import type { Master } from "./master";
import { startAllocationLoop } from "./offers";
import { installResourceOperations } from "./operations";
import { recoverRoles } from "./roles";
import { MemoryRegistryStore } from "./registry/memory-store";
import { PrismaRegistryStore } from "./registry/prisma-store";
import type { RegistryStore } from "./registry/store";
import { startOperatorLayer, type OperatorLayer, type OperatorOptions } from "./operator";
import { startMaintenance } from "./maintenance";

export interface StartMasterOptions {
  config: MasterConfig;
  /** `in_memory`, a SQLite path/`file:` URL, or `postgresql://…`. */
  registry: string | RegistryStore;
  clock?: Clock;
  /** The first term's allocator (later terms get a fresh default one). */
  allocator?: Allocator;
  log?: (line: string) => void;
  /** Operator API layer: the master's log file, history bounds (see ./operator). */
  operator?: OperatorOptions;
  /** Leader election; default standalone (this master leads as soon as it has started). */
  election?: LeaderElection;
  /**
   * Enter the election before returning (default). A process that publishes its address in
   * ZooKeeper passes false and calls `lifecycle.start()` once its HTTP server listens.
   */
  contend?: boolean;
}

export type RouteHandler = (m: Master, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => void | Promise<void>;

/** Installed on every term that leads; the returned function (if any) runs when the term ends. */
export type LeaderPlugin = (m: Master, operator: OperatorLayer) => void | (() => void);

export interface RunningMaster {
  /** The current term's core (replaced after a fail-stop; see ./lifecycle.ts). */
  readonly master: Master;
  readonly handle: MasterHandle;
  /** Mesos HTTP routes: true if the request was for a master path (and has been answered). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** The current term's routes (operator API, legacy endpoints…), by exact path. */
  readonly routes: Map<string, RouteHandler>;
  /** The current term's operator layer; null while this master is not leading. */
  readonly operator: OperatorLayer | null;
  readonly lifecycle: MasterLifecycle;
  /** Called when the core is replaced (the dashboard's handle must follow). */
  onMasterChange(listener: (handle: MasterHandle) => void): () => void;
  /** Runs `plugin` on every term once it leads (at once if leading now). */
  onLeading(plugin: LeaderPlugin): () => void;
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

/** Routes every term serves before the operator layer adds its own. */
function baseRoutes(): Map<string, RouteHandler> {
  const routes = new Map<string, RouteHandler>();
  routes.set("/api/v1/scheduler", (mm, req, res) => handleScheduler(mm, req, res));
  routes.set("/master/api/v1/scheduler", (mm, req, res) => handleScheduler(mm, req, res));
  routes.set("/master/health", (_mm, _req, res) => sendEmpty(res, 200));
  routes.set("/health", (_mm, _req, res) => sendEmpty(res, 200));
  return routes;
}

interface TermRouting {
  routes: Map<string, RouteHandler>;
  operator: OperatorLayer | null;
}

export async function startMaster(options: StartMasterOptions): Promise<RunningMaster> {
  const clock = options.clock ?? realClock;
  const log = options.log ?? ((line: string) => console.log(line));
  const store = typeof options.registry === "string" ? openRegistryStore(options.registry) : options.registry;
  await store.init();
  const election = options.election ?? standaloneElection();
  let firstAllocator = options.allocator;
  const routing = new WeakMap<Term, TermRouting>();
  const plugins = new Set<LeaderPlugin>();
  const routingOf = (term: Term): TermRouting => {
    let r = routing.get(term);
    if (!r) routing.set(term, (r = { routes: baseRoutes(), operator: null }));
    return r;
  };

  /** Everything a term runs while it leads; stopped (without writes unless graceful) when it ends. */
  const leaderServices = async (term: Term) => {
    const m = term.master;
    const r = routingOf(term);
    const stopLoop = startAllocationLoop(m);
    installResourceOperations(m);
    const deadlines = new FailoverDeadlines(m, log);
    deadlines.start();
    scheduleReregistrationTimeout(m);
    const operator = await startOperatorLayer(m, r.routes, log, options.operator);
    operator.files.mount(AGENT_FILES_PREFIX, new AgentSandboxFiles(() => m)); // sandboxes, proxied to their agents
    r.operator = operator;
    const stopMaintenance = startMaintenance(m, operator, r.routes, log);
    const unplug = [...plugins].map((p) => p(m, operator));
    return async (graceful: boolean) => {
      for (const u of unplug) if (typeof u === "function") u();
      stopMaintenance();
      deadlines.stop();
      stopLoop();
      if (graceful) await operator.stop();
      else void operator.stop().catch(() => {});
    };
  };

  const lifecycle = new MasterLifecycle({
    config: options.config,
    clock,
    store,
    election,
    newAllocator: () => {
      const a = firstAllocator ?? createAllocator(options.config);
      firstAllocator = undefined;
      return a;
    },
    recoverRegistry: (m) => recover(m, log),
    leaderServices,
    log,
  });
  const gateView = (): GateView => ({ selfId: lifecycle.term.master.id, leading: lifecycle.term.master.isLeading, leader: election.detector.leader });
  if (options.contend !== false) await lifecycle.start();

  return {
    get master() {
      return lifecycle.term.master;
    },
    get handle() {
      return lifecycle.term.handle;
    },
    get routes() {
      return routingOf(lifecycle.term).routes;
    },
    get operator() {
      return routingOf(lifecycle.term).operator;
    },
    lifecycle,
    onMasterChange(listener) {
      return lifecycle.onTermChange((term) => listener(term.handle));
    },
    onLeading(plugin) {
      plugins.add(plugin);
      const term = lifecycle.term;
      const operator = routingOf(term).operator;
      if (term.master.isLeading && operator) plugin(term.master, operator);
      return () => plugins.delete(plugin);
    },
    handleRequest(req, res) {
      const term = lifecycle.term;
      const m = term.master;
      if (!m.isLeading) return handleAsFollower(m, gateView(), req, res);
      const { path, query } = parseUrl(req.url);
      const r = routingOf(term);
      const route = r.routes.get(path) ?? r.operator?.prefixRoute(path);
      if (!route) return false;
      Promise.resolve(route(m, req, res, path, query)).catch((err) => {
        log(`master] request ${req.method} ${path} failed: ${(err as Error).stack ?? err}`);
        sendText(res, 500, "Internal error");
      });
      return true;
    },
    handleUpgrade(req, socket, head) {
      if (parseUrl(req.url).path !== INTERNAL_AGENT_PATH) return false;
      const term = lifecycle.term;
      if (term.master.isLeading) term.agentSockets.handleUpgrade(req, socket, head);
      else if (term.elected && !term.ended) term.heldUpgrades.push({ req, socket, head }); // served once recovered
      else rejectUpgrade(socket, gateView());
      return true;
    },
    stop: () => lifecycle.stop(),
  };
}

/** Agents connecting to a master that does not lead are refused (they follow the detected leader). */
function rejectUpgrade(socket: Duplex, view: GateView): void {
  const leader = view.leader && view.leader.id !== view.selfId ? `${view.leader.hostname}:${view.leader.port}` : null;
  const message = leader ? `Not the leading master; the leader is ${leader}` : "No leader elected";
  socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
}

/** Claims the next epoch and loads the registry into the term's fresh core. */
async function recover(m: Master, log: (line: string) => void): Promise<void> {
  const snapshot = await m.registrar.recover(m.id, `${m.config.ip}:${m.config.port}`);
  for (const record of snapshot.agents) {
    const info = record.info as Master["agents"] extends Map<string, infer A> ? (A extends { info: infer I } ? I : never) : never;
    if (record.state === "ADMITTED") m.recoveredAgents.set(record.id, { id: record.id, info });
    else if (record.state === "UNREACHABLE") m.unreachableAgents.set(record.id, { id: record.id, info, since: record.since });
    else m.goneAgents.set(record.id, record.since);
  }
  recoverRoles(m);
  log(`master] Recovered registry (${m.registrar.storeKind}, epoch ${m.registrar.currentEpoch}): ${m.recoveredAgents.size} agents to re-register, ${m.unreachableAgents.size} unreachable, ${m.goneAgents.size} gone`);
}
