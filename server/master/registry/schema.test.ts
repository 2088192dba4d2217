// The registry has one canonical model in two provider files; they must not drift apart.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listMigrations, projectRoot } from "./migrate";

function models(provider: string): string {
  const text = fs.readFileSync(path.join(projectRoot(), "prisma", provider, "schema.prisma"), "utf8");
  return text.slice(text.indexOf("// ---- models (canonical) ----"));
}

describe("registry schema", () => {
  it("has identical models for SQLite and PostgreSQL", () => {
    expect(models("postgresql")).toBe(models("sqlite"));
  });

  it("has the same migrations, by name, for both providers", () => {
    expect(listMigrations("postgresql").map((m) => m.name)).toEqual(listMigrations("sqlite").map((m) => m.name));
  });

  it("each migration's snapshot is the schema it produced, the last one being the current schema", () => {
    for (const provider of ["sqlite", "postgresql"] as const) {
      const names = listMigrations(provider).map((m) => m.name);
      const last = names.at(-1)!;
      const snapshot = fs.readFileSync(path.join(projectRoot(), "prisma", provider, "migrations", last, "schema.prisma.snapshot"), "utf8");
      const current = fs.readFileSync(path.join(projectRoot(), "prisma", provider, "schema.prisma"), "utf8");
      expect(snapshot.slice(snapshot.indexOf("// ---- models"))).toBe(current.slice(current.indexOf("// ---- models")));
    }
  });
});
