"use client";
// Connection banner: the master is unreachable (with the retry countdown), live updates are
// paused, or the page now follows another master (the leader after a failover).
import { useEffect, useState } from "react";
import { useLive } from "../live";
import { useMasterBase } from "../../lib/masters";

export function ConnectionBanner() {
  const { status, retryAt, retryNow, error, setLive } = useLive();
  const base = useMasterBase();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (status !== "down") return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [status]);
  if (status === "down") {
    const secs = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;
    return (
      <div className="banner bad" role="alert" data-testid="banner-down">
        <b>The master is unreachable{error ? <span className="muted"> ({error})</span> : null}.</b>
        <span>{retryAt ? `Looking for the leader again in ${secs}s.` : "Looking for the leader…"}</span>
        <button type="button" onClick={retryNow}>Retry now</button>
      </div>
    );
  }
  if (status === "paused") {
    return (
      <div className="banner warn" role="status" data-testid="banner-paused">
        Live updates are paused: what you see is not refreshed. <button type="button" onClick={() => setLive(true)}>Resume</button>
      </div>
    );
  }
  if (base) {
    return (
      <div className="banner info" role="status" data-testid="banner-following">
        Following the leading master at <code>{base.replace(/^https?:\/\//, "")}</code> (this page was loaded from another master).
      </div>
    );
  }
  return null;
}
