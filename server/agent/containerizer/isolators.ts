// Isolation for the containerizer: which isolators `--isolation` asks for, what the host can
// do, and the two isolator implementations the containerizer drives:
//
//   CgroupsIsolator  cgroups v1 or v2 (cgroups.ts): limits enforced, every process of the task
//                    (daemons included) tracked and killable, OOM kills detected, usage measured.
//   PosixIsolator    no cgroups: the task's process group is the container; usage is measured
//                    from /proc (monitoring), NOTHING is enforced.
//
// Default (`--isolation` unset): cgroups when this host has a writable cgroup hierarchy with the
// cpu and memory controllers, else posix — the choice and the reason are logged and in /state.
import { promises as fsp, readFileSync } from "node:fs";
import { workDirKey } from "../detect";
import { Cgroups, parseCgroupMounts, type ContainerLimits } from "./cgroups";
import { signalGroup } from "./process";
import type { ContainerLimitation, IsolationInfo, ResourceStatistics } from "./types";

export interface Isolator {
  readonly info: IsolationInfo;
  /** Creates the container's isolation with its limits. Throws on failure (nothing left behind). */
  prepare(containerId: string, limits: ContainerLimits): void;
  /** Shell commands the task's process runs (as `$BASHPID`) before exec'ing the command. */
  joinCommands(containerId: string): string[];
  update(containerId: string, limits: ContainerLimits): void;
  /** A container re-adopted after an agent restart (undo what a crash may have left half-done). */
  readopt(containerId: string): Promise<void>;
  /** SIGKILL to every process of the container (`taskPid` = the task's process group). */
  killAll(containerId: string, taskPid: number | undefined): Promise<void>;
  /** The memory limitation the container hit (an OOM kill), if any. */
  memoryLimitation(containerId: string, limits: ContainerLimits): ContainerLimitation | undefined;
  stats(containerId: string, taskPid: number | undefined): Promise<Partial<ResourceStatistics>>;
  /** Kills what is left and removes the container's isolation. */
  destroy(containerId: string): Promise<void>;
  /** Containers with isolation state (cgroups) on this host that belong to this agent. */
  listContainers(): string[];
  /** Clean shutdown of the agent. */
  close(): void;
}

export interface IsolationRequest {
  cgroups: { cpu: boolean; mem: boolean; pids: boolean } | undefined;
  posix: boolean;
  pidNamespace: boolean;
  disk: boolean;
  /** Names Plateau does not implement (ignored with a warning). */
  unknown: string[];
}

const KNOWN_NOOPS = new Set(["filesystem/posix", "filesystem/shared", "posix/cpu", "posix/mem"]);

/**
 * Parses `--isolation`. Neither cgroups/* nor posix/* named (e.g. empty, or only
 * namespaces/pid) means "cgroups if the host has them, else posix".
 */
export function parseIsolation(flag: string): IsolationRequest {
  const names = flag.split(",").map((s) => s.trim()).filter(Boolean);
  const request: IsolationRequest = { cgroups: undefined, posix: false, pidNamespace: false, disk: false, unknown: [] };
  const cg = { cpu: false, mem: false, pids: false };
  for (const name of names) {
    if (name === "cgroups/all") Object.assign(cg, { cpu: true, mem: true, pids: true });
    else if (name === "cgroups/cpu" || name === "cgroups/cpuacct") cg.cpu = true;
    else if (name === "cgroups/mem") cg.mem = true;
    else if (name === "cgroups/pids") cg.pids = true;
    else if (name === "namespaces/pid") request.pidNamespace = true;
    else if (name === "disk/du" || name === "posix/disk") request.disk = true;
    else if (KNOWN_NOOPS.has(name)) request.posix = true;
    else request.unknown.push(name);
  }
  if (cg.cpu || cg.mem || cg.pids) request.cgroups = cg;
  return request;
}

/** Default cgroup root of an agent: one per work_dir. */
export function defaultCgroupsRoot(workDir: string): string {
  return `plateau/${workDirKey(workDir)}`;
}

/** The host's cgroups under `hierarchy`, ready for this agent, or why not. */
export function detectCgroups(hierarchy: string, root: string, options: { enableCfs: boolean; limitSwap: boolean }): { cgroups: Cgroups } | { reason: string } {
  let mountinfo: string;
  try {
    mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return { reason: "no /proc/self/mountinfo (not Linux?)" };
  }
  const mounts = parseCgroupMounts(mountinfo, hierarchy);
  if (mounts === undefined) return { reason: `no cgroup v2 hierarchy, nor v1 cpu and memory hierarchies, under ${hierarchy}` };
  const cgroups = new Cgroups(mounts, root, options);
  try {
    cgroups.init();
  } catch (err) {
    return { reason: `cgroups v${mounts.version} under ${hierarchy} are not writable by this agent (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); run as root` };
  }
  return { cgroups };
}

const MB = 1024 * 1024;
const fmtMb = (bytes: number) => `${Math.round(bytes / MB)}MB`;

export class CgroupsIsolator implements Isolator {
  readonly info: IsolationInfo;

  constructor(
    private readonly cgroups: Cgroups,
    private readonly wants: { cpu: boolean; mem: boolean; pids: boolean },
    extra: { pidNamespace: boolean; disk: boolean },
  ) {
    const isolators = [wants.cpu && "cgroups/cpu", wants.mem && "cgroups/mem", wants.pids && "cgroups/pids", extra.disk && "disk/du", extra.pidNamespace && "namespaces/pid"];
    this.info = {
      isolators: isolators.filter((s): s is string => typeof s === "string"),
      mode: "cgroups",
      cgroupsVersion: cgroups.version,
      cgroupsRoot: cgroups.root,
      enforcing: true,
      pidNamespace: extra.pidNamespace,
    };
  }

  prepare(containerId: string, limits: ContainerLimits): void {
    this.cgroups.create(containerId, this.limitsInForce(limits));
  }

  joinCommands(containerId: string): string[] {
    return this.cgroups.procsFiles(containerId).map((file) => `echo "$BASHPID" >${quote(file)}`);
  }

  update(containerId: string, limits: ContainerLimits): void {
    this.cgroups.update(containerId, this.limitsInForce(limits));
  }

  async readopt(containerId: string): Promise<void> {
    await this.cgroups.thaw(containerId);
  }

  async killAll(containerId: string, taskPid: number | undefined): Promise<void> {
    if (taskPid !== undefined) signalGroup(taskPid, "SIGKILL");
    await this.cgroups.killAll(containerId);
  }

  memoryLimitation(containerId: string, limits: ContainerLimits): ContainerLimitation | undefined {
    if (!this.wants.mem) return undefined;
    let kills: number;
    try {
      kills = this.cgroups.oomKills(containerId);
    } catch {
      return undefined;
    }
    if (kills === 0) return undefined;
    const limit = this.cgroups.memoryLimit(containerId) || (limits.memBytes ?? 0);
    const used = this.cgroups.memoryPeak(containerId);
    const message =
      `Memory limit exceeded: Requested: ${fmtMb(limits.memBytes ?? limit)} (limit ${fmtMb(limit)}), Maximum Used: ${fmtMb(used)}` +
      ` (${kills} process(es) killed by the kernel OOM killer)\n\nMEMORY STATISTICS: \n${this.cgroups.memoryStatText(containerId)}`;
    return {
      reason: "REASON_CONTAINER_LIMITATION_MEMORY",
      message,
      resources: [{ name: "mem", type: "SCALAR", scalar: { value: Math.round((limits.memBytes ?? limit) / MB) } }],
    };
  }

  async stats(containerId: string): Promise<Partial<ResourceStatistics>> {
    return this.cgroups.stats(containerId);
  }

  async destroy(containerId: string): Promise<void> {
    await this.cgroups.destroy(containerId);
  }

  listContainers(): string[] {
    return this.cgroups.list();
  }

  close(): void {
    this.cgroups.removeRootIfEmpty();
  }

  private limitsInForce(limits: ContainerLimits): ContainerLimits {
    return { cpus: this.wants.cpu ? limits.cpus : undefined, memBytes: this.wants.mem ? limits.memBytes : undefined };
  }
}

const PAGE_SIZE = 4096;
const CLOCK_TICKS = 100;

/** Process group members from /proc (pid, utime+stime ticks, rss pages, threads). */
async function processGroupUsage(pgid: number): Promise<{ processes: number; threads: number; userTicks: number; systemTicks: number; rssPages: number }> {
  const out = { processes: 0, threads: 0, userTicks: 0, systemTicks: 0, rssPages: 0 };
  let entries: string[];
  try {
    entries = await fsp.readdir("/proc");
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue; // field 5: pgrp
    out.processes++;
    out.userTicks += Number(fields[11]);
    out.systemTicks += Number(fields[12]);
    out.threads += Number(fields[17]);
    out.rssPages += Number(fields[21]);
  }
  return out;
}

export class PosixIsolator implements Isolator {
  readonly info: IsolationInfo;

  constructor(extra: { pidNamespace: boolean; disk: boolean; note?: string }) {
    this.info = {
      isolators: ["posix/cpu", "posix/mem", ...(extra.disk ? ["disk/du"] : []), ...(extra.pidNamespace ? ["namespaces/pid"] : [])],
      mode: "posix",
      enforcing: false,
      pidNamespace: extra.pidNamespace,
      note: extra.note,
    };
  }

  prepare(): void {}

  joinCommands(): string[] {
    return [];
  }

  update(): void {}

  async readopt(): Promise<void> {}

  async killAll(_containerId: string, taskPid: number | undefined): Promise<void> {
    if (taskPid !== undefined) signalGroup(taskPid, "SIGKILL");
  }

  memoryLimitation(): undefined {
    return undefined;
  }

  async stats(_containerId: string, taskPid: number | undefined): Promise<Partial<ResourceStatistics>> {
    if (taskPid === undefined) return {};
    const u = await processGroupUsage(taskPid);
    return {
      cpus_user_time_secs: u.userTicks / CLOCK_TICKS,
      cpus_system_time_secs: u.systemTicks / CLOCK_TICKS,
      mem_rss_bytes: u.rssPages * PAGE_SIZE,
      mem_total_bytes: u.rssPages * PAGE_SIZE,
      processes: u.processes,
      threads: u.threads,
    };
  }

  async destroy(): Promise<void> {}

  listContainers(): string[] {
    return [];
  }

  close(): void {}
}

/** Single-quotes for sh. */
function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface CreateIsolatorOptions {
  isolation: string;
  workDir: string;
  cgroupsHierarchy: string;
  cgroupsRoot: string;
  enableCfs: boolean;
  limitSwap: boolean;
  enforceDiskQuota: boolean;
}

export class IsolationError extends Error {}

/** The isolator for `--isolation` on this host. Throws IsolationError when asked for what the host lacks. */
export function createIsolator(o: CreateIsolatorOptions): { isolator: Isolator; unknown: string[] } {
  const request = parseIsolation(o.isolation);
  const disk = request.disk || o.enforceDiskQuota || o.isolation.trim() === "";
  const extra = { pidNamespace: request.pidNamespace, disk };
  const root = o.cgroupsRoot || defaultCgroupsRoot(o.workDir);
  if (request.cgroups !== undefined || !request.posix) {
    const found = detectCgroups(o.cgroupsHierarchy, root, { enableCfs: o.enableCfs, limitSwap: o.limitSwap });
    if ("cgroups" in found) {
      const wants = request.cgroups ?? { cpu: true, mem: true, pids: true };
      return { isolator: new CgroupsIsolator(found.cgroups, wants, extra), unknown: request.unknown };
    }
    if (request.cgroups !== undefined) throw new IsolationError(`--isolation=${o.isolation} needs cgroups: ${found.reason}`);
    return { isolator: new PosixIsolator({ ...extra, note: `cgroups unavailable: ${found.reason}` }), unknown: request.unknown };
  }
  return { isolator: new PosixIsolator(extra), unknown: request.unknown };
}
