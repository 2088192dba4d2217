// `plateau master`: a master process serving the Mesos APIs, tRPC and the dashboard on one port.
import fs from "node:fs";
import path from "node:path";
import { startMaster, type RunningMaster } from "../master";
import { serve, type Served } from "../http/server";
import { FlagError, parseFlags, renderHelp, type FlagValue } from "./flags";
import { MASTER_FLAGS, masterConfigFromFlags } from "./master-flags";
import { ProcessLog } from "./log";

export interface MasterProcess {
  running: RunningMaster;
  served: Served;
  log: ProcessLog;
  stop(): Promise<void>;
}

/** Resolves --registry: default is a SQLite file under the work dir. */
export function registryUrl(values: Record<string, FlagValue>): string {
  const explicit = values.registry as string | undefined;
  if (explicit) return explicit;
  return path.resolve(String(values.work_dir), "registry.db");
}

export async function launchMaster(values: Record<string, FlagValue>, log?: ProcessLog): Promise<MasterProcess> {
  const workDir = path.resolve(String(values.work_dir));
  fs.mkdirSync(workDir, { recursive: true });
  const processLog = log ?? new ProcessLog("master", path.join(workDir, "master.log"));
  const config = masterConfigFromFlags(values);
  const running = await startMaster({ config, registry: registryUrl(values), log: processLog.info });
  let served: Served;
  try {
    served = await serve({ ip: config.ip, port: config.port, running, dashboard: values.dashboard !== false, log: processLog.info });
  } catch (err) {
    await running.stop();
    throw err;
  }
  processLog.info(`Master ${running.master.id} listening on http://${config.ip}:${served.port} (dashboard ${values.dashboard !== false ? "on" : "off"})`);
  return {
    running,
    served,
    log: processLog,
    async stop() {
      await served.close();
      await running.stop();
    },
  };
}

export async function runMasterCli(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseFlags(argv, MASTER_FLAGS);
  } catch (err) {
    if (err instanceof FlagError) {
      console.error(`${err.message}\n\nSee 'plateau master --help'.`);
      process.exit(1);
    }
    throw err;
  }
  if (parsed.help) {
    console.log(renderHelp("Usage: plateau master [flags]\n\nRuns a Plateau master.", MASTER_FLAGS));
    return;
  }
  const proc = await launchMaster(parsed.values);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    proc.log.info(`Received ${signal}, shutting down`);
    await proc.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
