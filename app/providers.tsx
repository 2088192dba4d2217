"use client";
// Client-side providers: TanStack Query and the tRPC client. Requests go to the master the page
// currently follows (app/lib/masters.ts): the page's own origin, or the leader after a failover.
import { useState } from "react";
import { QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import type { AppRouter } from "../server/trpc/router";
import { TRPCProvider } from "./trpc/client";
import { makeQueryClient } from "./trpc/query-client";
import { masterBase } from "./lib/masters";

const CSRF = { "x-plateau-csrf": "1" };

/** fetch that sends relative /trpc URLs to the followed master. */
const followingFetch: typeof fetch = (input, init) => {
  const b = masterBase();
  if (b && typeof input === "string" && input.startsWith("/")) return fetch(b + input, { ...init, mode: "cors", credentials: "include" }); // the session cookie (same site) goes along
  return fetch(input, init);
};

export function Providers({ children }: { children: React.ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: () => `${masterBase()}/trpc`, eventSourceOptions: { withCredentials: true } }),
          false: httpBatchLink({ url: "/trpc", fetch: followingFetch, headers: () => CSRF, maxURLLength: 4000 }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
