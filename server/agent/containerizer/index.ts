// Builds the containerizer for `--isolation` on this host: the isolator (cgroups v1/v2 or posix,
// see isolators.ts) inside the one containerizer (mesos.ts).
import type { Clock } from "../clock";
import type { Logger } from "../log";
import { createIsolator, type CreateIsolatorOptions } from "./isolators";
import { MesosContainerizer } from "./mesos";
import type { Containerizer } from "./types";
import { detectHostTools } from "./wrapper";

export * from "./types";
export { MesosContainerizer, limitsOf } from "./mesos";
export { IsolationError } from "./isolators";

export interface ContainerizerOptions extends CreateIsolatorOptions {
  clock: Clock;
  pollIntervalMs: number;
  limitationPollIntervalMs: number;
  diskWatchIntervalMs: number;
}

export async function createContainerizer(o: ContainerizerOptions, log: Logger): Promise<MesosContainerizer & Containerizer> {
  const tools = await detectHostTools();
  const { isolator, unknown } = createIsolator(o);
  if (unknown.length > 0) log.warn(`Isolators not implemented by Plateau, running without them: ${unknown.join(",")}`);
  if (isolator.info.pidNamespace && tools.unshare === undefined) {
    throw new Error("--isolation=namespaces/pid needs unshare(1) from util-linux on this host");
  }
  const containerizer = new MesosContainerizer({
    isolator,
    tools,
    clock: o.clock,
    log,
    pollIntervalMs: o.pollIntervalMs,
    limitationPollIntervalMs: o.limitationPollIntervalMs,
    diskWatchIntervalMs: isolator.info.isolators.includes("disk/du") ? o.diskWatchIntervalMs : 0,
    enforceDiskQuota: o.enforceDiskQuota,
  });
  const level = isolator.info.enforcing ? "info" : "warn";
  log[level](`Using isolation ${containerizer.description}`);
  return containerizer;
}
