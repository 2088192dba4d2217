// Tasks: every task the master knows (active, unreachable, completed), filtered by state,
// framework, agent and text on the master; virtualized; kill one or many.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../trpc/server";
import { TASKS_URL, parseState, tasksQuery } from "../lib/url-state";
import { PAGE_SIZE } from "../lib/virtual";
import { UrlTasksTable } from "./tasks-table";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Tasks" };

export default async function TasksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const state = parseState(TASKS_URL, await searchParams);
  await getQueryClient().prefetchQuery(trpc.tasks.list.queryOptions({ ...tasksQuery(state), offset: 0, limit: PAGE_SIZE })).catch(() => {});
  return (
    <HydrateClient>
      <h1>Tasks</h1>
      <UrlTasksTable />
    </HydrateClient>
  );
}
