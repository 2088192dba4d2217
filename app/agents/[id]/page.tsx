// One agent: resources (total/allocated/offered), reservations and volumes, attributes, its
// frameworks and tasks, offers on it, drain state.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../../trpc/server";
import { PAGE_SIZE } from "../../lib/virtual";
import { AgentDetail } from "./agent-detail";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Agent ${decodeURIComponent((await params).id)}` };
}

export default async function AgentPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.agents.detail.queryOptions({ id })),
    qc.prefetchQuery(trpc.tasks.list.queryOptions({ state: "active", agentId: id, sort: "updated", dir: "desc", offset: 0, limit: PAGE_SIZE })),
  ]).catch(() => {});
  return (
    <HydrateClient>
      <AgentDetail id={id} />
    </HydrateClient>
  );
}
