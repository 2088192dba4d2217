// Agents: the server-side filtered/sorted table with URL state, keyboard navigation, and one
// agent's page (resources, attributes, its tasks).
import { expect, test } from "./fixtures";
import { findTask, snap } from "./helpers";

test("agents table: filter, sort and shareable URL; open an agent with the keyboard", async ({ page, cluster }, testInfo) => {
  const run = cluster.execute(["--name=e2e-on-agent", "--command=sleep 300"]);
  const task = await findTask(cluster, "e2e-on-agent");
  await page.goto(`${cluster.url}/agents`);
  const rows = page.locator('[data-testid="agents-table"] [data-agent-id]');
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId("result-count")).toContainText("2 agents");
  // Text filter on the agent id, kept in the URL.
  const suffix = task.agentId.slice(-3);
  await page.getByTestId("filter-text").fill(suffix);
  await expect(page).toHaveURL(new RegExp(`q=${suffix}`));
  await expect(rows).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId("filter-text")).toHaveValue(suffix);
  await expect(rows).toHaveCount(1);
  await page.getByTestId("filter-text").fill("");
  await expect(rows).toHaveCount(2);
  // Sort by tasks, descending: the agent running our task comes first.
  await page.getByTestId("sort-tasks").click();
  await page.getByTestId("sort-tasks").click();
  await expect(page).toHaveURL(/sort=tasks&dir=desc|dir=desc.*sort=tasks|sort=tasks.*dir=desc/);
  await expect(rows.first()).toHaveAttribute("data-agent-id", task.agentId);
  await page.getByTestId("filter-state-unreachable").click();
  await expect(page.locator('[data-testid="agents-table"]')).toContainText("No agent matches");
  await page.getByTestId("filter-state-unreachable").click();
  await snap(page, testInfo, "agents");
  // Keyboard: focus the table, move to the first row, open it.
  await page.locator('[data-testid="agents-table"] .vscroll').focus();
  await page.keyboard.press("j");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/agents/${encodeURIComponent(task.agentId)}`));
  await expect(page.getByTestId("agent-resources")).toContainText("cpus");
  await expect(page.getByTestId("agent-facts")).toContainText(task.agentId);
  await expect(page.locator('[data-testid="tasks-table"] [data-task-id="e2e-on-agent"]')).toHaveAttribute("data-state", "TASK_RUNNING");
  await expect(page.getByTestId("agent-controls")).toBeVisible();
  await snap(page, testInfo, "agent-detail");
  await fetch(`${cluster.url}/trpc/tasks.kill`, { method: "POST", headers: { "content-type": "application/json", "x-plateau-csrf": "1" }, body: JSON.stringify({ frameworkId: task.frameworkId, taskId: task.id, reason: "e2e: clean up" }) });
  await run;
});
