// One framework: identity, roles and dominant shares, capabilities, failover timeout, web UI,
// tasks by state, offers held, its tasks; teardown.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../../trpc/server";
import { PAGE_SIZE } from "../../lib/virtual";
import { FrameworkDetail } from "./framework-detail";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Framework ${decodeURIComponent((await params).id)}` };
}

export default async function FrameworkPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.frameworks.detail.queryOptions({ id })),
    qc.prefetchQuery(trpc.tasks.list.queryOptions({ state: "active", frameworkId: id, sort: "updated", dir: "desc", offset: 0, limit: PAGE_SIZE })),
  ]).catch(() => {});
  return (
    <HydrateClient>
      <FrameworkDetail id={id} />
    </HydrateClient>
  );
}
