"use client";
// Live updates: one tRPC subscription (SSE) to the master's change notices for the whole app.
// Each notice patches task rows already on screen, then refetches only the queries of the kinds
// that changed (list queries at most twice a second; details of the named ids at once). A
// heartbeat watchdog tells "quiet" from "unreachable"; when the master is unreachable or no
// longer leads, the page looks for the leader among the known masters (with a visible retry
// countdown) and switches to it without a reload.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import { useQueryClient, type QueryFilters } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import type { ChangeNotice } from "../../server/trpc/router";
import { useTRPC } from "../trpc/client";
import { candidateBases, findLeader, masterBase, setKnownMasters, setMasterBase } from "../lib/masters";
import { patchTaskPage, type TaskRowLike } from "../lib/notice";

export type ConnectionStatus = "connecting" | "live" | "down" | "paused";

interface LiveState {
  live: boolean;
  setLive: (v: boolean) => void;
  status: ConnectionStatus;
  /** When the next reconnection attempt runs (ms), while down. */
  retryAt?: number;
  retryNow: () => void;
  lastNoticeAt?: number;
  error?: string;
}

const LiveContext = createContext<LiveState>({ live: true, setLive: () => {}, status: "connecting", retryNow: () => {} });

export function useLive(): LiveState {
  return useContext(LiveContext);
}

const SILENCE_MS = 12_000;
const LIST_FLUSH_MS = 500;
const TRAILING_MS = 1_300;
const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 15_000];

export function LiveUpdates({ children }: { children: React.ReactNode }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [live, setLive] = useState(true);
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const [retryAt, setRetryAt] = useState<number>();
  const [error, setError] = useState<string>();
  const [lastNoticeAt, setLastNoticeAt] = useState<number>();
  const lastAt = useRef(Date.now());
  const masterId = useRef<string | null>(null);
  const attempt = useRef(0);
  const pendingLists = useRef(new Set<string>());
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const trailingLists = useRef(new Set<string>());
  const trailingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const searching = useRef(false);
  const [retryTick, setRetryTick] = useState(0);
  const resetSubscription = useRef<() => void>(() => {});

  const lists: Record<string, QueryFilters> = {
    overview: trpc.cluster.overview.queryFilter(),
    master: trpc.cluster.master.queryFilter(),
    tasks: trpc.tasks.list.queryFilter(),
    agents: trpc.agents.list.queryFilter(),
    frameworks: trpc.frameworks.list.queryFilter(),
    offers: trpc.offers.pathFilter(),
    roles: trpc.roles.pathFilter(),
    events: trpc.events.pathFilter(),
    metrics: trpc.cluster.metrics.queryFilter(),
    ha: trpc.ha.pathFilter(),
    maintenance: trpc.maintenance.pathFilter(),
  };

  const scheduleLists = (names: string[]) => {
    for (const n of names) {
      pendingLists.current.add(n);
      trailingLists.current.add(n);
    }
    if (!flushTimer.current) {
      flushTimer.current = setTimeout(() => {
        flushTimer.current = null;
        const names = [...pendingLists.current];
        pendingLists.current.clear();
        for (const n of names) if (lists[n]) void qc.invalidateQueries(lists[n]);
      }, LIST_FLUSH_MS);
    }
    // The master may answer a list from a sort up to 1 s old while changes stream in: once they
    // stop, refetch the lists once more so the order and counts on screen converge.
    if (trailingTimer.current) clearTimeout(trailingTimer.current);
    trailingTimer.current = setTimeout(() => {
      trailingTimer.current = null;
      const names = [...trailingLists.current];
      trailingLists.current.clear();
      for (const n of names) if (lists[n]) void qc.invalidateQueries(lists[n]);
    }, TRAILING_MS);
  };

  const followLeader = useCallback(async () => {
    if (searching.current) return;
    searching.current = true;
    try {
      const found = await findLeader(candidateBases());
      if (found !== null) {
        const moved = found !== (masterBase() || window.location.origin);
        setMasterBase(found);
        attempt.current = 0;
        setRetryAt(undefined);
        if (moved) {
          masterId.current = null;
          void qc.invalidateQueries();
          resetSubscription.current();
        }
        setStatus("connecting");
        return true;
      }
      return false;
    } finally {
      searching.current = false;
    }
  }, [qc]);

  const onNotice = (n: ChangeNotice) => {
    lastAt.current = Date.now();
    setLastNoticeAt(lastAt.current);
    attempt.current = 0;
    setStatus("live");
    setError(undefined);
    setRetryAt(undefined);
    if (!n.leading) void followLeader();
    if (masterId.current !== n.masterId) {
      const first = masterId.current === null;
      masterId.current = n.masterId;
      // A new master core (failover): everything may differ. First notice: refresh what is stale.
      void qc.invalidateQueries(first ? { predicate: (q) => q.state.dataUpdatedAt < Date.now() - 3_000 } : undefined);
      void qc.fetchQuery(trpc.ha.leader.queryOptions()).then((l) => setKnownMasters(l.masters)).catch(() => {});
      return;
    }
    const kinds = new Set(n.kinds);
    if (kinds.size === 0) return;
    if (n.tasks.length > 0) {
      qc.setQueriesData<{ rows: TaskRowLike[] }>(trpc.tasks.list.queryFilter(), (page) => patchTaskPage(page, n.tasks));
      for (const t of n.tasks.slice(0, 50)) void qc.invalidateQueries(trpc.tasks.detail.queryFilter({ frameworkId: t.frameworkId, taskId: t.id }));
    }
    for (const id of n.agents.slice(0, 50)) void qc.invalidateQueries(trpc.agents.detail.queryFilter({ id }));
    for (const id of n.frameworks.slice(0, 50)) void qc.invalidateQueries(trpc.frameworks.detail.queryFilter({ id }));
    const names: string[] = ["overview"];
    if (kinds.has("tasks")) names.push("tasks");
    if (kinds.has("agents")) names.push("agents");
    if (kinds.has("frameworks")) names.push("frameworks");
    if (kinds.has("offers")) names.push("offers");
    if (kinds.has("offers")) names.push("maintenance"); // inverse offers and answers (operator changes refetch on their own)
    if (kinds.has("roles")) names.push("roles");
    if (kinds.has("timeline")) names.push("events");
    if (kinds.has("metrics")) names.push("metrics");
    if (kinds.has("master")) names.push("ha", "master");
    if (n.truncated) names.push("tasks", "agents", "frameworks");
    scheduleLists(names);
  };

  const sub = useSubscription(
    trpc.cluster.changes.subscriptionOptions(undefined, {
      enabled: live && status !== "down",
      onData: onNotice,
      onError: (err) => {
        setError(err.message);
        setStatus("down");
      },
    }),
  );

  resetSubscription.current = sub.reset;

  // Watchdog: no notice (not even a heartbeat) for SILENCE_MS means the master is unreachable.
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      if (status !== "down" && Date.now() - lastAt.current > SILENCE_MS) {
        setError("no heartbeat from the master");
        setStatus("down");
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [live, status]);

  // While down: look for the leader with backoff, showing when the next attempt runs.
  useEffect(() => {
    if (!live || status !== "down") return;
    const delay = BACKOFF_MS[Math.min(attempt.current, BACKOFF_MS.length - 1)]!;
    setRetryAt(Date.now() + delay);
    const timer = setTimeout(async () => {
      attempt.current++;
      if (await followLeader()) lastAt.current = Date.now();
      else setRetryTick((t) => t + 1);
    }, delay);
    return () => clearTimeout(timer);
  }, [live, status, retryTick, followLeader]);

  const retryNow = () => {
    attempt.current = 0;
    void followLeader().then((ok) => {
      if (ok) lastAt.current = Date.now();
      else setRetryTick((t) => t + 1);
    });
  };

  const setLiveAndRefresh = (v: boolean) => {
    setLive(v);
    if (v) {
      lastAt.current = Date.now();
      setStatus("connecting");
      void qc.invalidateQueries();
    }
  };

  const value: LiveState = { live, setLive: setLiveAndRefresh, status: live ? status : "paused", retryAt, retryNow, lastNoticeAt, error };
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function LiveToggle() {
  const { live, setLive, status } = useLive();
  const label = status === "paused" ? "Paused" : status === "live" ? "Live" : status === "down" ? "Offline" : "Connecting…";
  return (
    <button
      type="button"
      className={`live-toggle ${status}`}
      onClick={() => setLive(!live)}
      aria-pressed={live}
      data-testid="live-toggle"
      data-status={status}
      title={live ? "Pause live updates" : "Resume live updates"}
    >
      <span className="dot" aria-hidden /> {label}
    </button>
  );
}
