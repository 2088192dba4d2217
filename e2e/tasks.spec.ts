// Tasks: the cluster-wide table (filters in the URL), a task's page, killing one task and many
// (confirmed, with a reason, audited in the timeline), and hostile names rendered as text.
import { expect, test } from "./fixtures";
import { confirmWithReason, findTask, snap } from "./helpers";

test("kill a running task from its page: reason required, state follows live, audited", async ({ page, cluster }, testInfo) => {
  const run = cluster.execute(["--name=e2e-kill-me", "--command=sleep 300"]);
  const task = await findTask(cluster, "e2e-kill-me");
  await page.goto(`${cluster.url}/tasks/e2e-kill-me?framework=${encodeURIComponent(task.frameworkId)}`);
  await expect(page.getByTestId("task-title")).toContainText("running");
  await expect(page.getByTestId("status-history")).toContainText("running");
  await page.getByTestId("kill-task").click();
  const dialog = page.getByTestId("kill-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("kill task e2e-kill-me");
  // No reason: refused next to the control, in words.
  await page.getByTestId("confirm-reason").fill("x");
  await page.getByTestId("confirm-submit").click();
  await expect(page.getByTestId("confirm-error")).toContainText("Give a reason");
  await snap(page, testInfo, "kill-dialog");
  await confirmWithReason(page, "e2e: the task is stuck");
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("task-title")).toContainText("killed", { timeout: 15_000 });
  await expect(page.getByTestId("status-history")).toContainText("killed");
  await snap(page, testInfo, "task-killed");
  const result = await run;
  expect(result.code).not.toBe(0);

  await page.goto(`${cluster.url}/events?kind=operator&task=e2e-kill-me`);
  const entry = page.getByTestId("events").locator('li[data-action="KILL_TASK"][data-kind="operator"]');
  await expect(entry).toContainText("requested by anonymous");
  await expect(entry).toContainText("e2e: the task is stuck");
  await expect(entry).toHaveAttribute("data-result", "ok");
});

test("bulk kill from the tasks table, with filters kept in the URL", async ({ page, cluster }, testInfo) => {
  const runs = [cluster.execute(["--name=e2e-bulk-1", "--command=sleep 300"]), cluster.execute(["--name=e2e-bulk-2", "--command=sleep 300"])];
  await findTask(cluster, "e2e-bulk-1");
  await findTask(cluster, "e2e-bulk-2");
  await page.goto(`${cluster.url}/tasks?state=active&q=e2e-bulk`);
  await expect(page.getByTestId("filter-text")).toHaveValue("e2e-bulk");
  await expect(page.getByTestId("filter-state-active")).toHaveClass(/on/);
  const rows = page.locator('[data-testid="tasks-table"] [data-task-id^="e2e-bulk-"]');
  await expect(rows).toHaveCount(2);
  for (const id of ["e2e-bulk-1", "e2e-bulk-2"]) await page.locator(`[data-task-id="${id}"] [data-testid="row-select"]`).check();
  await page.getByTestId("bulk-kill").click();
  await expect(page.getByTestId("kill-many-dialog")).toContainText("Kills 2 tasks");
  await confirmWithReason(page, "e2e: bulk clean-up");
  await expect(page.getByTestId("kill-many-dialog")).toBeHidden();
  // Killed tasks leave the "active" filter live; switch to "killed" through the URL-bound chip.
  await expect(rows).toHaveCount(0, { timeout: 15_000 });
  await page.getByTestId("filter-state-TASK_KILLED").click();
  await expect(page).toHaveURL(/state=TASK_KILLED/);
  await expect(page.locator('[data-testid="tasks-table"] [data-task-id^="e2e-bulk-"][data-state="TASK_KILLED"]')).toHaveCount(2);
  await snap(page, testInfo, "tasks-bulk-killed");
  await Promise.all(runs);
  // The shareable URL opens the same view.
  await page.reload();
  await expect(page.locator('[data-testid="tasks-table"] [data-task-id^="e2e-bulk-"][data-state="TASK_KILLED"]')).toHaveCount(2);
});

test("hostile task names and output are rendered as text", async ({ page, cluster }, testInfo) => {
  const name = `<img src=x onerror="window.__xss=1">`;
  const run = cluster.execute([`--name=${name}`, `--command=echo '<script>window.__xss=2</script>'; sleep 300`]);
  const task = await findTask(cluster, name);
  await page.goto(`${cluster.url}/tasks?q=${encodeURIComponent("<img")}`);
  const row = page.locator('[data-testid="tasks-table"] [role="row"][data-state="TASK_RUNNING"]').first();
  await expect(row).toContainText(name);
  expect(await page.locator('[data-testid="tasks-table"] img').count()).toBe(0);
  await page.goto(`${cluster.url}/tasks/${encodeURIComponent(name)}?framework=${encodeURIComponent(task.frameworkId)}`);
  await expect(page.getByTestId("task-title")).toContainText(name);
  await page.goto(`${cluster.url}/events?q=${encodeURIComponent("onerror")}`);
  await expect(page.getByTestId("events")).toContainText(name);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  await snap(page, testInfo, "hostile-name-as-text");
  const res = await fetch(`${cluster.url}/trpc/tasks.kill`, { method: "POST", headers: { "content-type": "application/json", "x-plateau-csrf": "1" }, body: JSON.stringify({ frameworkId: task.frameworkId, taskId: name, reason: "e2e: clean up" }) });
  expect(res.status).toBe(200);
  await run;
});

test("mutations refuse cross-site requests and need a reason", async ({ cluster }) => {
  const post = (headers: Record<string, string>, body: unknown) =>
    fetch(`${cluster.url}/trpc/tasks.kill`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const body = { frameworkId: "nope", taskId: "nope", reason: "e2e check" };
  const noHeader = await post({}, body);
  expect(noHeader.status).toBe(403);
  expect(await noHeader.text()).toContain("x-plateau-csrf");
  const foreign = await post({ "x-plateau-csrf": "1", origin: "http://evil.example" }, body);
  expect(foreign.status).toBe(403);
  expect(await foreign.text()).toContain("evil.example");
  const noReason = await post({ "x-plateau-csrf": "1" }, { frameworkId: "nope", taskId: "nope" });
  expect(noReason.status).toBe(400);
  const unknown = await post({ "x-plateau-csrf": "1", origin: cluster.url }, body);
  expect(unknown.status).toBe(404);
  expect(await unknown.text()).toContain("Framework nope not found");
});
