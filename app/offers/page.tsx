// Offers: outstanding offers and inverse offers by framework and agent, with age.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../trpc/server";
import { OffersView } from "./offers-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Offers" };

export default async function OffersPage() {
  await getQueryClient().prefetchQuery(trpc.offers.list.queryOptions()).catch(() => {});
  return (
    <HydrateClient>
      <h1>Offers</h1>
      <OffersView />
    </HydrateClient>
  );
}
