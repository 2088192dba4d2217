// The dashboard shell: header (master, palette, theme, live toggle), connection banner, page
// navigation and the command palette around every page. One live subscription serves all pages.
import type { Metadata } from "next";
import "./globals.css";
import { Providers } from "./providers";
import { LiveUpdates } from "./components/live";
import { Header } from "./components/shell/header";
import { Nav } from "./components/shell/nav";
import { ConnectionBanner } from "./components/shell/banner";
import { CommandPalette } from "./components/shell/palette";
import { HydrateClient, getQueryClient, trpc } from "./trpc/server";
import { THEME_SCRIPT } from "./lib/theme-script";
import { headers } from "next/headers";
import { processSecurity } from "../server/security/security";

/** The per-response nonce the master's server put in the CSP (inline scripts need it). */
function nonceOf(csp: string | null): string | undefined {
  return csp ? /'nonce-([A-Za-z0-9+/_=-]+)'/.exec(csp)?.[1] : undefined;
}

export const metadata: Metadata = {
  title: { default: "Plateau", template: "%s · Plateau" },
  description: "Plateau cluster manager: operations dashboard",
};

export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await getQueryClient().prefetchQuery(trpc.cluster.master.queryOptions()).catch(() => {});
  const nonce = nonceOf((await headers()).get("content-security-policy"));
  const insecure = processSecurity().insecure;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <Providers>
          <LiveUpdates>
            <HydrateClient>
              <Header />
            </HydrateClient>
            {insecure && (
              <div className="banner bad insecure" role="alert" data-testid="insecure-banner">
                INSECURE: this master accepts requests from the network without authentication (--insecure). Anyone who can reach it can control the cluster.
              </div>
            )}
            <ConnectionBanner />
            <div className="frame">
              <Nav />
              <main>{children}</main>
            </div>
            <CommandPalette />
          </LiveUpdates>
        </Providers>
      </body>
    </html>
  );
}
