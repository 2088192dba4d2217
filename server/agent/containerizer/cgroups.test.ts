import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Cgroups, cfsQuotaUs, parseCgroupMounts, parseKeyValues } from "./cgroups";
import { defaultCgroupsRoot, parseIsolation } from "./isolators";

const MB = 1024 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const V1_MOUNTINFO = [
  "30 24 0:26 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs ro,mode=755",
  "31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
  "32 30 0:28 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
  "33 30 0:29 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
  "34 30 0:30 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
  "35 30 0:31 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer",
  "36 30 0:32 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
].join("\n");

describe("cgroup detection", () => {
  it("finds v1 subsystems (separately or co-mounted) and the v2 unified hierarchy", () => {
    const v1 = parseCgroupMounts(V1_MOUNTINFO, "/sys/fs/cgroup")!;
    expect(v1.version).toBe(1);
    expect(Object.fromEntries(v1.dirs)).toEqual({
      cpu: "/sys/fs/cgroup/cpu", cpuacct: "/sys/fs/cgroup/cpuacct", memory: "/sys/fs/cgroup/memory", pids: "/sys/fs/cgroup/pids", freezer: "/sys/fs/cgroup/freezer",
    });
    const comounted = parseCgroupMounts("40 30 0:33 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n41 30 0:34 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", "/sys/fs/cgroup")!;
    expect(comounted.dirs.get("cpu")).toBe(comounted.dirs.get("cpuacct"));
    const v2 = parseCgroupMounts("25 1 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate", "/sys/fs/cgroup")!;
    expect(v2.version).toBe(2);
    expect(parseCgroupMounts("1 0 0:1 / / rw - ext4 /dev/vda rw", "/sys/fs/cgroup")).toBeUndefined();
  });

  it("parses --isolation and derives one cgroup root per work_dir", () => {
    expect(parseIsolation("")).toMatchObject({ cgroups: undefined, posix: false, pidNamespace: false });
    expect(parseIsolation("cgroups/cpu,cgroups/mem,namespaces/pid,disk/du")).toMatchObject({ cgroups: { cpu: true, mem: true, pids: false }, pidNamespace: true, disk: true });
    expect(parseIsolation("posix/cpu,posix/mem")).toMatchObject({ cgroups: undefined, posix: true });
    expect(parseIsolation("gpu/nvidia").unknown).toEqual(["gpu/nvidia"]);
    expect(defaultCgroupsRoot("/a/w")).toMatch(/^plateau\/[0-9a-f]{12}$/);
    expect(defaultCgroupsRoot("/a/w")).not.toBe(defaultCgroupsRoot("/a/w2"));
  });

  it("parses key/value cgroup files", () => {
    expect(parseKeyValues("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")).toEqual({ oom_kill_disable: 0, under_oom: 0, oom_kill: 2 });
  });
});

function fakeHierarchy(version: 1 | 2): { root: string; mounts: Map<string, string> } {
  const root = mkdtempSync(path.join(os.tmpdir(), "plateau-cg-"));
  dirs.push(root);
  if (version === 2) {
    writeFileSync(path.join(root, "cgroup.subtree_control"), "cpu memory pids\n");
    return { root, mounts: new Map(["cpu", "memory", "pids"].map((c) => [c, root])) };
  }
  const mounts = new Map<string, string>();
  for (const s of ["cpu", "cpuacct", "memory", "pids", "freezer"]) {
    mkdirSync(path.join(root, s));
    mounts.set(s, path.join(root, s));
  }
  return { root, mounts };
}

describe("Cgroups limits (Mesos's values), on a fake hierarchy", () => {
  it("v1: cpu.shares per cpu, CFS quota, memory limit and soft limit (32 MB minimum)", () => {
    const { mounts } = fakeHierarchy(1);
    const cg = new Cgroups({ version: 1, dirs: mounts }, "plateau/x", { enableCfs: true, limitSwap: false });
    cg.init();
    cg.create("c1", { cpus: 0.5, memBytes: 64 * MB });
    const read = (s: string, f: string) => readFileSync(path.join(mounts.get(s)!, "plateau/x/c1", f), "utf8");
    expect(read("cpu", "cpu.shares")).toBe("512");
    expect(read("cpu", "cpu.cfs_period_us")).toBe("100000");
    expect(read("cpu", "cpu.cfs_quota_us")).toBe("50000");
    expect(read("memory", "memory.limit_in_bytes")).toBe(String(64 * MB));
    expect(read("memory", "memory.soft_limit_in_bytes")).toBe(String(64 * MB));
    cg.create("c2", { cpus: 0.001, memBytes: 1 * MB });
    expect(readFileSync(path.join(mounts.get("cpu")!, "plateau/x/c2/cpu.shares"), "utf8")).toBe("2");
    expect(readFileSync(path.join(mounts.get("memory")!, "plateau/x/c2/memory.limit_in_bytes"), "utf8")).toBe(String(32 * MB));
    expect(cg.procsFiles("c1")).toHaveLength(5);
    expect(cg.list().sort()).toEqual(["c1", "c2"]);
    expect(cfsQuotaUs(0.001)).toBe(1000);
  });

  it("v2: cpu.weight, cpu.max, memory.max/low, controllers enabled down the root", () => {
    const { root, mounts } = fakeHierarchy(2);
    mkdirSync(path.join(root, "plateau/x"), { recursive: true });
    writeFileSync(path.join(root, "plateau", "cgroup.subtree_control"), "");
    writeFileSync(path.join(root, "plateau/x", "cgroup.subtree_control"), "");
    const cg = new Cgroups({ version: 2, dirs: mounts }, "plateau/x", { enableCfs: true, limitSwap: true });
    cg.init();
    expect(readFileSync(path.join(root, "plateau/x/cgroup.subtree_control"), "utf8")).toBe("+cpu +memory +pids");
    cg.create("c1", { cpus: 2, memBytes: 128 * MB });
    const read = (f: string) => readFileSync(path.join(root, "plateau/x/c1", f), "utf8");
    expect(read("cpu.weight")).toBe("200");
    expect(read("cpu.max")).toBe("200000 100000");
    expect(read("memory.max")).toBe(String(128 * MB));
    expect(read("memory.low")).toBe(String(128 * MB));
    expect(read("memory.swap.max")).toBe("0");
    expect(cg.procsFiles("c1")).toEqual([path.join(root, "plateau/x/c1/cgroup.procs")]);
    writeFileSync(path.join(root, "plateau/x/c1/memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
    expect(cg.oomKills("c1")).toBe(1);
  });
});
