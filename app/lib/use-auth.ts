"use client";
// Who is signed in and what they may do (tRPC auth.me). Controls the operator may not use are
// hidden; the backend enforces the same ACLs whatever the page shows.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import type { OperatorAction } from "../../server/trpc/init";

export function useAuth() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.auth.me.queryOptions(), staleTime: 60_000 }).data;
}

/** False only once the server said the action is not allowed (while loading, the control shows; the backend decides anyway). */
export function useCan(action: OperatorAction): boolean {
  return useAuth()?.can[action] !== false;
}
