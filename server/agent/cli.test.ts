// The agent as a real process (`plateau agent`): signals leave tasks running, a closed stdin
// (parent gone) kills them.
import { spawn, type ChildProcess } from "node:child_process";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { FakeMaster } from "../testing/fake-master";
import { groupAlive, killLeftovers, taskPid, until } from "./test-helpers";

const BIN = fileURLToPath(new URL("../../bin/plateau.mjs", import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startCli(extra: string[] = []) {
  const master = await FakeMaster.start({ autoAck: true });
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), "plateau-cli-"));
  const output: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, "agent", `--master=${master.address}`, `--work_dir=${workDir}`, "--port=0", "--resources=cpus:2;mem:1024", "--registration_backoff_factor=10ms", ...extra],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
    await killLeftovers(workDir);
    await master.close();
    await fsp.rm(workDir, { recursive: true, force: true });
  });
  await master.waitFor(() => master.registrations().length > 0, 20_000, "registration");
  return { master, workDir, child, exited, output };
}

describe("plateau agent (process)", () => {
  it("logs glog-style lines; SIGTERM leaves tasks running; stdin EOF kills them", async () => {
    const first = await startCli(["--exit_on_stdin_eof"]);
    first.master.runCommand("keep", "sleep 60");
    await first.master.waitForState("keep", "TASK_RUNNING");
    const agentId = first.master.lastAgentId()!;
    const pgid = await until(() => taskPid(first.workDir, agentId, "fw-1", "keep"));
    await until(() => groupAlive(pgid), 2000, "task group");
    expect(first.output.join("")).toMatch(/^I\d{4} \d\d:\d\d:\d\d\.\d{3} agent\] Registered with master .* as agent /m);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(groupAlive(pgid)).toBe(true); // survived the agent

    // A managed child: closing its stdin (the parent died) kills its tasks.
    const second = await startCli(["--exit_on_stdin_eof"]);
    second.master.runCommand("doomed", "sleep 60");
    await second.master.waitForState("doomed", "TASK_RUNNING");
    const doomed = await until(() => taskPid(second.workDir, second.master.lastAgentId()!, "fw-1", "doomed"));
    await until(() => groupAlive(doomed), 2000, "task group");
    second.child.stdin!.end();
    expect(await second.exited).toBe(0);
    await until(() => !groupAlive(doomed), 5000, "task killed with its agent");
    process.kill(-pgid, "SIGKILL");
  }, 60_000);
});
