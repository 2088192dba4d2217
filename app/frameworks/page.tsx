// Frameworks: registered and completed frameworks with their allocation, offers and tasks.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../trpc/server";
import { FrameworksTable } from "./frameworks-table";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Frameworks" };

export default async function FrameworksPage() {
  await getQueryClient().prefetchQuery(trpc.frameworks.list.queryOptions()).catch(() => {});
  return (
    <HydrateClient>
      <h1>Frameworks</h1>
      <FrameworksTable />
    </HydrateClient>
  );
}
