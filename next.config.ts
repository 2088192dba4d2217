import type { NextConfig } from "next";

const config: NextConfig = {
  // The dashboard is served by the master's own HTTP server (server/http), not `next start`.
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // `npm test` runs `tsc --noEmit` over the whole project; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "ws"],
};

export default config;
