// Applies the SQL migrations in prisma/<provider>/migrations (written by scripts/prisma.mjs from
// the Prisma schema) using the raw driver, recording applied ones in `_plateau_migrations`.
// Idempotent and safe to run from several masters at once (PostgreSQL advisory lock; SQLite's
// exclusive transaction).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export function projectRoot(): string {
  return process.env.PLATEAU_ROOT ?? fileURLToPath(new URL("../../../", import.meta.url));
}

export interface Migration {
  name: string;
  sql: string;
}

export function listMigrations(provider: "sqlite" | "postgresql"): Migration[] {
  const dir = path.join(projectRoot(), "prisma", provider, "migrations");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, "migration.sql")))
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

export async function migrateSqlite(file: string): Promise<string[]> {
  const { default: Database } = await import("better-sqlite3");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.exec('CREATE TABLE IF NOT EXISTS "_plateau_migrations" ("name" TEXT PRIMARY KEY, "applied_at" INTEGER NOT NULL)');
    const applied: string[] = [];
    const run = db.transaction((migrations: Migration[]) => {
      const done = new Set((db.prepare('SELECT name FROM "_plateau_migrations"').all() as { name: string }[]).map((r) => r.name));
      for (const m of migrations) {
        if (done.has(m.name)) continue;
        db.exec(m.sql);
        db.prepare('INSERT INTO "_plateau_migrations" (name, applied_at) VALUES (?, ?)').run(m.name, Date.now());
        applied.push(m.name);
      }
    });
    run.exclusive(listMigrations("sqlite"));
    return applied;
  } finally {
    db.close();
  }
}

const PG_MIGRATION_LOCK = 727_001;

export async function migratePostgres(connectionString: string): Promise<string[]> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PG_MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS "_plateau_migrations" ("name" TEXT PRIMARY KEY, "applied_at" BIGINT NOT NULL)');
    const done = new Set((await client.query('SELECT name FROM "_plateau_migrations"')).rows.map((r: { name: string }) => r.name));
    const applied: string[] = [];
    for (const m of listMigrations("postgresql")) {
      if (done.has(m.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO "_plateau_migrations" (name, applied_at) VALUES ($1, $2)', [m.name, Date.now()]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PG_MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}
