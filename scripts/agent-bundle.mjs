// The agent as one precompiled ES module, so `plateau agent` runs without tsx's loader (a
// second V8 isolate that transpiles on the fly: ~45 MB of RSS and a slower start for a process
// that may hold 1,000 tasks). Built with esbuild (a dependency of tsx) into
// node_modules/.cache/plateau/, with a manifest of every source file the bundle was built from
// (esbuild's metafile) and their hash: any change to one of them (or to package-lock.json)
// rebuilds it. Any failure → undefined, and the caller falls back to tsx.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.join(root, "node_modules", ".cache", "plateau");
const manifestFile = path.join(dir, "agent-bundle.json");
const ALWAYS = ["package-lock.json", "scripts/agent-bundle.mjs"];

function hashOf(inputs) {
  const hash = crypto.createHash("sha256");
  for (const rel of [...ALWAYS, ...inputs]) {
    hash.update(rel);
    hash.update(fs.readFileSync(path.join(root, rel)));
  }
  return hash.digest("hex").slice(0, 16);
}

const ENTRY = `
import { runAgentCli } from "./server/agent/cli.ts";
import { runDefaultExecutor } from "./server/agent/default-executor/main.ts";
const run = process.argv[2] === "default-executor" ? runDefaultExecutor : runAgentCli;
run(process.argv.slice(3)).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
`;

function current() {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    const file = path.join(dir, manifest.file);
    return manifest.hash === hashOf(manifest.inputs) && fs.existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Path of an up-to-date agent bundle (built now if needed), or undefined. */
export async function agentBundle() {
  try {
    const ready = current();
    if (ready !== undefined) return ready;
    const { build } = await import("esbuild");
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `agent.${process.pid}.tmp.mjs`);
    const result = await build({
      stdin: { contents: ENTRY, resolveDir: root, loader: "ts", sourcefile: "agent-entry.ts" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: tmp,
      metafile: true,
      external: ["bufferutil", "utf-8-validate"],
      // CommonJS dependencies (ws) call require(): give the ES module one.
      banner: { js: 'import { createRequire as __plateauRequire } from "node:module"; const require = __plateauRequire(import.meta.url);' },
      logLevel: "silent",
      legalComments: "none",
    });
    const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith("node_modules/") && !p.includes("agent-entry.ts")).sort();
    const hash = hashOf(inputs);
    const name = `agent-${hash}.mjs`;
    fs.renameSync(tmp, path.join(dir, name));
    const manifestTmp = `${manifestFile}.${process.pid}.tmp`;
    fs.writeFileSync(manifestTmp, JSON.stringify({ hash, file: name, inputs }));
    fs.renameSync(manifestTmp, manifestFile);
    // Older bundles are dead weight (a concurrent start may still be loading one: keep the last hour's).
    for (const old of fs.readdirSync(dir)) {
      const p = path.join(dir, old);
      if (/^agent-[0-9a-f]{16}\.mjs$/.test(old) && old !== name && Date.now() - fs.statSync(p).mtimeMs > 3_600_000) fs.rmSync(p, { force: true });
    }
    return path.join(dir, name);
  } catch {
    return undefined;
  }
}
