#!/usr/bin/env node
// Registry schema tooling (Prisma 6.19, offline).
//   node scripts/prisma.mjs generate          generate both Prisma clients (sqlite, postgresql)
//   node scripts/prisma.mjs migration <name>  write a new migration for both providers by diffing
//                                            the current schema against the previous migration's
//                                            schema snapshot (no shadow database needed)
// Migrations are applied at run time by server/master/registry/migrate.ts, not by the Prisma CLI.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PROVIDERS = ["sqlite", "postgresql"];
const prismaBin = path.join(root, "node_modules", "prisma", "build", "index.js");

function prisma(provider, args, opts = {}) {
  return execFileSync(process.execPath, [prismaBin, ...args], {
    cwd: root,
    env: { ...process.env, PLATEAU_REGISTRY_PROVIDER: provider, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", opts.quiet ? "pipe" : "inherit"],
  });
}

function generate() {
  for (const provider of PROVIDERS) {
    prisma(provider, ["generate", "--schema", `prisma/${provider}/schema.prisma`], { quiet: true });
  }
}

function migration(name) {
  if (!/^[a-z0-9_]+$/.test(name ?? "")) throw new Error("migration name must be [a-z0-9_]+");
  const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  for (const provider of PROVIDERS) {
    const dir = path.join(root, "prisma", provider, "migrations");
    fs.mkdirSync(dir, { recursive: true });
    const previous = fs.readdirSync(dir).filter((d) => fs.statSync(path.join(dir, d)).isDirectory()).sort().at(-1);
    const from = previous ? ["--from-schema-datamodel", path.join(dir, previous, "schema.prisma.snapshot")] : ["--from-empty"];
    const schema = path.join(root, "prisma", provider, "schema.prisma");
    const sql = prisma(provider, ["migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], { quiet: true });
    if (!/\S/.test(sql.replace(/--.*$/gm, ""))) {
      console.error(`${provider}: no schema changes`);
      continue;
    }
    const target = path.join(dir, `${stamp}_${name}`);
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, "migration.sql"), sql);
    fs.copyFileSync(schema, path.join(target, "schema.prisma.snapshot"));
    console.error(`${provider}: wrote ${path.relative(root, target)}`);
  }
}

const [cmd, arg] = process.argv.slice(2);
if (cmd === "generate") generate();
else if (cmd === "migration") migration(arg);
else {
  console.error("usage: node scripts/prisma.mjs generate | migration <name>");
  process.exit(2);
}
