// Checkpointed resources (dynamic reservations, persistent volumes) and persistent volumes on
// the agent.
//
//   <work_dir>/meta/resources/resources.info      the checkpointed resources (JSON array), as
//                                                  Mesos keeps them (independent of the agent id)
//   <work_dir>/volumes/roles/<role>/<persistence id>   a volume's data ("/" in a role is " ",
//                                                  Mesos's encoding, so sub-roles never nest)
//
// The master sends the complete set (CHECKPOINT_RESOURCES) after every operation; the agent
// writes it atomically, creates the directories of new volumes and removes those of destroyed
// ones, and reports the set when it (re)registers. A task whose resources include a volume sees
// it at `<sandbox>/<container_path>`: a read-only or read-write bind mount when the agent runs
// as root and bind mounts work here, otherwise a symlink (chosen once at start and logged). Bind
// mounts are removed when the container ends (and before a sandbox is garbage collected).
import { execFile, execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, promises as fsp, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { Resource, type Resource as ResourceT } from "../protocol/mesos";
import { Resources, applyCheckpointed, checkpointedPart, isPersistentVolume, reservationRole, validateResources } from "../resources";
import { readJsonCheckpoint, writeJsonAtomic } from "./checkpoint";
import type { Logger } from "./log";
import { metaDir } from "./paths";

const run = promisify(execFile);

export type VolumeMode = "bind" | "symlink";

export const resourcesInfoPath = (workDir: string) => path.join(metaDir(workDir), "resources", "resources.info");
export const volumesRoot = (workDir: string) => path.join(workDir, "volumes", "roles");

const SAFE_ID = /^[A-Za-z0-9_.-]+$/;

/** The host directory of a persistent volume; throws for ids that are not safe path components. */
export function volumePath(workDir: string, role: string, persistenceId: string): string {
  if (!SAFE_ID.test(persistenceId) || persistenceId === "." || persistenceId === "..") throw new Error(`Invalid persistence id '${persistenceId}'`);
  const roleDir = role.replaceAll("/", " ");
  if (roleDir === "" || roleDir === "." || roleDir === ".." || roleDir.includes("\0")) throw new Error(`Invalid role '${role}'`);
  return path.join(volumesRoot(workDir), roleDir, persistenceId);
}

/** Where a volume appears in a sandbox; throws when container_path would leave the sandbox. */
export function volumeTarget(sandbox: string, containerPath: string): string {
  if (containerPath === "" || path.isAbsolute(containerPath)) throw new Error(`Volume container_path '${containerPath}' must be a relative path`);
  const target = path.resolve(sandbox, containerPath);
  if (!target.startsWith(sandbox + path.sep)) throw new Error(`Volume container_path '${containerPath}' leaves the sandbox`);
  return target;
}

/** Mount points at or under `dir`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  let text: string;
  try {
    text = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const field = line.split(" ")[4];
    if (field === undefined) continue;
    const point = field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    if (point === dir || point.startsWith(dir + path.sep)) out.push(point);
  }
  return out.sort((a, b) => b.length - a.length);
}

export class Volumes {
  private checkpointed = Resources.empty();
  /** Decided by `init()`: bind mounts (root, and a probe mount worked) or symlinks. */
  mode: VolumeMode = "symlink";

  constructor(
    private readonly workDir: string,
    private readonly staticResources: Resources,
    private readonly log: Logger,
  ) {}

  /** Reads the checkpoint and picks the mount mode. Throws when the checkpoint does not fit the agent's resources. */
  async init(): Promise<void> {
    const list = await readJsonCheckpoint(resourcesInfoPath(this.workDir), z.array(Resource));
    if (list !== undefined && list.length > 0) {
      const invalid = validateResources(list);
      if (invalid) throw new Error(`Bad checkpointed resources in ${resourcesInfoPath(this.workDir)}: ${invalid}`);
      const checkpointed = checkpointedPart(Resources.from(list));
      const applied = applyCheckpointed(this.staticResources, checkpointed);
      if (!applied.ok) {
        throw new Error(`${applied.error}; restore the --resources they were made from, or remove ${resourcesInfoPath(this.workDir)} to drop the dynamic reservations and persistent volumes`);
      }
      this.checkpointed = checkpointed;
      this.log.info(`Recovered checkpointed resources ${checkpointed.toString()}`);
    }
    this.mode = await this.probeBindMount();
    this.log.info(
      this.mode === "bind"
        ? "Persistent volumes are bind-mounted into sandboxes (running as root, bind mounts available)"
        : "Persistent volumes are symlinked into sandboxes (bind mounts need root and mount(8))",
    );
  }

  private async probeBindMount(): Promise<VolumeMode> {
    if (process.platform !== "linux" || process.getuid?.() !== 0) return "symlink";
    const probe = path.join(this.workDir, "volumes", ".probe");
    const a = path.join(probe, "source");
    const b = path.join(probe, "target");
    try {
      await fsp.mkdir(a, { recursive: true });
      await fsp.mkdir(b, { recursive: true });
      await run("mount", ["--bind", a, b]);
      await run("umount", [b]);
      return "bind";
    } catch {
      return "symlink";
    } finally {
      if (mountsUnder(b).length === 0) await fsp.rm(probe, { recursive: true, force: true }).catch(() => {});
    }
  }

  /** The checkpointed resources, as reported at (re)registration. */
  get resources(): ResourceT[] {
    return this.checkpointed.toArray();
  }

  /** Static resources with the checkpointed ones applied (what the agent offers). */
  total(): Resources {
    const applied = applyCheckpointed(this.staticResources, this.checkpointed);
    return applied.ok ? applied.total : this.staticResources;
  }

  /**
   * CHECKPOINT_RESOURCES: the complete new set; volumes that appeared get a directory, those gone
   * lose theirs. Updates apply one at a time, in the order the master sent them.
   */
  update(list: ResourceT[]): Promise<void> {
    const next = this.updates.then(() => this.apply(list));
    this.updates = next.catch(() => {});
    return next;
  }

  private updates: Promise<void> = Promise.resolve();

  private async apply(list: ResourceT[]): Promise<void> {
    const invalid = validateResources(list);
    if (invalid) throw new Error(`Ignoring invalid checkpointed resources: ${invalid}`);
    const next = checkpointedPart(Resources.from(list).unallocate());
    const applied = applyCheckpointed(this.staticResources, next);
    if (!applied.ok) throw new Error(`Ignoring checkpointed resources from the master: ${applied.error}`);
    const before = this.volumeDirs(this.checkpointed);
    const after = this.volumeDirs(next);
    for (const [dir, label] of after) {
      if (before.has(dir)) continue;
      await fsp.mkdir(dir, { recursive: true });
      this.log.info(`Created persistent volume ${label} at ${dir}`);
    }
    await fsp.mkdir(path.dirname(resourcesInfoPath(this.workDir)), { recursive: true });
    await writeJsonAtomic(resourcesInfoPath(this.workDir), next.toArray());
    this.checkpointed = next;
    for (const [dir, label] of before) {
      if (after.has(dir)) continue;
      // Mesos removes a destroyed volume's data; the master refuses DESTROY while a task uses it.
      await fsp.rm(dir, { recursive: true, force: true });
      this.log.info(`Removed destroyed persistent volume ${label} (${dir})`);
    }
    this.log.info(`Checkpointed resources are now ${next.isEmpty() ? "(none)" : next.toString()}`);
  }

  private volumeDirs(resources: Resources): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of resources.persistentVolumes().toArray()) {
      const role = reservationRole(r);
      const id = r.disk!.persistence!.id;
      try {
        out.set(volumePath(this.workDir, role, id), `${id} (role ${role})`);
      } catch (err) {
        this.log.warn((err as Error).message);
      }
    }
    return out;
  }

  /**
   * Makes the task's persistent volumes visible in its sandbox (synchronous: runs on the launch
   * path before the container starts). Throws (the launch fails) when one cannot be attached.
   */
  attach(sandbox: string, resources: readonly ResourceT[] | undefined, taskId: string): void {
    for (const r of resources ?? []) {
      if (!isPersistentVolume(r)) continue;
      const id = r.disk!.persistence!.id;
      const host = volumePath(this.workDir, reservationRole(r), id);
      const volume = r.disk!.volume;
      if (!volume) throw new Error(`Persistent volume '${id}' has no 'volume' (container_path)`);
      const target = volumeTarget(sandbox, volume.container_path);
      mkdirSync(host, { recursive: true });
      mkdirSync(path.dirname(target), { recursive: true });
      if (this.mode === "bind") {
        if (!existsSync(target)) mkdirSync(target);
        execFileSync("mount", ["--bind", host, target], { stdio: "ignore" });
        if (volume.mode === "RO") execFileSync("mount", ["-o", "remount,bind,ro", target], { stdio: "ignore" });
        this.log.info(`Task ${taskId}: persistent volume ${id} bind-mounted (${volume.mode}) at ${target}`);
      } else {
        if (existsSync(target) || isLink(target)) throw new Error(`Cannot link persistent volume '${id}': ${target} already exists`);
        symlinkSync(host, target);
        this.log.info(`Task ${taskId}: persistent volume ${id} symlinked at ${target} -> ${host}${volume.mode === "RO" ? " (read-only not enforced with a symlink)" : ""}`);
      }
    }
  }

  /**
   * Removes the bind mounts under a sandbox (the container ended, or its sandbox is collected).
   * Throws when something is still mounted there afterwards.
   */
  async detach(sandbox: string): Promise<void> {
    if (sandbox === "") return;
    for (const point of mountsUnder(sandbox)) {
      try {
        await run("umount", [point]);
      } catch {
        await run("umount", ["-l", point]).catch((err: Error) => this.log.warn(`Failed to unmount ${point}: ${err.message}`));
      }
    }
    const left = mountsUnder(sandbox);
    if (left.length > 0) throw new Error(`still mounted: ${left.join(", ")}`);
  }
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
