// High availability: the masters (role, address, version), the current leader, the ZooKeeper
// session, and the election history drawn as a timeline with the gaps without a leader.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../trpc/server";
import { HaView } from "./ha-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "High availability" };

export default async function HaPage() {
  await getQueryClient().prefetchQuery(trpc.ha.status.queryOptions()).catch(() => {});
  return (
    <HydrateClient>
      <h1>High availability</h1>
      <HaView />
    </HydrateClient>
  );
}
