// The overview of a real cluster: resources, counts, history charts and recent events, live
// (no reload) while a task launched by `plateau execute` runs and finishes.
import { expect, test } from "./fixtures";
import { snap } from "./helpers";

test("overview shows the cluster and follows a task launched by plateau execute", async ({ page, cluster }, testInfo) => {
  await page.goto(cluster.url);
  await expect(page.getByRole("heading", { name: "Cluster overview" })).toBeVisible();
  await expect(page.getByTestId("agent-counts")).toContainText("2 connected");
  await expect(page.getByTestId("live-toggle")).toHaveAttribute("data-status", "live");
  // 2 agents × 2 cpus, as given by --agent_resources.
  await expect(page.getByTestId("resource-cpus")).toContainText("4");

  const run = cluster.execute(["--name=e2e-hello", "--command=echo hi from e2e; sleep 6", "--resources=cpus:0.5;mem:64"]);
  await expect(page.getByTestId("task-counts")).toContainText("running", { timeout: 20_000 });
  await expect(page.getByTestId("timeline")).toContainText("e2e-hello");
  // While it runs, its resources show as allocated.
  const allocated = Number(await page.getByTestId("resource-cpus-allocated").textContent());
  expect(allocated).toBeGreaterThanOrEqual(0.5);
  await snap(page, testInfo, "overview-task-running");
  const result = await run;
  expect(result.code).toBe(0);
  await expect(page.getByTestId("timeline")).toContainText("e2e-hello (e2e-hello) is TASK_FINISHED", { timeout: 10_000 });
  // The master samples the cluster every 5 s: the charts appear without a reload.
  await expect(page.getByTestId("charts")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("chart-tasks")).toBeVisible();
  await snap(page, testInfo, "overview-finished");
});

test("overview in the dark theme and at 1280x800", async ({ page, cluster }, testInfo) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(cluster.url);
  await expect(page.getByTestId("agent-counts")).toBeVisible();
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe("rgb(17, 20, 24)");
  // Nothing overflows horizontally at 1280 px.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  await snap(page, testInfo, "overview-dark");
});
