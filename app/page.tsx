// Overview: cluster resources, counts, and the agents / frameworks / tasks tables. The server
// prefetches every query from the master in this process; the client keeps them live.
import { HydrateClient, getQueryClient, trpc } from "./trpc/server";
import { LiveUpdates } from "./components/live";
import { Header } from "./components/header";
import { Counts, ResourceSummary } from "./components/resources";
import { AgentsTable, FrameworksTable, RecentEvents, TasksTable } from "./components/tables";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.cluster.overview.queryOptions()),
    qc.prefetchQuery(trpc.cluster.agents.queryOptions()),
    qc.prefetchQuery(trpc.cluster.frameworks.queryOptions()),
    qc.prefetchQuery(trpc.cluster.tasks.queryOptions({ limit: 1000, offset: 0 })),
    qc.prefetchQuery(trpc.cluster.timeline.queryOptions({ limit: 15 })),
  ]).catch(() => {});
  return (
    <HydrateClient>
      <LiveUpdates>
        <Header />
        <main>
          <h1>Cluster overview</h1>
          <ResourceSummary />
          <Counts />
          <AgentsTable />
          <FrameworksTable />
          <TasksTable />
          <RecentEvents />
        </main>
      </LiveUpdates>
    </HydrateClient>
  );
}
