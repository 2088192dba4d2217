// Persistent volumes on the agent: paths (role encoding, safe ids), the checkpoint of resources
// (written, recovered, checked against --resources), volume directories created and removed,
// and volumes made visible in a sandbox.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Resource } from "../protocol/mesos";
import { Resources } from "../resources";
import { memoryLogger } from "./log";
import { realClock } from "./clock";
import { diskUsage } from "./containerizer/disk";
import { limitsOf } from "./containerizer/mesos";
import { SandboxGc } from "./gc";
import { Volumes, mountsUnder, resourcesInfoPath, volumePath, volumeTarget } from "./volumes";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-volumes-"));
  dirs.push(d);
  return d;
};

const vol = (id: string, role = "ops", containerPath = "data"): Resource => ({
  name: "disk", type: "SCALAR", scalar: { value: 10 }, reservations: [{ type: "DYNAMIC", role }],
  disk: { persistence: { id }, volume: { mode: "RW", container_path: containerPath } },
});
const STATIC = Resources.parse("cpus:2;disk:100");

describe("volume paths", () => {
  it("encodes '/' in roles as a space and refuses unsafe ids and container paths", () => {
    expect(volumePath("/w", "eng/web", "v1")).toBe("/w/volumes/roles/eng web/v1");
    expect(() => volumePath("/w", "ops", "../x")).toThrow(/persistence id/);
    expect(volumeTarget("/s", "a/b")).toBe("/s/a/b");
    expect(() => volumeTarget("/s", "/etc")).toThrow(/relative/);
    expect(() => volumeTarget("/s", "a/../../x")).toThrow(/leaves the sandbox/);
  });
});

describe("sandbox disk accounting", () => {
  it("a task's disk limit leaves its persistent volumes out, and so does the sandbox's usage", async () => {
    expect(limitsOf([{ name: "disk", type: "SCALAR", scalar: { value: 32 } }, vol("v1")]).diskBytes).toBe(32 * 1024 * 1024);
    expect(limitsOf([vol("v1")]).diskBytes).toBeUndefined();
    const sandbox = tmp();
    fs.mkdirSync(path.join(sandbox, "data"));
    fs.writeFileSync(path.join(sandbox, "data", "big"), Buffer.alloc(256 * 1024, 1));
    const all = await diskUsage(sandbox);
    const without = await diskUsage(sandbox, new Set([path.join(sandbox, "data")]));
    expect(all - without).toBeGreaterThanOrEqual(256 * 1024);
  });
});

describe("Volumes", () => {
  it("checkpoints the master's set, creates and removes volume directories, and recovers after a restart", async () => {
    const work = tmp();
    const log = memoryLogger();
    const volumes = new Volumes(work, STATIC, log);
    await volumes.init();
    await volumes.update([vol("v1"), vol("v2", "eng/web")]);
    expect(fs.existsSync(volumePath(work, "ops", "v1"))).toBe(true);
    expect(fs.existsSync(volumePath(work, "eng/web", "v2"))).toBe(true);
    expect(volumes.total().persistentVolumes().scalar("disk")).toBe(20);
    fs.writeFileSync(path.join(volumePath(work, "ops", "v1"), "f"), "data");

    const again = new Volumes(work, STATIC, memoryLogger());
    await again.init();
    expect(Resources.from(again.resources).equals(Resources.from([vol("v1"), vol("v2", "eng/web")]))).toBe(true);
    await again.update([vol("v1")]);
    expect(fs.existsSync(volumePath(work, "eng/web", "v2"))).toBe(false);
    expect(fs.readFileSync(path.join(volumePath(work, "ops", "v1"), "f"), "utf8")).toBe("data");
    expect(JSON.parse(fs.readFileSync(resourcesInfoPath(work), "utf8"))).toHaveLength(1);
  });

  it("applies updates in the order they arrive, even when they overlap", async () => {
    const work = tmp();
    const volumes = new Volumes(work, STATIC, memoryLogger());
    await volumes.init();
    await Promise.all([volumes.update([vol("v1"), vol("v2")]), volumes.update([vol("v1")]), volumes.update([vol("v1"), vol("v3")])]);
    expect(JSON.parse(fs.readFileSync(resourcesInfoPath(work), "utf8")).map((r: Resource) => r.disk!.persistence!.id).sort()).toEqual(["v1", "v3"]);
    expect(fs.existsSync(volumePath(work, "ops", "v2"))).toBe(false);
    expect(fs.existsSync(volumePath(work, "ops", "v3"))).toBe(true);
  });

  it("refuses a checkpoint that no longer fits the agent's resources, and an update that does not fit", async () => {
    const work = tmp();
    const volumes = new Volumes(work, STATIC, memoryLogger());
    await volumes.init();
    await expect(volumes.update([{ ...vol("big"), scalar: { value: 500 } }])).rejects.toThrow(/incompatible/);
    await volumes.update([vol("v1")]);
    await expect(new Volumes(work, Resources.parse("cpus:2;disk:5"), memoryLogger()).init()).rejects.toThrow(/incompatible/);
  });

  it("links a task's volume into its sandbox (symlink mode)", async () => {
    const work = tmp();
    const log = memoryLogger();
    const volumes = new Volumes(work, STATIC, log);
    await volumes.init();
    volumes.mode = "symlink";
    await volumes.update([vol("v1", "ops", "state/data")]);
    const sandbox = path.join(work, "sandbox");
    fs.mkdirSync(sandbox);
    volumes.attach(sandbox, [{ name: "cpus", type: "SCALAR", scalar: { value: 1 } }, vol("v1", "ops", "state/data")], "t1");
    fs.writeFileSync(path.join(sandbox, "state", "data", "x"), "1");
    expect(fs.readFileSync(path.join(volumePath(work, "ops", "v1"), "x"), "utf8")).toBe("1");
    expect(log.lines.some((l) => l.includes("symlinked"))).toBe(true);
    // The same path again (a second task in the same sandbox) is refused rather than replaced.
    expect(() => volumes.attach(sandbox, [vol("v1", "ops", "state/data")], "t2")).toThrow(/already exists/);
  });

  it.skipIf(process.getuid?.() !== 0)("bind-mounts a volume (root), and sandbox GC unmounts it first so the data survives", async (ctx) => {
    const work = tmp();
    const volumes = new Volumes(work, STATIC, memoryLogger());
    await volumes.init();
    if (volumes.mode !== "bind") ctx.skip(); // root without mount(8) or CAP_SYS_ADMIN: reported as skipped
    await volumes.update([vol("v1")]);
    const sandbox = path.join(work, "slaves", "a", "frameworks", "f", "executors", "e", "runs", "r");
    fs.mkdirSync(sandbox, { recursive: true });
    volumes.attach(sandbox, [vol("v1")], "t1");
    expect(mountsUnder(sandbox)).toEqual([path.join(sandbox, "data")]);
    fs.writeFileSync(path.join(sandbox, "data", "kept"), "yes");

    const gc = new SandboxGc({ workDir: work, gcDelayMs: 0, diskHeadroom: 0.1, diskWatchIntervalMs: 60_000, clock: realClock, log: memoryLogger() });
    await gc.scheduleLeftovers(new Set());
    gc.beforeRemove = async () => {
      throw new Error("still mounted");
    };
    await gc.collect();
    expect(fs.existsSync(sandbox)).toBe(true); // kept, and still scheduled
    expect(gc.size).toBe(1);
    gc.beforeRemove = (dir) => volumes.detach(dir);
    await gc.collect();
    expect(fs.existsSync(sandbox)).toBe(false);
    expect(mountsUnder(work)).toEqual([]);
    expect(fs.readFileSync(path.join(volumePath(work, "ops", "v1"), "kept"), "utf8")).toBe("yes");
  });
});
