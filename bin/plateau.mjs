#!/usr/bin/env node
// The `plateau` command. Runs the TypeScript sources through tsx's loader (no separate build
// step for the server; the dashboard is built by `npm run build`).
import { register } from "tsx/esm/api";

register();
await import("../server/cli/main.ts");
