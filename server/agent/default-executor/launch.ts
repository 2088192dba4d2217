// How the agent starts Plateau's default executor (ExecutorInfo.type = DEFAULT): the same Node
// binary running `plateau default-executor`, found from this module's location (the sources or
// the agent bundle under node_modules/.cache both sit below the checkout's bin/plateau.mjs).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let bin: string | undefined;

function findBin(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "bin", "plateau.mjs");
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find bin/plateau.mjs to start the default executor");
    dir = parent;
  }
}

/**
 * argv of the default executor. A small heap: it shares its container's memory limit with the
 * tasks it runs (agent-executor.md §7: tasks share the executor's resources).
 */
export function defaultExecutorArgv(): string[] {
  bin ??= findBin();
  return [process.execPath, "--max-old-space-size=48", "--max-semi-space-size=2", bin, "default-executor"];
}
