"use client";
// Times shown relative to now ("12s ago") and absolute (local time). The server renders them
// with its clock; the browser re-renders them with its own right after hydration (no mismatch
// error) and every few seconds after, so "ago" stays true without refetching anything.
import { useSyncExternalStore } from "react";
import { formatAgo, formatDateTime, formatDuration } from "../format";

const listeners = new Set<() => void>();
let now = 0;
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(cb: () => void): () => void {
  listeners.add(cb);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(cb);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** The browser's clock, ticking every second; 0 while hydrating (then the server's clock is used). */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now || Date.now(), () => 0);
}

export function Ago({ ms }: { ms: number | undefined }) {
  const t = useNow() || Date.now();
  return <time suppressHydrationWarning dateTime={ms !== undefined ? new Date(ms).toISOString() : undefined}>{formatAgo(ms, t)}</time>;
}

export function DateTime({ ms }: { ms: number | undefined }) {
  useNow();
  return <time suppressHydrationWarning>{formatDateTime(ms)}</time>;
}

/** "2026-11-22 05:20:58 (9s ago)" */
export function When({ ms }: { ms: number | undefined }) {
  const t = useNow() || Date.now();
  if (ms === undefined) return <>—</>;
  return <time suppressHydrationWarning dateTime={new Date(ms).toISOString()}>{formatDateTime(ms)} ({formatAgo(ms, t)})</time>;
}

/** How long since `ms` ("1m 12s"). */
export function Age({ ms }: { ms: number }) {
  const t = useNow() || Date.now();
  return <span suppressHydrationWarning>{formatDuration(t - ms)}</span>;
}
