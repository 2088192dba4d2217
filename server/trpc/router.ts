// The dashboard's root router: one thin sub-router per page, each a few lines over the master's
// handle (server/master/handle.ts). Mutations are operatorProcedures (reason, CSRF, audit).
import { router } from "./init";
import { clusterRouter } from "./routers/cluster";
import { agentsRouter } from "./routers/agents";
import { frameworksRouter } from "./routers/frameworks";
import { tasksRouter } from "./routers/tasks";
import { offersRouter } from "./routers/offers";
import { rolesRouter } from "./routers/roles";
import { eventsRouter } from "./routers/events";
import { haRouter } from "./routers/ha";
import { maintenanceRouter } from "./routers/maintenance";
import { sandboxRouter } from "./routers/sandbox";
import { authRouter } from "./routers/auth";

export const appRouter = router({
  cluster: clusterRouter,
  agents: agentsRouter,
  frameworks: frameworksRouter,
  tasks: tasksRouter,
  offers: offersRouter,
  roles: rolesRouter,
  events: eventsRouter,
  ha: haRouter,
  maintenance: maintenanceRouter,
  sandbox: sandboxRouter,
  auth: authRouter,
});

export type AppRouter = typeof appRouter;
export type { ChangeNotice, ChangeKind, TaskChange } from "./changes";
