// Maintenance controls in the dashboard: drain an agent (max grace period, preview of what is
// affected, DRAINED, reactivated) and schedule, edit and remove a maintenance window, with the
// operator's reason in the timeline and the master's refusals shown in words. The cluster is
// shared with the other specs: everything done here is undone before the test ends.
import { expect, test } from "./fixtures";
import { confirmWithReason, findTask, snap } from "./helpers";

interface TimelineRow { action: string; principal?: string; reason?: string; result?: string; agentId?: string }

async function timeline(cluster: { query<T>(p: string, i?: unknown): Promise<T> }, action: string): Promise<TimelineRow[]> {
  const page = await cluster.query<{ entries: TimelineRow[] }>("events.list", { kinds: ["operator"], limit: 500 });
  return page.entries.filter((e) => e.action === action);
}

test("drain an agent from its page: preview, DRAINED, recorded with the reason, then reactivated", async ({ page, cluster }, testInfo) => {
  const run = cluster.execute(["--name=e2e-drain-me", "--command=sleep 300"]);
  const task = await findTask(cluster, "e2e-drain-me");
  await page.goto(`${cluster.url}/agents/${encodeURIComponent(task.agentId)}`);
  await expect(page.getByTestId("agent-facts")).toContainText("not draining");

  await page.getByTestId("agent-drain").click();
  const dialog = page.getByTestId("drain-dialog");
  await expect(dialog.getByTestId("drain-preview-tasks")).toContainText("1 active task");
  await expect(dialog.getByTestId("drain-preview-frameworks")).toBeVisible();
  await dialog.getByTestId("drain-grace").fill("1");
  await snap(page, testInfo, "drain-dialog");
  await confirmWithReason(page, "e2e: replace the disk");
  await expect(dialog).toBeHidden();

  // The task is killed (its own grace period is longer than 1 s) and the agent ends DRAINED.
  await findTask(cluster, "e2e-drain-me", "TASK_KILLED", 30_000);
  await expect(page.getByTestId("agent-facts")).toContainText("drained", { timeout: 30_000 });
  await expect(page.getByTestId("agent-title")).toContainText("deactivated");
  await snap(page, testInfo, "agent-drained");
  const drains = await timeline(cluster, "DRAIN_AGENT");
  expect(drains.find((e) => e.agentId === task.agentId)).toMatchObject({ principal: "anonymous", reason: "e2e: replace the disk", result: "ok" });
  await run;

  // Reactivate (confirmed, with a reason): offers from it resume.
  await page.getByTestId("agent-reactivate").click();
  await confirmWithReason(page, "e2e: disk replaced");
  await expect(page.getByTestId("agent-facts")).toContainText("not draining");
  await expect(page.getByTestId("agent-deactivate")).toBeVisible();
  expect((await timeline(cluster, "REACTIVATE_AGENT")).find((e) => e.agentId === task.agentId)).toMatchObject({ reason: "e2e: disk replaced", result: "ok" });
});

test("schedule maintenance: create a window, see the machine DRAINING, edit it, a refused change shown in words, remove it", async ({ page, cluster }, testInfo) => {
  await page.goto(`${cluster.url}/maintenance`);
  await expect(page.getByTestId("schedule-empty")).toBeVisible();
  const picks = page.getByTestId("machine-picks").locator("input[type=checkbox]");
  await expect(picks.first()).toBeVisible();
  const machine = (await picks.first().getAttribute("data-machine"))!;
  await picks.first().check();
  await page.getByTestId("window-hours").fill("3");
  await page.getByTestId("window-save").click();
  await expect(page.getByTestId("window-preview")).toContainText(machine);
  await confirmWithReason(page, "e2e: firmware upgrade");

  const row = page.getByTestId("schedule").locator(`tr[data-machine="${machine}"]`);
  await expect(row).toContainText("DRAINING");
  await expect(row).toContainText("for 3h");
  const status = await cluster.query<{ available: boolean; status: { draining_machines: { id: { hostname?: string; ip?: string } }[] } }>("maintenance.status");
  expect(status.status.draining_machines).toHaveLength(1);
  await snap(page, testInfo, "maintenance-scheduled");

  // Edit the window: 5 hours.
  await page.getByTestId("window-edit").click();
  await page.getByTestId("window-hours").fill("5");
  await page.getByTestId("window-save").click();
  await confirmWithReason(page, "e2e: longer window");
  await expect(row).toContainText("for 5h");

  // The master refuses a malformed IP; its message is shown next to the control.
  await page.getByTestId("machine-hostname").fill("bad-node");
  await page.getByTestId("machine-ip").fill("10.0.0.999");
  await page.getByTestId("machine-add").click();
  await page.getByTestId("window-save").click();
  await page.getByTestId("confirm-reason").fill("e2e: bad machine");
  await page.getByTestId("confirm-submit").click();
  await expect(page.getByTestId("confirm-error")).toContainText("Failed to parse IP '10.0.0.999'");
  await snap(page, testInfo, "maintenance-error");
  await page.getByTestId("window-dialog").getByRole("button", { name: "Cancel" }).click();

  // Remove the machine from the schedule: back to UP.
  await row.getByTestId("machine-remove").click();
  await confirmWithReason(page, "e2e: done");
  await expect(page.getByTestId("schedule-empty")).toBeVisible();
  const updates = await timeline(cluster, "UPDATE_MAINTENANCE_SCHEDULE");
  expect(updates.map((e) => [e.reason, e.result])).toEqual(expect.arrayContaining([["e2e: firmware upgrade", "ok"], ["e2e: longer window", "ok"], ["e2e: bad machine", "error"], ["e2e: done", "ok"]]));
});
