// Events: the cluster timeline (task changes, agents lost/returned, elections, operator actions
// with who and why), filtered on the master; filters in the URL.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../trpc/server";
import { EVENTS_PAGE, EVENTS_URL, eventsQuery, parseState } from "../lib/url-state";
import { EventsView } from "./events-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Events" };

export default async function EventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const state = parseState(EVENTS_URL, await searchParams);
  await getQueryClient()
    .prefetchInfiniteQuery(trpc.events.list.infiniteQueryOptions({ ...eventsQuery(state), limit: EVENTS_PAGE }, { getNextPageParam: () => undefined }))
    .catch(() => {});
  return (
    <HydrateClient>
      <h1>Events</h1>
      <EventsView />
    </HydrateClient>
  );
}
