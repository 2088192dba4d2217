// Prisma CLI configuration (Prisma 6.19, fully offline: the JS engine with driver adapters).
// PLATEAU_REGISTRY_PROVIDER selects which of the two schemas the CLI works on:
//   sqlite (default)  prisma/sqlite/schema.prisma      — the embedded registry
//   postgresql        prisma/postgresql/schema.prisma  — the HA registry shared by all masters
// Both files hold the same models (a unit test checks it); only the datasource differs.
import os from "node:os";
import path from "node:path";
import { defineConfig } from "prisma/config";

const provider = process.env.PLATEAU_REGISTRY_PROVIDER === "postgresql" ? "postgresql" : "sqlite";
// The CLI only needs a database to diff against; migrations are applied by the master itself.
const url =
  provider === "sqlite"
    ? `file:${path.join(os.tmpdir(), "plateau-prisma-cli.db")}`
    : (process.env.PLATEAU_PRISMA_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", provider, "schema.prisma"),
  async adapter() {
    if (provider === "sqlite") {
      const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
      return new PrismaBetterSQLite3({ url });
    }
    const { PrismaPg } = await import("@prisma/adapter-pg");
    return new PrismaPg({ connectionString: url });
  },
});
