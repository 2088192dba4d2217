// Loads the Next.js dashboard (production build) into this process as a request handler.
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { projectRoot } from "../master/registry/migrate";

export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export async function loadDashboard(hostname: string, port: number, log: (line: string) => void): Promise<DashboardHandler> {
  const dir = projectRoot();
  if (!fs.existsSync(path.join(dir, ".next", "BUILD_ID"))) {
    throw new Error(`The dashboard has not been built (no ${path.join(dir, ".next/BUILD_ID")}). Run 'npm run build' first.`);
  }
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const started = performance.now();
  const { default: next } = await import("next");
  const app = next({ dev: false, dir, hostname, port, customServer: true, quiet: true });
  await app.prepare();
  const handle = app.getRequestHandler();
  log(`http] dashboard ready in ${Math.round(performance.now() - started)} ms`);
  return (req, res) => handle(req, res);
}
