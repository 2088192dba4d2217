#!/usr/bin/env node
// `npm test`: the whole suite, from a fresh machine.
//   1. system packages the suite needs (chromium, zookeeper, postgresql) — apt-get installs missing ones
//   2. build (Prisma clients, dashboard) if stale
//   3. typecheck (tsc --noEmit)
//   4. unit tests, integration tests (vitest; they start masters, agents, ZooKeeper and
//      PostgreSQL themselves on loopback and clean up)
//   5. browser end-to-end tests (Playwright driving Debian's Chromium against a real cluster)
// The last line is a pass/fail summary.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);
const results = [];

function run(name, cmd, args, opts = {}) {
  if (only.length > 0 && !only.includes(name)) return true;
  const started = Date.now();
  console.log(`\n=== ${name}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...opts.env } });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000 });
  return ok;
}

const SYSTEM_PACKAGES = [
  { pkg: "chromium", present: () => fs.existsSync("/usr/bin/chromium") },
  { pkg: "zookeeper", present: () => fs.existsSync("/usr/share/java/zookeeper.jar") && fs.existsSync("/usr/bin/java") },
  { pkg: "postgresql", present: () => fs.existsSync("/usr/lib/postgresql") && fs.readdirSync("/usr/lib/postgresql").some((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) },
];

function ensureSystemPackages() {
  const missing = SYSTEM_PACKAGES.filter((p) => !p.present()).map((p) => p.pkg);
  if (missing.length === 0) return true;
  console.log(`Installing missing system packages: ${missing.join(", ")}`);
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync(sudo[0] ?? "apt-get", [...sudo.slice(1), ...(sudo.length ? ["apt-get"] : []), "update", "-qq"], { stdio: "inherit", env });
  if (update.status !== 0) return false;
  const install = spawnSync(sudo[0] ?? "apt-get", [...sudo.slice(1), ...(sudo.length ? ["apt-get"] : []), "install", "-y", "-qq", ...missing], { stdio: "inherit", env });
  return install.status === 0;
}

let ok = true;
if (only.length === 0 || only.includes("system-packages")) {
  const started = Date.now();
  const installed = ensureSystemPackages();
  results.push({ name: "system-packages", ok: installed, seconds: (Date.now() - started) / 1000 });
  ok = installed;
}
ok = run("build", process.execPath, ["scripts/build.mjs", "--if-stale"]) && ok;
ok = run("typecheck", process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."]) && ok;
ok = run("unit", process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "unit"]) && ok;
ok = run("integration", process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "integration", "--no-file-parallelism"]) && ok;
ok = run("e2e", process.execPath, ["node_modules/@playwright/test/cli.js", "test"]) && ok;

console.log("\n=== Summary");
for (const r of results) console.log(`${r.ok ? "PASS" : "FAIL"}  ${r.name.padEnd(16)} ${r.seconds.toFixed(1)} s`);
const failed = results.filter((r) => !r.ok).map((r) => r.name);
console.log(failed.length === 0 ? `RESULT: PASS (${results.length} steps)` : `RESULT: FAIL (${failed.join(", ")})`);
process.exit(failed.length === 0 ? 0 : 1);
