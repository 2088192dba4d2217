// Roles: weights, quota guarantee/limit against consumption, allocation, reservations and DRF
// shares; operators change weights and quota (confirmed, audited).
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../trpc/server";
import { RolesView } from "./roles-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Roles" };

export default async function RolesPage() {
  await getQueryClient().prefetchQuery(trpc.roles.list.queryOptions()).catch(() => {});
  return (
    <HydrateClient>
      <h1>Roles</h1>
      <RolesView />
    </HydrateClient>
  );
}
