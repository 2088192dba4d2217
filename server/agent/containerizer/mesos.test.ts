import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readIntFile } from "../checkpoint";
import { RUN_FILES } from "../paths";
import { decodeShellStatus, isAlive } from "./process";
import { PosixContainerizer } from "./posix";
import type { ContainerSpec, Termination } from "./types";

const dirs: string[] = [];
const pgids: number[] = [];
const containerizers: PosixContainerizer[] = [];

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

async function setup(): Promise<{ c: PosixContainerizer; terminations: Map<string, Termination>; spec: (id: string, cmd: string) => Promise<ContainerSpec> }> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), "plateau-posix-"));
  dirs.push(root);
  const c = await PosixContainerizer.create({ pollIntervalMs: 50 });
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

describe("PosixContainerizer", () => {
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
    expect(() => process.kill(-taskPid, 0)).toThrow(); // the process group is empty
  });

  it("re-adopts a running container after a restart and sees it end by polling", async () => {
    const first = await setup();
    const s = await first.spec("c3", "sleep 0.6; exit 7");
    const { pid } = await first.c.launch(s);
    first.c.stop(); // the agent "dies": stops watching, the task keeps running

    const second = await PosixContainerizer.create({ pollIntervalMs: 50 });
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
    const again = await PosixContainerizer.create();
    containerizers.push(again);
    expect(await again.recover({ containerId: "c4", runMetaDir: s.runMetaDir })).toEqual({
      state: "terminated",
      termination: { kind: "exited", code: 0 },
    });
    expect(await again.recover({ containerId: "c4", runMetaDir: s.runMetaDir, rebooted: true })).toMatchObject({ state: "terminated" });
  });

  it("reports status 127 when the wrapper cannot enter the sandbox, and rejects a launch without a run dir", async () => {
    const { c, spec, terminations } = await setup();
    const s = await spec("c5", "true");
    await c.launch({ ...s, sandbox: path.join(s.sandbox, "missing") });
    expect(await until(() => terminations.get("c5"))).toEqual({ kind: "exited", code: 127 });
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
