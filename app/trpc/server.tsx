// Server-side tRPC for server components: calls the router in-process (no HTTP) against the
// master handle of this process, and dehydrates the results into the page.
import { cache } from "react";
import { headers } from "next/headers";
import { PRINCIPAL_HEADER } from "../../server/security/security";
import { HydrationBoundary, dehydrate } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { appRouter } from "../../server/trpc/router";
import { createContext } from "../../server/trpc/init";
import { makeQueryClient } from "./query-client";

export const getQueryClient = cache(makeQueryClient);

export const trpc = createTRPCOptionsProxy({
  // The master's server put the authenticated principal in a header only it can set.
  ctx: async () => createContext({ principal: (await headers()).get(PRINCIPAL_HEADER) ?? undefined }),
  router: appRouter,
  queryClient: getQueryClient,
});

export function HydrateClient({ children }: { children: React.ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
