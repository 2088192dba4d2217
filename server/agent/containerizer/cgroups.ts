// Linux control groups, v1 and v2, as the containerizer uses them (agent-executor.md §9).
//
// One cgroup per container at `<mount>/<root>/<container_id>` — v1: one directory in each of the
// cpu, cpuacct, memory, pids and freezer hierarchies (co-mounted hierarchies share a directory);
// v2: one directory in the unified hierarchy. `root` is the agent's own parent cgroup.
//
// Limits (Mesos's cgroups isolators):
//   cpu   v1 cpu.shares = max(1024 × cpus, 2)     v2 cpu.weight = clamp(round(100 × cpus), 1, 10000)
//         with CFS: period 100 ms, quota = max(period × cpus, 1 ms) (v1 cpu.cfs_*; v2 cpu.max)
//   mem   v1 memory.limit_in_bytes = memory.soft_limit_in_bytes = max(mem, 32 MB)
//         v2 memory.max = memory.low = max(mem, 32 MB); swap limited when asked
//   pids  membership only (pids.current is reported as `processes`)
// OOM: the kernel's OOM killer acts inside the cgroup; its kills are counted in
// memory.oom_control `oom_kill` (v1, kernel ≥ 4.13) / memory.events `oom_kill` (v2).
// Everything here is plain file I/O under `hierarchy`, so tests can point it at a temp dir.
import { promises as fsp, readFileSync, readdirSync, mkdirSync, rmdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";

export const MIN_MEMORY_BYTES = 32 * 1024 * 1024;
export const CFS_PERIOD_US = 100_000;
export const MIN_CFS_QUOTA_US = 1000;
export const MIN_CPU_SHARES = 2;
export const CPU_SHARES_PER_CPU = 1024;

export const V1_SUBSYSTEMS = ["cpu", "cpuacct", "memory", "pids", "freezer"] as const;
export const V2_CONTROLLERS = ["cpu", "memory", "pids"] as const;

export interface ContainerLimits {
  /** CPUs requested (cpu.shares / weight; CFS quota when enabled). */
  cpus?: number;
  /** Memory limit in bytes. */
  memBytes?: number;
  /** Sandbox disk quota in bytes (disk/du; not a cgroup limit). */
  diskBytes?: number;
}

export interface CgroupsOptions {
  enableCfs: boolean;
  limitSwap: boolean;
}

export interface CgroupMounts {
  version: 1 | 2;
  /** v1: subsystem → mount dir; v2: every controller → the unified mount dir. */
  dirs: Map<string, string>;
}

/** Cgroup mounts under `hierarchy`, from /proc/self/mountinfo text. */
export function parseCgroupMounts(mountinfo: string, hierarchy: string): CgroupMounts | undefined {
  const base = path.resolve(hierarchy);
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of mountinfo.split("\n")) {
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const mountPoint = line.slice(0, sep).split(" ")[4];
    const [fstype, , superOpts = ""] = line.slice(sep + 3).split(" ");
    if (mountPoint === undefined || !(mountPoint === base || mountPoint.startsWith(base + "/"))) continue;
    if (fstype === "cgroup2" && mountPoint === base) v2 = mountPoint;
    if (fstype !== "cgroup") continue;
    for (const opt of superOpts.split(",")) if ((V1_SUBSYSTEMS as readonly string[]).includes(opt)) v1.set(opt, mountPoint);
  }
  if (v2 !== undefined) return { version: 2, dirs: new Map(V2_CONTROLLERS.map((c) => [c, v2!])) };
  if (v1.has("cpu") && v1.has("memory")) return { version: 1, dirs: v1 };
  return undefined;
}

const readText = (file: string) => readFileSync(file, "utf8");

function readIntOr(file: string, fallback = 0): number {
  try {
    const n = Number(readText(file).trim().split(/\s+/)[0]);
    return Number.isFinite(n) ? n : fallback;
  } catch {
    return fallback;
  }
}

/** `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control) → numbers. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && v !== "" && !Number.isNaN(Number(v))) out[k] = Number(v);
  }
  return out;
}

function readKeyValues(file: string): Record<string, number> {
  try {
    return parseKeyValues(readText(file));
  } catch {
    return {};
  }
}

export interface CgroupStats {
  cpus_user_time_secs?: number;
  cpus_system_time_secs?: number;
  cpus_nr_periods?: number;
  cpus_nr_throttled?: number;
  cpus_throttled_time_secs?: number;
  mem_total_bytes?: number;
  mem_rss_bytes?: number;
  mem_cache_bytes?: number;
  mem_anon_bytes?: number;
  mem_file_bytes?: number;
  mem_limit_bytes?: number;
  processes?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The cgroups of one agent: creation with limits, membership, kill, OOM, statistics, removal. */
export class Cgroups {
  /** Distinct directories a container needs (co-mounted v1 subsystems share one). */
  private readonly distinctMounts: string[];

  constructor(
    readonly mounts: CgroupMounts,
    /** The agent's parent cgroup, relative to each mount (e.g. `plateau/1a2b3c4d5e6f`). */
    readonly root: string,
    private readonly options: CgroupsOptions,
  ) {
    this.distinctMounts = [...new Set(mounts.dirs.values())];
  }

  get version(): 1 | 2 {
    return this.mounts.version;
  }

  private dir(controller: string, containerId = ""): string {
    const mount = this.mounts.dirs.get(controller);
    if (mount === undefined) throw new Error(`cgroup controller ${controller} is not mounted`);
    return path.join(mount, this.root, containerId);
  }

  private has(controller: string): boolean {
    return this.mounts.dirs.has(controller);
  }

  /** Creates the agent's root cgroups (v2: and enables the controllers for the children). Throws when not writable. */
  init(): void {
    for (const mount of this.distinctMounts) mkdirSync(path.join(mount, this.root), { recursive: true });
    if (this.version === 2) {
      const mount = this.distinctMounts[0]!;
      const parts = this.root.split("/").filter(Boolean);
      let dir = mount;
      for (const part of ["", ...parts]) {
        dir = part === "" ? dir : path.join(dir, part);
        const control = path.join(dir, "cgroup.subtree_control");
        const enabled = new Set(readText(control).trim().split(/\s+/));
        const missing = V2_CONTROLLERS.filter((c) => !enabled.has(c));
        if (missing.length > 0) writeFileSync(control, missing.map((c) => `+${c}`).join(" "));
      }
    }
  }

  /** Creates a container's cgroups and applies its limits. Throws (nothing is left behind). */
  create(containerId: string, limits: ContainerLimits): void {
    const created: string[] = [];
    try {
      for (const mount of this.distinctMounts) {
        const dir = path.join(mount, this.root, containerId);
        try {
          mkdirSync(dir);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
          this.init(); // the agent's root was removed behind our back (or after a clean stop)
          mkdirSync(dir);
        }
        created.push(dir);
      }
      this.update(containerId, limits);
    } catch (err) {
      for (const dir of created.reverse()) {
        try {
          rmdirSync(dir);
        } catch {
          // best effort
        }
      }
      throw err;
    }
  }

  /** (Re)applies limits, e.g. when an executor's tasks change. */
  update(containerId: string, limits: ContainerLimits): void {
    const w = (controller: string, file: string, value: string | number) => writeFileSync(path.join(this.dir(controller, containerId), file), String(value));
    if (limits.cpus !== undefined && limits.cpus > 0) {
      if (this.version === 1) {
        w("cpu", "cpu.shares", Math.max(Math.floor(CPU_SHARES_PER_CPU * limits.cpus), MIN_CPU_SHARES));
        if (this.options.enableCfs) {
          w("cpu", "cpu.cfs_period_us", CFS_PERIOD_US);
          w("cpu", "cpu.cfs_quota_us", cfsQuotaUs(limits.cpus));
        }
      } else {
        w("cpu", "cpu.weight", Math.min(10_000, Math.max(1, Math.round(100 * limits.cpus))));
        if (this.options.enableCfs) w("cpu", "cpu.max", `${cfsQuotaUs(limits.cpus)} ${CFS_PERIOD_US}`);
      }
    }
    if (limits.memBytes !== undefined && limits.memBytes > 0) {
      const bytes = Math.max(Math.floor(limits.memBytes), MIN_MEMORY_BYTES);
      if (this.version === 1) {
        // Raising a limit below the current memsw limit must go first the other way round.
        w("memory", "memory.soft_limit_in_bytes", bytes);
        if (this.options.limitSwap) {
          const memsw = path.join(this.dir("memory", containerId), "memory.memsw.limit_in_bytes");
          const current = readIntOr(memsw, Number.MAX_SAFE_INTEGER);
          if (bytes > current) writeFileSync(memsw, String(bytes));
          w("memory", "memory.limit_in_bytes", bytes);
          if (bytes <= current) writeFileSync(memsw, String(bytes));
        } else {
          w("memory", "memory.limit_in_bytes", bytes);
        }
      } else {
        w("memory", "memory.low", bytes);
        w("memory", "memory.max", bytes);
        if (this.options.limitSwap) w("memory", "memory.swap.max", 0);
      }
    }
  }

  /** The files a process writes its pid to, to join the container (one per distinct hierarchy). */
  procsFiles(containerId: string): string[] {
    return this.distinctMounts.map((mount) => path.join(mount, this.root, containerId, "cgroup.procs"));
  }

  exists(containerId: string): boolean {
    return existsSync(path.join(this.distinctMounts[0]!, this.root, containerId));
  }

  /** Container ids that have a cgroup under this agent's root. */
  list(): string[] {
    try {
      return readdirSync(path.join(this.distinctMounts[0]!, this.root), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return [];
    }
  }

  /** Every process in the container (pids in cgroup.procs). */
  pids(containerId: string): number[] {
    const controller = this.version === 1 ? (this.has("freezer") ? "freezer" : "memory") : "memory";
    try {
      return readText(path.join(this.dir(controller, containerId), "cgroup.procs")).split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /**
   * SIGKILLs every process of the container, daemons included: v2 `cgroup.kill` when the kernel
   * has it. Otherwise a first round kills every member; if some remain (one forked meanwhile),
   * later rounds freeze the cgroup first so nothing can fork, kill, and thaw — always thaw,
   * even on error, so no container is ever left frozen.
   */
  async killAll(containerId: string): Promise<void> {
    if (this.version === 2) {
      const killFile = path.join(this.dir("memory", containerId), "cgroup.kill");
      if (existsSync(killFile)) {
        try {
          writeFileSync(killFile, "1");
          return;
        } catch {
          // fall through to the manual way
        }
      }
    }
    const killEach = (pids: number[]) => {
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    };
    killEach(this.pids(containerId));
    for (let round = 0; round < 20; round++) {
      await sleep(round < 5 ? 5 : 50);
      if (this.pids(containerId).length === 0) return;
      let frozen = false;
      try {
        frozen = await this.freeze(containerId, true);
        killEach(this.pids(containerId));
      } finally {
        if (frozen) await this.freeze(containerId, false);
      }
    }
  }

  /** Thaws a container a crashed agent may have left frozen (mid-kill). */
  async thaw(containerId: string): Promise<void> {
    if (this.exists(containerId)) await this.freeze(containerId, false);
  }

  /** Freezes (or thaws) the container; false when there is no freezer. */
  private async freeze(containerId: string, frozen: boolean): Promise<boolean> {
    try {
      if (this.version === 1) {
        if (!this.has("freezer")) return false;
        const state = path.join(this.dir("freezer", containerId), "freezer.state");
        writeFileSync(state, frozen ? "FROZEN" : "THAWED");
        for (let i = 0; frozen && i < 50 && readText(state).trim() !== "FROZEN"; i++) await sleep(2);
        return true;
      }
      writeFileSync(path.join(this.dir("memory", containerId), "cgroup.freeze"), frozen ? "1" : "0");
      return true;
    } catch {
      return false;
    }
  }

  /** Number of processes the kernel's OOM killer killed in the container. */
  oomKills(containerId: string): number {
    if (this.version === 1) return readKeyValues(path.join(this.dir("memory", containerId), "memory.oom_control")).oom_kill ?? 0;
    const events = readKeyValues(path.join(this.dir("memory", containerId), "memory.events"));
    return events.oom_kill ?? 0;
  }

  /** Peak memory usage (bytes), or current usage where the kernel keeps no peak. */
  memoryPeak(containerId: string): number {
    const dir = this.dir("memory", containerId);
    if (this.version === 1) return readIntOr(path.join(dir, "memory.max_usage_in_bytes"));
    return readIntOr(path.join(dir, "memory.peak"), readIntOr(path.join(dir, "memory.current")));
  }

  memoryLimit(containerId: string): number {
    const dir = this.dir("memory", containerId);
    return this.version === 1 ? readIntOr(path.join(dir, "memory.limit_in_bytes")) : readIntOr(path.join(dir, "memory.max"));
  }

  /** memory.stat as text (for OOM messages). */
  memoryStatText(containerId: string): string {
    try {
      return readText(path.join(this.dir("memory", containerId), "memory.stat"));
    } catch {
      return "";
    }
  }

  /** ResourceStatistics fields from the container's cgroups. */
  stats(containerId: string): CgroupStats {
    const s: CgroupStats = {};
    if (this.version === 1) {
      if (this.has("cpuacct")) {
        const acct = readKeyValues(path.join(this.dir("cpuacct", containerId), "cpuacct.stat"));
        s.cpus_user_time_secs = (acct.user ?? 0) / 100; // USER_HZ
        s.cpus_system_time_secs = (acct.system ?? 0) / 100;
      }
      const cpu = readKeyValues(path.join(this.dir("cpu", containerId), "cpu.stat"));
      s.cpus_nr_periods = cpu.nr_periods ?? 0;
      s.cpus_nr_throttled = cpu.nr_throttled ?? 0;
      s.cpus_throttled_time_secs = (cpu.throttled_time ?? 0) / 1e9;
      const memDir = this.dir("memory", containerId);
      const mem = readKeyValues(path.join(memDir, "memory.stat"));
      s.mem_total_bytes = readIntOr(path.join(memDir, "memory.usage_in_bytes"));
      s.mem_rss_bytes = mem.total_rss ?? mem.rss ?? 0;
      s.mem_cache_bytes = mem.total_cache ?? mem.cache ?? 0;
      s.mem_anon_bytes = (mem.total_active_anon ?? 0) + (mem.total_inactive_anon ?? 0);
      s.mem_file_bytes = (mem.total_active_file ?? 0) + (mem.total_inactive_file ?? 0);
      s.mem_limit_bytes = readIntOr(path.join(memDir, "memory.limit_in_bytes"));
      if (this.has("pids")) s.processes = readIntOr(path.join(this.dir("pids", containerId), "pids.current"));
    } else {
      const dir = this.dir("memory", containerId);
      const cpu = readKeyValues(path.join(dir, "cpu.stat"));
      s.cpus_user_time_secs = (cpu.user_usec ?? 0) / 1e6;
      s.cpus_system_time_secs = (cpu.system_usec ?? 0) / 1e6;
      s.cpus_nr_periods = cpu.nr_periods ?? 0;
      s.cpus_nr_throttled = cpu.nr_throttled ?? 0;
      s.cpus_throttled_time_secs = (cpu.throttled_usec ?? 0) / 1e6;
      const mem = readKeyValues(path.join(dir, "memory.stat"));
      s.mem_total_bytes = readIntOr(path.join(dir, "memory.current"));
      s.mem_rss_bytes = mem.anon ?? 0;
      s.mem_anon_bytes = mem.anon ?? 0;
      s.mem_file_bytes = mem.file ?? 0;
      s.mem_cache_bytes = mem.file ?? 0;
      const max = readText(path.join(dir, "memory.max")).trim();
      if (max !== "max") s.mem_limit_bytes = Number(max);
      s.processes = readIntOr(path.join(dir, "pids.current"));
    }
    return s;
  }

  /**
   * Removes the container's cgroups once its processes are gone (killing stragglers first).
   * Retries while the kernel still reports members (exiting processes); false if some remain.
   */
  async destroy(containerId: string): Promise<boolean> {
    if (!this.exists(containerId)) return true;
    if (this.pids(containerId).length > 0) await this.killAll(containerId);
    for (let attempt = 0; attempt < 40; attempt++) {
      let remaining = 0;
      for (const mount of this.distinctMounts) {
        try {
          await fsp.rmdir(path.join(mount, this.root, containerId));
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== "ENOENT") remaining++;
        }
      }
      if (remaining === 0) return true;
      await sleep(attempt < 10 ? 10 : 100);
      if (attempt % 10 === 9) await this.killAll(containerId);
    }
    return false;
  }

  /** Removes the agent's root cgroups if empty (clean shutdown). */
  removeRootIfEmpty(): void {
    for (const mount of this.distinctMounts) {
      try {
        rmdirSync(path.join(mount, this.root));
      } catch {
        // not empty, or gone
      }
    }
  }
}

export function cfsQuotaUs(cpus: number): number {
  return Math.max(Math.floor(CFS_PERIOD_US * cpus), MIN_CFS_QUOTA_US);
}
