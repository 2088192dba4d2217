// The irreversible agent controls, on agents started for the purpose (the shared cluster's two
// agents are left alone): take a machine down and bring it up from the maintenance page, and mark
// an agent gone from its page — each confirmed with a reason and recorded in the timeline.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, freePort, test } from "./fixtures";
import { confirmWithReason, snap } from "./helpers";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "bin", "plateau.mjs");

interface Slave { id: string; hostname: string; active: boolean }
interface TimelineRow { action: string; reason?: string; result?: string; agentId?: string; summary: string }

async function startAgent(master: string, hostname: string): Promise<{ child: ChildProcess; exited: Promise<number | null>; stop(): void }> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `plateau-e2e-${hostname}-`));
  const child = spawn(process.execPath, [BIN, "agent", `--master=${master}`, "--ip=127.0.0.1", `--port=${await freePort()}`, `--work_dir=${workDir}`, `--hostname=${hostname}`, "--resources=cpus:1;mem:256;disk:256;ports:[32100-32110]", "--exit_on_stdin_eof", "--registration_backoff_factor=100ms"], { stdio: ["pipe", "ignore", "ignore"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

async function slaves(url: string): Promise<Slave[]> {
  return ((await (await fetch(`${url}/master/slaves`)).json()) as { slaves: Slave[] }).slaves;
}

async function operatorEntries(cluster: { query<T>(p: string, i?: unknown): Promise<T> }, action: string): Promise<TimelineRow[]> {
  const page = await cluster.query<{ entries: TimelineRow[] }>("events.list", { kinds: ["operator"], limit: 500 });
  return page.entries.filter((e) => e.action === action);
}

test("machine down from the maintenance page shuts its agent out; machine up brings it back UP", async ({ page, cluster }, testInfo) => {
  const agent = await startAgent(cluster.master, "e2e-down-node");
  try {
    const slave = await cluster.until(async () => (await slaves(cluster.url)).find((s) => s.hostname === "e2e-down-node" && s.active));
    await page.goto(`${cluster.url}/maintenance`);
    const pick = page.getByTestId("machine-picks").locator('input[data-machine^="e2e-down-node"]');
    await pick.check();
    await page.getByTestId("window-hours").fill("1");
    await page.getByTestId("window-save").click();
    await confirmWithReason(page, "e2e: rack power work");
    const row = page.getByTestId("schedule").locator('tr[data-machine^="e2e-down-node"]');
    await expect(row).toContainText("DRAINING");

    await row.getByTestId("machine-down").click();
    await confirmWithReason(page, "e2e: power off");
    await expect(row).toContainText("DOWN");
    await snap(page, testInfo, "machine-down");
    // The master removed the agent and told it to shut down: the process exits.
    expect(await Promise.race([agent.exited, new Promise((r) => setTimeout(() => r("still running"), 20_000))])).not.toBe("still running");
    await cluster.until(async () => !(await slaves(cluster.url)).some((s) => s.id === slave.id && s.active));

    await row.getByTestId("machine-up").click();
    await confirmWithReason(page, "e2e: power back");
    // Up again and out of the schedule.
    await expect(page.getByTestId("schedule").locator('tr[data-machine^="e2e-down-node"]')).toHaveCount(0);
    expect((await operatorEntries(cluster, "START_MAINTENANCE")).map((e) => [e.reason, e.result])).toContainEqual(["e2e: power off", "ok"]);
    expect((await operatorEntries(cluster, "STOP_MAINTENANCE")).map((e) => [e.reason, e.result])).toContainEqual(["e2e: power back", "ok"]);
  } finally {
    agent.stop();
  }
});

test("mark an agent gone from its page: confirmed, gone for good, recorded", async ({ page, cluster }, testInfo) => {
  const agent = await startAgent(cluster.master, "e2e-gone-node");
  try {
    const slave = await cluster.until(async () => (await slaves(cluster.url)).find((s) => s.hostname === "e2e-gone-node" && s.active));
    await page.goto(`${cluster.url}/agents/${encodeURIComponent(slave.id)}`);
    await page.getByTestId("agent-mark-gone").click();
    await expect(page.getByTestId("mark-gone-dialog")).toBeVisible();
    await snap(page, testInfo, "mark-gone-dialog");
    await confirmWithReason(page, "e2e: host decommissioned");
    await expect(page.getByTestId("mark-gone-dialog")).toBeHidden();
    // Shut down by the master, and never admitted again.
    expect(await Promise.race([agent.exited, new Promise((r) => setTimeout(() => r("still running"), 20_000))])).not.toBe("still running");
    await cluster.until(async () => !(await slaves(cluster.url)).some((s) => s.id === slave.id));
    const gone = (await operatorEntries(cluster, "MARK_AGENT_GONE")).find((e) => e.agentId === slave.id || e.summary.includes(slave.id));
    expect(gone).toMatchObject({ reason: "e2e: host decommissioned", result: "ok" });
  } finally {
    agent.stop();
  }
});
