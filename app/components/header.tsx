"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { LiveToggle } from "./live";
import { formatAgo, shortId } from "../format";

export function Header() {
  const trpc = useTRPC();
  const { data, error } = useQuery(trpc.cluster.overview.queryOptions());
  return (
    <header className="top">
      <div className="brand"><span className="logo" aria-hidden>▰</span> Plateau</div>
      <div className="master" data-testid="master-info">
        {data ? (
          <>
            <span className={`state ${data.leading ? "ok" : "warn"}`}>{data.leading ? "leading" : "not leading"}</span>
            <span>master <code title={data.masterId}>{shortId(data.masterId)}</code> on {data.hostname}</span>
            <span className="muted">v{data.version} · elected {formatAgo(data.electedTime)}</span>
          </>
        ) : error ? (
          <span className="state bad">master unreachable: {error.message}</span>
        ) : null}
      </div>
      <LiveToggle />
    </header>
  );
}
