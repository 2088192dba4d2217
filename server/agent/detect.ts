// The agent's AgentInfo resources and attributes: `--resources` as given, plus auto-detection of
// the standard names it leaves out (agent-executor.md §4.1), and the host's boot id.
import { createHash } from "node:crypto";
import { accessSync, constants, promises as fsp, statfsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Attribute, Resource } from "../protocol/mesos";
import { Resources, parseAttributes, parseResources } from "../resources";
import { parseResourceList } from "../resources/parse";

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** Resolves `file:///path` flag values to the file's contents. */
export async function readFlagText(value: string): Promise<string> {
  return value.startsWith("file://") ? await fsp.readFile(value.slice("file://".length), "utf8") : value;
}

export interface HostFacts {
  cpus: number;
  memBytes: number;
  /** Size of the filesystem holding work_dir, or undefined when unknown. */
  diskBytes?: number;
}

export async function hostFacts(workDir: string): Promise<HostFacts> {
  let diskBytes: number | undefined;
  try {
    const s = await fsp.statfs(workDir);
    diskBytes = s.blocks * s.bsize;
  } catch {
    diskBytes = undefined;
  }
  const cpus = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return { cpus: cpus > 0 ? cpus : 1, memBytes: os.totalmem(), diskBytes };
}

/** Detected values (MB for mem/disk) of the standard resources, per Mesos's rules. */
export function detectedResourceText(facts: HostFacts, missing: ReadonlySet<string>): string {
  const parts: string[] = [];
  if (missing.has("cpus")) parts.push(`cpus:${facts.cpus}`);
  if (missing.has("mem")) {
    const mem = facts.memBytes > 0 ? (facts.memBytes >= 2 * GB ? facts.memBytes - GB : facts.memBytes / 2) : GB;
    parts.push(`mem:${Math.floor(mem / MB)}`);
  }
  if (missing.has("disk")) {
    const size = facts.diskBytes;
    const disk = size === undefined || size <= 0 ? 10 * GB : size >= 10 * GB ? size - 5 * GB : size / 2;
    parts.push(`disk:${Math.floor(disk / MB)}`);
  }
  if (missing.has("ports")) parts.push("ports:[31000-32000]");
  return parts.join(";");
}

const STANDARD = ["cpus", "mem", "disk", "ports"];

/** The agent's total resources: `--resources` plus detected standard ones. Throws ResourcesParseError. */
export async function agentResources(flag: string | undefined, defaultRole: string, workDir: string): Promise<Resource[]> {
  const text = flag === undefined ? "" : await readFlagText(flag);
  // Names count as given even with a zero value (`cpus:0` disables detection of cpus).
  const given = new Set(parseResourceList(text, defaultRole).map((r) => r.name));
  const missing = new Set(STANDARD.filter((n) => !given.has(n)));
  const detected = missing.size > 0 ? parseResources(detectedResourceText(await hostFacts(workDir), missing), defaultRole) : [];
  return Resources.from([...parseResources(text, defaultRole), ...detected]).toArray();
}

export async function agentAttributes(flag: string | undefined): Promise<Attribute[]> {
  return flag === undefined ? [] : parseAttributes(await readFlagText(flag));
}

/** The kernel's boot id (changes on every boot); a boot-time stamp where /proc is absent. */
export async function currentBootId(): Promise<string> {
  try {
    return (await fsp.readFile("/proc/sys/kernel/random/boot_id", "utf8")).trim();
  } catch {
    const bootSeconds = Math.floor(Date.now() / 1000 - os.uptime());
    return `boot-${Math.round(bootSeconds / 60)}`; // minute resolution absorbs uptime jitter
  }
}

/** A short stable key for a work_dir (per-agent cgroup root and runtime dir). */
export function workDirKey(workDir: string): string {
  return createHash("sha256").update(path.resolve(workDir)).digest("hex").slice(0, 12);
}

const TMPFS_MAGIC = 0x01021994;

/**
 * Default `--runtime_dir` (Mesos: /var/run/mesos): `plateau/<work_dir key>` on the first
 * writable tmpfs of /run and /dev/shm — runtime files are written at every launch and must not
 * outlive a reboot — else `<work_dir>/runtime`.
 */
export function defaultRuntimeDir(workDir: string): string {
  for (const base of ["/run", "/dev/shm"]) {
    try {
      if (statfsSync(base).type !== TMPFS_MAGIC) continue;
      accessSync(base, constants.W_OK);
      return path.join(base, "plateau", workDirKey(workDir));
    } catch {
      // not there, or not ours to write
    }
  }
  return path.join(path.resolve(workDir), "runtime");
}
