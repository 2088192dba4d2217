// The browser sees a task launched by `plateau execute` appear as RUNNING and then FINISHED,
// live (no reload), on the overview page of a real cluster.
import { expect, test } from "./fixtures";

test("overview shows agents and follows a task launched by plateau execute", async ({ page, cluster }, testInfo) => {
  await page.goto(cluster.url);
  await expect(page.getByRole("heading", { name: "Cluster overview" })).toBeVisible();
  await expect(page.getByTestId("agents-table").locator("tbody tr")).toHaveCount(2);
  await expect(page.getByTestId("live-toggle")).toContainText("Live");
  // 2 agents × 2 cpus, as given by --agent_resources.
  await expect(page.getByTestId("resource-cpus")).toContainText("4");

  const run = cluster.execute(["--name=e2e-hello", "--command=echo hi from e2e; sleep 6", "--resources=cpus:0.5;mem:64"]);
  const row = page.locator('[data-testid="tasks-table"] tr[data-task-id="e2e-hello"]');
  await expect(row).toHaveAttribute("data-state", "TASK_RUNNING", { timeout: 20_000 });
  await page.screenshot({ path: testInfo.outputPath("task-running.png"), fullPage: true });
  // While it runs, its resources show as allocated.
  await expect(page.getByTestId("resource-cpus-allocated")).toHaveText("0.5");
  await expect(row).toHaveAttribute("data-state", "TASK_FINISHED", { timeout: 20_000 });
  await page.screenshot({ path: testInfo.outputPath("task-finished.png"), fullPage: true });

  const result = await run;
  expect(result.code).toBe(0);
  expect(result.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^TASK_RUNNING /), expect.stringMatching(/^TASK_FINISHED .*status 0/)]));
});
