"use client";
// URL-backed list state for client components: reads the query string through the spec and
// writes it back with history.replaceState (no server round trip; the lists refetch through
// tRPC). Shareable: the same URL opens the same filters and sort.
import { useCallback } from "react";
import { usePathname, useSearchParams } from "next/navigation";
import { parseState, toSearch, type Spec, type StateOf } from "./url-state";

export function useUrlState<S extends Spec>(spec: S): [StateOf<S>, (patch: Partial<StateOf<S>>) => void] {
  const params = useSearchParams();
  const pathname = usePathname();
  const state = parseState(spec, new URLSearchParams(params.toString()));
  const set = useCallback(
    (patch: Partial<StateOf<S>>) => {
      const current = parseState(spec, new URLSearchParams(window.location.search));
      const next = toSearch(spec, { ...current, ...patch });
      window.history.replaceState(null, "", `${pathname}${next}`);
    },
    [spec, pathname],
  );
  return [state, set];
}
