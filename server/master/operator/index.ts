// The operator layer of a master: the v1 operator API (/api/v1), the legacy JSON endpoints,
// metrics, files, the SUBSCRIBE fan-out and the persisted history. `startOperatorLayer` is
// called once by startMaster (../index.ts) after recovery; it registers every route it serves.
// See README.md in this folder for the request pipeline and the state rendering design.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RouteHandler } from "../index";
import type { Master } from "../master";
import { MasterHandle } from "../handle";
import { handleOperatorApi, PluggableCalls } from "./api";
import type { OperatorContext } from "./context";
import { AttachedFile, VirtualFiles } from "./files";
import { DEFAULT_HISTORY_OPTIONS, MasterHistory, type HistoryOptions } from "./history";
import { LoggingLevel } from "./logging";
import { StateCache } from "./render/cache";
import { CacheWarmer } from "./render/warmer";
import { slicesBusy } from "./sliced-writer";
import { OperatorSubscribers } from "./subscribe";
import { versionInfo } from "./version";
import * as legacy from "./legacy/endpoints";
import * as files from "./legacy/files";
import { masterFrameworks, masterSlaves, masterState, masterTasks, stateSummary } from "./legacy/state";

export interface OperatorOptions extends Partial<HistoryOptions> {
  /** The master's log file, served as the virtual file /master/log. */
  logFile?: string;
  /** Mesos --max_operator_event_stream_subscribers. */
  maxOperatorSubscribers?: number;
  /** Render state fragments in the background (default true; the benchmark turns it off to measure cold requests). */
  warmCache?: boolean;
}

export interface OperatorLayer {
  context: OperatorContext;
  /** Handlers for operator calls implemented elsewhere (maintenance, drain, volume resizing). */
  calls: PluggableCalls;
  files: VirtualFiles;
  /** Routes under a path prefix (e.g. DELETE /master/quota/<role>); exact routes are in `routes`. */
  prefixRoute(path: string): RouteHandler | undefined;
  stop(): Promise<void>;
}

type Handler = (ctx: OperatorContext, req: IncomingMessage, res: ServerResponse, query: URLSearchParams, path: string) => void | Promise<void>;

/** Exact paths served by this layer (the `/<name>` aliases Mesos also serves are included only
 *  where they cannot shadow a dashboard page). */
function routeTable(plugged: PluggableCalls): [string[], Handler][] {
  const api: Handler = (ctx, req, res) => handleOperatorApi(ctx, plugged, req, res);
  return [
    [["/api/v1", "/master/api/v1"], api],
    [["/master/state", "/state", "/state.json", "/master/state.json"], masterState],
    [["/master/state-summary", "/state-summary"], stateSummary],
    [["/master/frameworks", "/master/frameworks.json"], masterFrameworks],
    [["/master/slaves", "/master/slaves.json"], masterSlaves],
    [["/master/tasks", "/master/tasks.json", "/tasks.json"], masterTasks],
    [["/master/redirect", "/redirect"], legacy.redirect],
    [["/version"], legacy.version],
    [["/master/flags"], legacy.flags],
    [["/master/roles", "/master/roles.json", "/roles.json"], legacy.roles],
    [["/master/weights"], legacy.weights],
    [["/master/quota"], legacy.quota],
    [["/master/teardown"], legacy.teardown],
    [["/master/reserve"], legacy.operationForm("RESERVE")],
    [["/master/unreserve"], legacy.operationForm("UNRESERVE")],
    [["/master/create-volumes"], legacy.operationForm("CREATE")],
    [["/master/destroy-volumes"], legacy.operationForm("DESTROY")],
    [["/metrics/snapshot"], legacy.metricsSnapshotEndpoint],
    [["/metrics"], legacy.prometheus],
    [["/logging/toggle"], legacy.loggingToggle],
    [["/files/browse", "/files/browse.json"], files.browse],
    [["/files/read", "/files/read.json"], files.read],
    [["/files/download", "/files/download.json"], files.download],
    [["/files/debug", "/files/debug.json"], files.debug],
  ];
}

export async function startOperatorLayer(
  m: Master,
  routes: Map<string, RouteHandler>,
  log: (line: string) => void,
  options: OperatorOptions = {},
): Promise<OperatorLayer> {
  const cache = new StateCache(m);
  const { logFile: _logFile, maxOperatorSubscribers: _max, warmCache = true, ...historyOptions } = options;
  const history = new MasterHistory(m, cache, { ...DEFAULT_HISTORY_OPTIONS, ...definedOnly(historyOptions) }, log);
  const vfiles = new VirtualFiles();
  if (options.logFile) vfiles.mount("/master/log", new AttachedFile("/master/log", options.logFile));
  const warmer = warmCache ? new CacheWarmer(m, cache, slicesBusy) : null;
  const context: OperatorContext = {
    m,
    handle: new MasterHandle(m),
    cache,
    warmer,
    subscribers: new OperatorSubscribers(m, cache, options.maxOperatorSubscribers ?? 1000, warmer),
    files: vfiles,
    logging: new LoggingLevel(m.clock),
    history,
    version: versionInfo(m.info.version),
    log,
  };
  try {
    await history.recover();
  } catch (err) {
    log(`master] could not load the timeline and metric history: ${(err as Error).message}`);
  }
  history.start();

  const plugged = new PluggableCalls();
  const bind = (handler: Handler): RouteHandler => (_m, req, res, path, query) => handler(context, req, res, query, path);
  for (const [paths, handler] of routeTable(plugged)) for (const path of paths) routes.set(path, bind(handler));
  const quotaRemove = bind(legacy.quotaRemove);

  return {
    context,
    calls: plugged,
    files: vfiles,
    prefixRoute: (path) => (path.startsWith("/master/quota/") ? quotaRemove : undefined),
    async stop() {
      context.warmer?.stop();
      context.subscribers.close();
      context.logging.close();
      await history.stop();
      cache.close();
    },
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type { HistoryOptions };
