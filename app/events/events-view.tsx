"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, useTRPCClient } from "../trpc/client";
import { EVENTS_PAGE, EVENTS_URL, EVENT_KINDS, eventsQuery } from "../lib/url-state";
import { useUrlState } from "../lib/use-url-state";
import { FilterText } from "../components/filters";
import { TimelineList } from "../components/timeline";



/** Downloads the entries matching the filters (at most 10,000) as JSON: the audit export. */
function ExportButton({ query }: { query: ReturnType<typeof eventsQuery> }) {
  const client = useTRPCClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const data = await client.events.export.query({ ...query, kinds: query.kinds ?? [...EVENT_KINDS] });
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = `plateau-events-${new Date(data.exportedAt).toISOString().replace(/[:.]/g, "-")}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={() => void run()} disabled={busy} data-testid="events-export" title="Download the matching events (who, what, target, result, time) as JSON">
        {busy ? "Exporting…" : "Export JSON"}
      </button>
      {error && <span className="error" role="alert">{error}</span>}
    </>
  );
}

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
        <ExportButton query={eventsQuery(url)} />
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
