// Agents: every agent the master knows, filtered, sorted and paginated on the master (URL state).
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../trpc/server";
import { AGENTS_URL, agentsQuery, parseState } from "../lib/url-state";
import { PAGE_SIZE } from "../lib/virtual";
import { AgentsTable } from "./agents-table";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const state = parseState(AGENTS_URL, await searchParams);
  await getQueryClient().prefetchQuery(trpc.agents.list.queryOptions({ ...agentsQuery(state), offset: 0, limit: PAGE_SIZE })).catch(() => {});
  return (
    <HydrateClient>
      <h1>Agents</h1>
      <AgentsTable />
    </HydrateClient>
  );
}
