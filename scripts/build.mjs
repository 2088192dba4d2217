#!/usr/bin/env node
// Builds what the master process needs at run time: the two Prisma clients and the Next.js
// production build of the dashboard. With --if-stale (used by `npm start` and `npm test`) it
// only rebuilds what changed since the last build (content hash of the inputs).
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ifStale = process.argv.includes("--if-stale");

function hashInputs(paths) {
  const hash = crypto.createHash("sha256");
  const visit = (p) => {
    const full = path.join(root, p);
    if (!fs.existsSync(full)) return;
    const stat = fs.statSync(full);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(full).sort()) {
        if (name === "node_modules" || name === "generated" || name.startsWith(".")) continue;
        visit(path.join(p, name));
      }
    } else if (/\.(ts|tsx|mjs|js|css|prisma|json|sql)$/.test(p)) {
      hash.update(p);
      hash.update(fs.readFileSync(full));
    }
  };
  paths.forEach(visit);
  return hash.digest("hex");
}

function step(name, inputs, stampFile, run) {
  const stamp = path.join(root, stampFile);
  const digest = hashInputs(inputs);
  if (ifStale && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === digest) return;
  const started = Date.now();
  process.stderr.write(`build: ${name}...\n`);
  run();
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, digest);
  process.stderr.write(`build: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };

step("prisma clients", ["prisma", "package-lock.json"], "server/master/registry/generated/.stamp", () => {
  execFileSync(process.execPath, [path.join(root, "scripts", "prisma.mjs"), "generate"], { cwd: root, env, stdio: "inherit" });
});

step("dashboard (next build)", ["app", "server", "next.config.ts", "package-lock.json", "tsconfig.json"], ".next/.plateau-stamp", () => {
  execFileSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
});
