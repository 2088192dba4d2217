// Starts maintenance and draining on a leading term: the service (./service.ts), its operator
// API handlers and legacy routes (./operator.ts). Called by startMaster's leader services
// (../index.ts); the returned function stops it when the term ends.
import type { RouteHandler } from "../index";
import type { Master } from "../master";
import type { OperatorLayer } from "../operator";
import { maintenanceCalls, maintenanceRoutes } from "./operator";
import { Maintenance } from "./service";

export function startMaintenance(m: Master, operator: OperatorLayer, routes: Map<string, RouteHandler>, log: (line: string) => void): () => void {
  const service = new Maintenance(m, log);
  service.start();
  const current = () => (m.maintenance === service ? service : undefined);
  for (const [type, handler] of Object.entries(maintenanceCalls(current))) operator.calls.register(type as Parameters<typeof operator.calls.register>[0], handler);
  for (const [path, handler] of maintenanceRoutes(current)) routes.set(path, (_m, req, res, _path, query) => handler(operator.context, req, res, query));
  return () => service.stop();
}

export { Maintenance };
