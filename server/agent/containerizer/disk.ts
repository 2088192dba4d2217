// Disk usage of a sandbox, the way `du` counts it (allocated blocks, symlinks not followed, each
// inode once). Used by the disk/du isolator (agent-executor.md §9).
import { promises as fsp } from "node:fs";
import path from "node:path";

/** Bytes allocated under `dir` (0 when it does not exist), minus the trees at `exclude` (mount points). Yields to the event loop per directory. */
export async function diskUsage(dir: string, exclude: ReadonlySet<string> = new Set()): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (exclude.has(current)) continue;
    let st;
    try {
      st = await fsp.lstat(current);
    } catch {
      continue;
    }
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    total += st.blocks * 512;
    if (!st.isDirectory()) continue;
    let names: string[];
    try {
      names = await fsp.readdir(current);
    } catch {
      continue;
    }
    for (const name of names) stack.push(path.join(current, name));
  }
  return total;
}
