"use client";
// Live updates: one tRPC subscription (SSE) to the master's change notices; each notice
// invalidates the queries of the kinds that changed, so every open view refetches only what moved.
import { createContext, useContext, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "../trpc/client";

const LiveContext = createContext<{ live: boolean; setLive: (v: boolean) => void; status: string }>({
  live: true,
  setLive: () => {},
  status: "idle",
});

export function useLive() {
  return useContext(LiveContext);
}

export function LiveUpdates({ children }: { children: React.ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [live, setLive] = useState(true);
  const sub = useSubscription(
    trpc.cluster.changes.subscriptionOptions(undefined, {
      enabled: live,
      onData(notice) {
        const kinds = new Set(notice.kinds);
        // Overview numbers depend on everything.
        void queryClient.invalidateQueries({ queryKey: trpc.cluster.overview.queryKey() });
        if (kinds.has("agents") || kinds.has("tasks") || kinds.has("offers")) void queryClient.invalidateQueries({ queryKey: trpc.cluster.agents.queryKey() });
        if (kinds.has("frameworks") || kinds.has("tasks") || kinds.has("offers")) void queryClient.invalidateQueries({ queryKey: trpc.cluster.frameworks.queryKey() });
        if (kinds.has("tasks")) void queryClient.invalidateQueries({ queryKey: trpc.cluster.tasks.queryKey() });
        if (kinds.has("timeline")) void queryClient.invalidateQueries({ queryKey: trpc.cluster.timeline.queryKey() });
      },
    }),
  );
  return <LiveContext.Provider value={{ live, setLive, status: live ? sub.status : "paused" }}>{children}</LiveContext.Provider>;
}

export function LiveToggle() {
  const { live, setLive, status } = useLive();
  const label = !live ? "Paused" : status === "pending" ? "Live" : status === "connecting" ? "Connecting…" : status === "error" ? "Reconnecting…" : "Live";
  return (
    <button type="button" className={`live-toggle ${live && status === "pending" ? "on" : "off"}`} onClick={() => setLive(!live)} aria-pressed={live} data-testid="live-toggle" title={live ? "Pause live updates" : "Resume live updates"}>
      <span className="dot" aria-hidden /> {label}
    </button>
  );
}
