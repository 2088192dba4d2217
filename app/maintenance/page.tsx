// Maintenance: the schedule as a calendar of windows per machine with mode (UP/DRAINING/DOWN) and
// the frameworks' inverse-offer responses; create/edit windows, machine down/up.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../trpc/server";
import { MaintenanceView } from "./maintenance-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Maintenance" };

export default async function MaintenancePage() {
  await getQueryClient().prefetchQuery(trpc.maintenance.status.queryOptions()).catch(() => {});
  return (
    <HydrateClient>
      <h1>Maintenance</h1>
      <MaintenanceView />
    </HydrateClient>
  );
}
