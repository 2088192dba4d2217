"use client";
// Which master the open page talks to. "" means the origin that served the page; after a
// failover the page switches to the new leader's origin (http://host:port) without a reload:
// tRPC requests and the live subscription are sent there (it answers CORS for its peers), and
// in-app links take the browser there. Known masters come from the HA status.
import { useSyncExternalStore } from "react";

let base = "";
let known: string[] = [];
const listeners = new Set<() => void>();

export function masterBase(): string {
  return base;
}

export function setMasterBase(next: string): void {
  const normalized = sameOrigin(next) ? "" : next.replace(/\/$/, "");
  if (normalized === base) return;
  base = normalized;
  for (const l of listeners) l();
}

/** Addresses (`host:port`) of the cluster's masters, as last reported. */
export function setKnownMasters(addresses: string[]): void {
  known = [...new Set(addresses)];
}

/** Base URLs to try, the current one first, then the page's own origin, then the other masters. */
export function candidateBases(): string[] {
  const own = typeof window === "undefined" ? "" : window.location.origin;
  const all = [base || own, own, ...known.map((a) => `http://${a}`)];
  return [...new Set(all.map((b) => b.replace(/\/$/, "")))];
}

function sameOrigin(url: string): boolean {
  if (!url) return true;
  return typeof window !== "undefined" && url.replace(/\/$/, "") === window.location.origin;
}

export function useMasterBase(): string {
  return useSyncExternalStore(
    (cb) => (listeners.add(cb), () => listeners.delete(cb)),
    () => base,
    () => "",
  );
}

/** The URL for an in-app path: relative on the page's own master, absolute on another. */
export function hrefOn(b: string, path: string): string {
  return b ? `${b}${path}` : path;
}

/**
 * Asks each candidate master who leads; resolves with the base URL of one that says it is
 * leading, or null when none answers so. `probe` is injectable for tests.
 */
export async function findLeader(
  candidates: string[],
  probe: (base: string) => Promise<{ leading: boolean; leader?: string | null }> = defaultProbe,
): Promise<string | null> {
  for (const c of candidates) {
    try {
      const r = await probe(c);
      if (r.leading) return c;
      if (r.leader) {
        const leaderBase = `http://${r.leader}`;
        const again = await probe(leaderBase).catch(() => null);
        if (again?.leading) return leaderBase;
      }
    } catch {
      // unreachable: try the next one
    }
  }
  return null;
}

async function defaultProbe(b: string): Promise<{ leading: boolean; leader?: string | null }> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 2500);
  try {
    const res = await fetch(`${b}/trpc/ha.leader`, { signal: ctrl.signal, cache: "no-store", credentials: "include" });
    if (!res.ok) throw new Error(String(res.status));
    const body = (await res.json()) as { result: { data: { leading: boolean; leader: string | null } } };
    return body.result.data;
  } finally {
    clearTimeout(timer);
  }
}
