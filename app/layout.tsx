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

export const metadata: Metadata = {
  title: { default: "Plateau", template: "%s · Plateau" },
  description: "Plateau cluster manager: operations dashboard",
};

export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await getQueryClient().prefetchQuery(trpc.cluster.master.queryOptions()).catch(() => {});
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <Providers>
          <LiveUpdates>
            <HydrateClient>
              <Header />
            </HydrateClient>
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
