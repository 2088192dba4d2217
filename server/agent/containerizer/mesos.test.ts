import { promises as fsp, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readIntFile } from "../checkpoint";
import { RUN_FILES } from "../paths";
import type { Cgroups } from "./cgroups";
import { CgroupsIsolator, PosixIsolator, detectCgroups } from "./isolators";
import { MesosContainerizer } from "./mesos";
import { decodeShellStatus, isAlive } from "./process";
import type { ContainerSpec, Termination } from "./types";
import { detectHostTools } from "./wrapper";

const dirs: string[] = [];
const pgids: number[] = [];
const containerizers: MesosContainerizer[] = [];

/** A containerizer with posix isolation (process groups, nothing enforced). */
async function posixContainerizer(options: { pollIntervalMs?: number } = {}): Promise<MesosContainerizer> {
  return new MesosContainerizer({ isolator: new PosixIsolator({ pidNamespace: false, disk: false }), tools: await detectHostTools(), ...options });
}

afterEach(async () => {
  for (const c of containerizers.splice(0)) c.stop();
  for (const pgid of pgids.splice(0)) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const d of dirs.splice(0)) await fsp.rm(d, { recursive: true, force: true });
});

async function setup(): Promise<{ c: MesosContainerizer; terminations: Map<string, Termination>; spec: (id: string, cmd: string) => Promise<ContainerSpec> }> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), "plateau-posix-"));
  dirs.push(root);
  const c = await posixContainerizer({ pollIntervalMs: 50 });
  containerizers.push(c);
  const terminations = new Map<string, Termination>();
  c.onTermination((id, t) => terminations.set(id, t));
  const spec = async (id: string, cmd: string): Promise<ContainerSpec> => {
    const sandbox = path.join(root, id, "sandbox");
    const runMetaDir = path.join(root, id, "meta");
    await fsp.mkdir(sandbox, { recursive: true });
    await fsp.mkdir(path.join(runMetaDir, "pids"), { recursive: true });
    return { containerId: id, sandbox, runMetaDir, argv: ["/bin/sh", "-c", cmd], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, resources: [] };
  };
  return { c, terminations, spec };
}

async function until<T>(f: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("decodeShellStatus", () => {
  it("maps 128+N to signal N and anything else to an exit code", () => {
    expect(decodeShellStatus(0)).toEqual({ kind: "exited", code: 0 });
    expect(decodeShellStatus(3)).toEqual({ kind: "exited", code: 3 });
    expect(decodeShellStatus(143)).toEqual({ kind: "signaled", signal: "SIGTERM", signo: 15 });
    expect(decodeShellStatus(137)).toEqual({ kind: "signaled", signal: "SIGKILL", signo: 9 });
  });
});

describe("MesosContainerizer with posix isolation", () => {
  it("runs a command in its sandbox, captures stdout and the exit status", async () => {
    const { c, terminations, spec } = await setup();
    const s = await spec("c1", "echo hi; echo oops >&2; pwd; exit 3");
    await c.launch(s);
    expect(await until(() => terminations.get("c1"))).toEqual({ kind: "exited", code: 3 });
    expect(await fsp.readFile(path.join(s.sandbox, "stdout"), "utf8")).toBe(`hi\n${s.sandbox}\n`);
    expect(await fsp.readFile(path.join(s.sandbox, "stderr"), "utf8")).toBe("oops\n");
    expect(await readIntFile(path.join(s.runMetaDir, RUN_FILES.exitStatus))).toBe(3);
    expect(await readIntFile(path.join(s.runMetaDir, RUN_FILES.forkedPid))).toBeGreaterThan(1);
  });

  it("runs the command in its own process group and kills the whole group, grandchildren included", async () => {
    const { c, terminations, spec } = await setup();
    // The grandchild (sleep in the background) stays in the task's process group.
    const s = await spec("c2", "sleep 100 & echo $! > grandchild.pid; sleep 100");
    const { pid: wrapperPid } = await c.launch(s);
    const taskPid = await until(() => readIntFile(path.join(s.runMetaDir, RUN_FILES.taskPid)));
    pgids.push(taskPid);
    const grandchild = await until(() => readIntFile(path.join(s.sandbox, "grandchild.pid")).catch(() => undefined));
    expect(taskPid).not.toBe(wrapperPid);
    expect(isAlive(grandchild)).toBe(true);

    await c.signal("c2", "SIGTERM");
    expect(await until(() => terminations.get("c2"))).toEqual({ kind: "signaled", signal: "SIGTERM", signo: 15 });
    await until(() => !isAlive(grandchild) || undefined);
    // The process group empties (a killed member may stay a zombie for a moment until reaped).
    const groupGone = () => {
      try {
        process.kill(-taskPid, 0);
        return undefined;
      } catch {
        return true;
      }
    };
    expect(await until(groupGone)).toBe(true);
  });

  it("re-adopts a running container after a restart and sees it end by polling", async () => {
    const first = await setup();
    const s = await first.spec("c3", "sleep 0.6; exit 7");
    const { pid } = await first.c.launch(s);
    first.c.stop(); // the agent "dies": stops watching, the task keeps running

    const second = await posixContainerizer({ pollIntervalMs: 50 });
    containerizers.push(second);
    const ended: Termination[] = [];
    second.onTermination((_id, t) => ended.push(t));
    expect(await second.recover({ containerId: "c3", runMetaDir: s.runMetaDir })).toEqual({ state: "running", pid });
    expect(await until(() => ended[0])).toEqual({ kind: "exited", code: 7 });
  });

  it("keeps its tasks and starts a new launcher when the launcher dies", async () => {
    const { c, spec, terminations } = await setup();
    const a = await spec("l1", "sleep 0.5; exit 5");
    await c.launch(a);
    const launcher = c.launcherPid!;
    process.kill(launcher, "SIGKILL");
    const b = await spec("l2", "exit 6");
    await until(() => c.launcherPid === undefined || undefined);
    await c.launch(b);
    expect(c.launcherPid).not.toBe(launcher);
    expect(await until(() => terminations.get("l2"))).toEqual({ kind: "exited", code: 6 });
    expect(await until(() => terminations.get("l1"))).toEqual({ kind: "exited", code: 5 }); // its wrapper still reports
  });

  it("recovers a container that finished while nobody watched", async () => {
    const { c, spec, terminations } = await setup();
    const s = await spec("c4", "exit 0");
    await c.launch(s);
    await until(() => terminations.get("c4"));
    const again = await posixContainerizer();
    containerizers.push(again);
    expect(await again.recover({ containerId: "c4", runMetaDir: s.runMetaDir })).toEqual({
      state: "terminated",
      termination: { kind: "exited", code: 0 },
    });
    expect(await again.recover({ containerId: "c4", runMetaDir: s.runMetaDir, rebooted: true })).toMatchObject({ state: "terminated" });
  });

  it("reports a launch failure when the wrapper cannot enter the sandbox, and rejects a launch without a run dir", async () => {
    const { c, spec, terminations } = await setup();
    const s = await spec("c5", "true");
    await c.launch({ ...s, sandbox: path.join(s.sandbox, "missing") });
    expect(await until(() => terminations.get("c5"))).toEqual({ kind: "launch_failed", message: "cannot enter the sandbox" });
    await expect(c.launch({ ...s, containerId: "c6", runMetaDir: path.join(s.runMetaDir, "missing") })).rejects.toThrow(/c6/);
  });

  it("gives the task default signal dispositions and exactly its environment", async () => {
    const { c, spec, terminations } = await setup();
    const signals = await spec("c7", "grep -E '^SigIgn' /proc/self/status");
    await c.launch(signals);
    // exec form (no shell: dash would drop the oddly named variable before printing)
    const env = { ...(await spec("c8", "")), argv: ["/usr/bin/env"], env: { ODD_PATH: "/x", "ODD.NAME": "x y", QUOTE: "it's" } };
    await c.launch(env);
    await until(() => terminations.get("c7") && terminations.get("c8"));
    expect(await fsp.readFile(path.join(signals.sandbox, "stdout"), "utf8")).toMatch(/^SigIgn:\s+0+\n$/);
    const lines = (await fsp.readFile(path.join(env.sandbox, "stdout"), "utf8")).trim().split("\n").sort();
    expect(lines).toEqual(["ODD.NAME=x y", "ODD_PATH=/x", "QUOTE=it's"]);
  });
});

// ---- cgroups on this host (root + writable cgroups needed; skipped with the reason otherwise) ----

const cgroupRoot = `plateau-test/${process.pid}-${Date.now().toString(36)}`;
const hostCgroups = detectCgroups("/sys/fs/cgroup", cgroupRoot, { enableCfs: true, limitSwap: false });
const cgroupsReason = "reason" in hostCgroups ? hostCgroups.reason : undefined;
if (cgroupsReason !== undefined) console.warn(`SKIPPED cgroups containerizer tests: ${cgroupsReason}`);

async function cgroupsContainerizer(pidNamespace = false): Promise<{ c: MesosContainerizer; cg: Cgroups }> {
  const cg = (hostCgroups as { cgroups: Cgroups }).cgroups;
  const isolator = new CgroupsIsolator(cg, { cpu: true, mem: true, pids: true }, { pidNamespace, disk: false });
  const c = new MesosContainerizer({ isolator, tools: await detectHostTools(), pollIntervalMs: 50, limitationPollIntervalMs: 50 });
  containerizers.push(c);
  return { c, cg };
}

const cgroupFile = (cg: Cgroups, subsystem: string, id: string, file: string) => path.join(cg.mounts.dirs.get(subsystem)!, cg.root, id, file);

describe.skipIf(cgroupsReason !== undefined)("MesosContainerizer with cgroups (needs root and writable cgroups)", () => {
  afterAll(async () => {
    const cg = (hostCgroups as { cgroups: Cgroups }).cgroups;
    for (const id of cg.list()) await cg.destroy(id);
    cg.removeRootIfEmpty();
    for (const mount of new Set(cg.mounts.dirs.values())) await fsp.rmdir(path.join(mount, "plateau-test")).catch(() => {});
  });

  it("applies cpu shares, CFS quota and the memory limit, and puts the task's processes in the cgroups", async () => {
    const { c, cg } = await cgroupsContainerizer();
    const { spec, terminations } = await setupWith(c);
    const s = { ...(await spec("cg1", "sleep 30 & sleep 30")), resources: [scalar("cpus", 0.5), scalar("mem", 64)] };
    await c.launch(s);
    const id = "cg1";
    expect(readFileSync(cgroupFile(cg, "cpu", id, "cpu.shares"), "utf8").trim()).toBe("512");
    expect(readFileSync(cgroupFile(cg, "cpu", id, "cpu.cfs_quota_us"), "utf8").trim()).toBe("50000");
    expect(Number(readFileSync(cgroupFile(cg, "memory", id, "memory.limit_in_bytes"), "utf8"))).toBe(64 * 1024 * 1024);
    const taskPid = (await until(() => readIntFile(path.join(s.runMetaDir, RUN_FILES.taskPid))))!;
    await until(() => cg.pids(id).length >= 3 || undefined); // sh + two sleeps
    for (const subsystem of ["cpu", "memory", "pids", "freezer"]) {
      expect(readFileSync(cgroupFile(cg, subsystem, id, "cgroup.procs"), "utf8")).toContain(String(taskPid));
    }
    const usage = await c.usage(id);
    expect(usage).toMatchObject({ cpus_limit: 0.5, mem_limit_bytes: 64 * 1024 * 1024, processes: 3 });
    await c.signal(id, "SIGKILL");
    expect(await until(() => terminations.get(id))).toMatchObject({ kind: "signaled", signal: "SIGKILL" });
    expect(cg.exists(id)).toBe(false); // destroyed with the container
  });

  it("ends a container that exceeds its memory with a memory limitation (OOM), leaving neighbours alone", async () => {
    const { c } = await cgroupsContainerizer();
    const { spec, terminations } = await setupWith(c);
    const neighbour = { ...(await spec("n1", "sleep 30")), resources: [scalar("mem", 64)] };
    await c.launch(neighbour);
    const hog = { ...(await spec("oom1", `exec ${process.execPath} -e "const b = Buffer.alloc(128 * 1024 * 1024, 1); setTimeout(() => {}, 30000)"`)), resources: [scalar("mem", 64)] };
    const t0 = Date.now();
    await c.launch(hog);
    const t = await until(() => terminations.get("oom1"), 10_000);
    expect(t.limitation).toMatchObject({ reason: "REASON_CONTAINER_LIMITATION_MEMORY", resources: [{ name: "mem", scalar: { value: 64 } }] });
    expect(t.limitation!.message).toMatch(/Memory limit exceeded: Requested: 64MB .*Maximum Used: \d+MB/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(terminations.has("n1")).toBe(false);
    await c.signal("n1", "SIGKILL");
    await until(() => terminations.get("n1")); // destroyed (cgroups removed) before the next test looks
  });

  it("notices an OOM kill of a process other than the task's main one and destroys the container", async () => {
    const { c } = await cgroupsContainerizer();
    const { spec, terminations } = await setupWith(c);
    const s = { ...(await spec("oom2", `${process.execPath} -e "Buffer.alloc(128 * 1024 * 1024, 1)"; sleep 30`)), resources: [scalar("mem", 64)] };
    await c.launch(s);
    const t = await until(() => terminations.get("oom2"), 10_000);
    expect(t.limitation?.reason).toBe("REASON_CONTAINER_LIMITATION_MEMORY");
  });

  it("kills double-forked daemons with the container", async () => {
    const { c, cg } = await cgroupsContainerizer();
    const { spec, terminations } = await setupWith(c);
    const s = await spec("d1", "(setsid sleep 300 & echo $! > daemon.pid) ; sleep 300");
    await c.launch(s);
    const daemon = (await until(() => readIntFile(path.join(s.sandbox, "daemon.pid")).catch(() => undefined)))!;
    await until(() => cg.pids("d1").includes(daemon) || undefined);
    await c.signal("d1", "SIGTERM"); // the daemon has left the process group: SIGTERM misses it
    expect(await until(() => terminations.get("d1"))).toMatchObject({ kind: "signaled", signal: "SIGTERM" });
    await until(() => !isAlive(daemon) || undefined, 3000); // …the container's destruction does not
  });

  it("runs the task in its own pid namespace with namespaces/pid, and still lets it exit gracefully on SIGTERM", async () => {
    const { c } = await cgroupsContainerizer(true);
    const { spec, terminations } = await setupWith(c);
    const s = await spec("ns1", "echo pid=$$; trap 'echo got-term; exit 3' TERM; sleep 30 & wait");
    await c.launch(s);
    await until(async () => (await fsp.readFile(path.join(s.sandbox, "stdout"), "utf8")).includes("pid=") || undefined);
    await new Promise((r) => setTimeout(r, 100));
    await c.signal("ns1", "SIGTERM");
    expect(await until(() => terminations.get("ns1"))).toEqual({ kind: "exited", code: 3 });
    const out = await fsp.readFile(path.join(s.sandbox, "stdout"), "utf8");
    expect(out).toMatch(/pid=2\n/); // pid 1 is the namespace's init
    expect(out).toContain("got-term");
  });

  it("re-adopts a running container with its cgroup after a restart", async () => {
    const first = await cgroupsContainerizer();
    const { spec } = await setupWith(first.c);
    const s = { ...(await spec("r1", "sleep 30")), resources: [scalar("mem", 64)] };
    const { pid } = await first.c.launch(s);
    first.c.stop();
    const second = await cgroupsContainerizer();
    const ended: Termination[] = [];
    second.c.onTermination((_id, t) => ended.push(t));
    expect(await second.c.recover({ containerId: "r1", runMetaDir: s.runMetaDir, resources: s.resources })).toEqual({ state: "running", pid });
    expect(second.cg.exists("r1")).toBe(true);
    expect(await second.c.destroyOrphans(new Set(["r1"]))).toEqual([]);
    await second.c.signal("r1", "SIGKILL");
    await until(() => ended[0]);
    expect(second.cg.exists("r1")).toBe(false);
  });
});

function scalar(name: string, value: number) {
  return { name, type: "SCALAR" as const, scalar: { value } };
}

async function setupWith(c: MesosContainerizer): Promise<{ terminations: Map<string, Termination>; spec: (id: string, cmd: string) => Promise<ContainerSpec> }> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), "plateau-cgc-"));
  dirs.push(root);
  const terminations = new Map<string, Termination>();
  c.onTermination((id, t) => terminations.set(id, t));
  const spec = async (id: string, cmd: string): Promise<ContainerSpec> => {
    const sandbox = path.join(root, id, "sandbox");
    const runMetaDir = path.join(root, id, "meta");
    await fsp.mkdir(sandbox, { recursive: true });
    await fsp.mkdir(path.join(runMetaDir, "pids"), { recursive: true });
    return { containerId: id, sandbox, runMetaDir, argv: ["/bin/sh", "-c", cmd], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, resources: [] };
  };
  return { terminations, spec };
}
