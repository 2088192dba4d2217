// Overview: resources total/allocated/offered/idle, agents/frameworks/tasks by state, history
// charts from the master's metric samples (with timeline annotations) and the recent events.
// The server prefetches every query from the master in this process; the client keeps them live.
import { HydrateClient, getQueryClient, trpc } from "./trpc/server";
import { Counts, RecentEvents, ResourceSummary } from "./components/overview";
import { OverviewCharts } from "./components/charts";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.cluster.overview.queryOptions()),
    qc.prefetchQuery(trpc.cluster.metrics.queryOptions({ windowMs: 3_600_000, maxPoints: 360 })),
    qc.prefetchQuery(trpc.events.list.queryOptions({ limit: 12 })),
  ]).catch(() => {});
  return (
    <HydrateClient>
      <h1>Cluster overview</h1>
      <ResourceSummary />
      <Counts />
      <OverviewCharts />
      <RecentEvents />
    </HydrateClient>
  );
}
