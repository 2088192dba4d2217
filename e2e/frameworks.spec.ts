// Frameworks: list and detail of a real framework, and the operator's teardown (confirmed with a
// preview of what is affected, audited with the reason).
import { expect, test } from "./fixtures";
import { confirmWithReason, findTask, snap } from "./helpers";

test("framework detail and teardown from the frameworks list", async ({ page, cluster }, testInfo) => {
  const run = cluster.execute(["--name=e2e-teardown", "--command=sleep 300", "--framework_name=e2e-fw-teardown", "--principal=e2e-principal"]);
  const task = await findTask(cluster, "e2e-teardown");
  await page.goto(`${cluster.url}/frameworks/${encodeURIComponent(task.frameworkId)}`);
  await expect(page.getByTestId("framework-title")).toContainText("e2e-fw-teardown");
  await expect(page.getByTestId("framework-facts")).toContainText("e2e-principal");
  await expect(page.getByTestId("framework-facts")).toContainText("PARTITION_AWARE");
  await expect(page.getByTestId("framework-shares")).toContainText("*");
  await expect(page.locator('[data-testid="tasks-table"] [data-task-id="e2e-teardown"]')).toHaveAttribute("data-state", "TASK_RUNNING");
  await snap(page, testInfo, "framework-detail");

  await page.goto(`${cluster.url}/frameworks`);
  const row = page.locator(`[data-testid="frameworks-table"] tr[data-framework-id="${task.frameworkId}"]`);
  await expect(row).toContainText("e2e-fw-teardown");
  await row.getByTestId("row-teardown").click();
  const dialog = page.getByTestId("teardown-dialog");
  await expect(dialog).toContainText("1 active task");
  await snap(page, testInfo, "teardown-dialog");
  await confirmWithReason(page, "e2e: retire this framework");
  await expect(row).toHaveCount(0, { timeout: 15_000 });
  await page.getByTestId("show-completed").click();
  await expect(page.locator(`[data-testid="frameworks-table"] tr[data-framework-id="${task.frameworkId}"]`)).toContainText("completed");
  await findTask(cluster, "e2e-teardown", "TASK_KILLED");
  const events = await cluster.query<{ entries: { action: string; reason?: string; principal?: string; result?: string }[] }>("events.list", { kinds: ["operator"], frameworkId: task.frameworkId });
  expect(events.entries.find((e) => e.action === "TEARDOWN")).toMatchObject({ reason: "e2e: retire this framework", principal: "anonymous", result: "ok" });
  await run;
});
