// `plateau master`: a master process serving the Mesos APIs, tRPC and the dashboard on one port.
import fs from "node:fs";
import path from "node:path";
import { startMaster, type RunningMaster } from "../master";
import { serve, type Served } from "../http/server";
import { FlagError, parseFlags, renderHelp, type FlagValue } from "./flags";
import { MASTER_FLAGS, masterConfigFromFlags, operatorOptionsFromFlags } from "./master-flags";
import { ProcessLog } from "./log";
import type { LeaderElection } from "../ha/types";
import { zooKeeperElection } from "../ha/zookeeper";
import { parseZkUrl } from "../ha/zk/url";
import { masterSecurityFromFlags } from "../security/flags";

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

/** --zk: ZooKeeper leader election; null for a standalone master. */
export function masterElection(values: Record<string, FlagValue>, log: ProcessLog): LeaderElection | null {
  const zk = values.zk as string | undefined;
  if (!zk) return null;
  let url;
  try {
    url = parseZkUrl(zk);
  } catch (err) {
    throw new FlagError(`Failed to load flag 'zk': ${(err as Error).message}`);
  }
  return zooKeeperElection({ url, sessionTimeoutMs: Number(values.zk_session_timeout), log: (line) => log.info(`zookeeper] ${line}`) });
}

export async function launchMaster(values: Record<string, FlagValue>, log?: ProcessLog): Promise<MasterProcess> {
  const workDir = path.resolve(String(values.work_dir));
  fs.mkdirSync(workDir, { recursive: true });
  const processLog = log ?? new ProcessLog("master", path.join(workDir, "master.log"));
  const config = masterConfigFromFlags(values);
  const security = masterSecurityFromFlags(values, processLog.info);
  const election = masterElection(values, processLog);
  const registry = registryUrl(values);
  if (election && !/^postgres(ql)?:\/\//.test(registry)) {
    processLog.info(`WARNING: --zk without a shared --registry=postgresql://…: each master has its own registry (${registry}), so a new leader does not see what the previous one wrote`);
  }
  // With ZooKeeper the master enters the election only once its HTTP server listens: the
  // address it publishes must answer.
  // The master's own log is served as /master/log (when this process writes it to <work_dir>).
  const operator = { ...operatorOptionsFromFlags(values), logFile: log ? undefined : path.join(workDir, "master.log") };
  const running = await startMaster({ config, registry, log: processLog.info, election: election ?? undefined, contend: election === null, operator });
  let served: Served;
  try {
    served = await serve({ ip: config.ip, port: config.port, running, dashboard: values.dashboard !== false, log: processLog.info, security });
    if (election) await running.lifecycle.start();
  } catch (err) {
    await running.stop();
    throw err;
  }
  processLog.info(`Master ${running.master.id} listening on http://${config.ip}:${served.port} (dashboard ${values.dashboard !== false ? "on" : "off"}; ${security.authEnabled ? "authentication on" : security.insecure ? "INSECURE: no authentication" : "no authentication (loopback only)"}${security.aclsConfigured ? ", ACLs on" : ""}${election ? `; contending in ${election.detector.session().url}` : ""})`);
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
