// Picks the containerizer for `--isolation`. Only posix isolation exists so far; cgroups
// isolators (issue #4) are accepted and reported as not yet in force.
import type { Logger } from "../log";
import { PosixContainerizer, type PosixContainerizerOptions } from "./posix";
import type { Containerizer } from "./types";

export * from "./types";
export { PosixContainerizer } from "./posix";

const POSIX_ISOLATORS = new Set(["posix/cpu", "posix/mem", "posix/disk", "filesystem/posix"]);

export async function createContainerizer(
  isolation: string,
  log: Logger,
  options: PosixContainerizerOptions = {},
): Promise<Containerizer> {
  const requested = isolation.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const unsupported = requested.filter((s) => !POSIX_ISOLATORS.has(s));
  if (unsupported.length > 0) {
    log.warn(`Isolators not implemented yet, running without them: ${unsupported.join(",")}`);
  }
  const containerizer = await PosixContainerizer.create({ log, ...options });
  log.info(`Using isolation ${containerizer.description}`);
  return containerizer;
}
