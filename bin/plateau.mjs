#!/usr/bin/env node
// The `plateau` command. Runs the TypeScript sources through tsx's loader (no separate build
// step for the server; the dashboard is built by `npm run build`). `plateau agent` runs a
// precompiled bundle of the agent instead (scripts/agent-bundle.mjs: no loader in the agent
// process); PLATEAU_AGENT_TSX=1 forces the sources.
// The default executor (started by agents) lives in the same bundle.
if ((process.argv[2] === "agent" || process.argv[2] === "default-executor") && process.env.PLATEAU_AGENT_TSX !== "1") {
  const { agentBundle } = await import("../scripts/agent-bundle.mjs");
  const bundle = await agentBundle();
  if (bundle !== undefined) {
    const { pathToFileURL } = await import("node:url");
    await import(pathToFileURL(bundle).href);
  } else {
    await runSources();
  }
} else {
  await runSources();
}

async function runSources() {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../server/cli/main.ts");
}
