"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { EVENTS_PAGE, EVENTS_URL, EVENT_KINDS, eventsQuery } from "../lib/url-state";
import { useUrlState } from "../lib/use-url-state";
import { FilterText } from "../components/filters";
import { TimelineList } from "../components/timeline";



export function EventsView() {
  const trpc = useTRPC();
  const [url, setUrl] = useUrlState(EVENTS_URL);
  const q = useInfiniteQuery(
    trpc.events.list.infiniteQueryOptions({ ...eventsQuery(url), limit: EVENTS_PAGE }, { getNextPageParam: (last) => (last.hasMore ? last.entries.at(-1)?.seq : undefined) }),
  );
  const entries = q.data?.pages.flatMap((p) => p.entries) ?? [];
  const toggleKind = (k: (typeof EVENT_KINDS)[number]) => setUrl({ kind: url.kind.includes(k) ? url.kind.filter((x) => x !== k) : [...url.kind, k] });
  return (
    <>
      <div className="filters" role="search">
        <div className="chips" role="group" aria-label="Kinds">
          <button type="button" className={url.kind.length === 0 ? "chip on" : "chip"} onClick={() => setUrl({ kind: [] })}>All</button>
          {EVENT_KINDS.map((k) => (
            <button key={k} type="button" className={url.kind.includes(k) ? "chip on" : "chip"} onClick={() => toggleKind(k)} data-testid={`filter-kind-${k}`}>{k}</button>
          ))}
        </div>
        <FilterText label="Search events" placeholder="text in summary, action or reason" value={url.q} onChange={(q) => setUrl({ q })} primary testId="filter-text" />
        <FilterText label="Principal" placeholder="who" value={url.principal} onChange={(principal) => setUrl({ principal })} width={110} />
        <FilterText label="Agent id" placeholder="agent id" value={url.agent} onChange={(agent) => setUrl({ agent })} width={130} />
        <FilterText label="Framework id" placeholder="framework id" value={url.framework} onChange={(framework) => setUrl({ framework })} width={130} />
        <FilterText label="Task id" placeholder="task id" value={url.task} onChange={(task) => setUrl({ task })} width={110} />
      </div>
      {q.error && <p className="error" role="alert">{q.error.message}</p>}
      <TimelineList entries={entries} testId="events" empty={q.isPending ? "Loading…" : "No event matches these filters"} />
      {q.hasNextPage && (
        <button type="button" className="more" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage} data-testid="events-more">
          {q.isFetchingNextPage ? "Loading…" : "Load older events"}
        </button>
      )}
    </>
  );
}
