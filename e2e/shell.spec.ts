// The shell: command palette (find by name, run an action), keyboard navigation, theme, the
// live/paused toggle and the banner with retry countdown when the master is unreachable.
import { expect, test } from "./fixtures";
import { confirmWithReason, findTask, snap } from "./helpers";

test("command palette finds a task by name and kills it; g-keys navigate", async ({ page, cluster }, testInfo) => {
  const run = cluster.execute(["--name=e2e-palette-target", "--command=sleep 300"]);
  await findTask(cluster, "e2e-palette-target");
  await page.goto(cluster.url);
  await page.keyboard.press("Control+k");
  await expect(page.getByTestId("palette")).toBeVisible();
  await page.getByTestId("palette-input").fill("palette-tar");
  await expect(page.getByTestId("palette-item").filter({ hasText: "Kill task e2e-palette-target" })).toBeVisible();
  await snap(page, testInfo, "palette");
  await page.getByTestId("palette-item").filter({ hasText: "Kill task e2e-palette-target" }).click();
  await expect(page.getByTestId("kill-dialog")).toBeVisible();
  await confirmWithReason(page, "e2e: from the palette");
  await findTask(cluster, "e2e-palette-target", "TASK_KILLED");
  await run;
  // Open the task's page from the palette with the keyboard.
  await page.keyboard.press("Control+k");
  await page.getByTestId("palette-input").fill("e2e-palette-target");
  await expect(page.getByTestId("palette-item").first()).toContainText("e2e-palette-target");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/tasks\/e2e-palette-target\?framework=/);
  await expect(page.getByTestId("task-title")).toContainText("killed");
  // g then a letter.
  await page.locator("body").click({ position: { x: 5, y: 700 } });
  await page.keyboard.press("g");
  await page.keyboard.press("a");
  await expect(page).toHaveURL(/\/agents$/);
  await page.keyboard.press("g");
  await page.keyboard.press("e");
  await expect(page).toHaveURL(/\/events$/);
});

test("theme toggle and live/paused toggle", async ({ page, cluster }, testInfo) => {
  await page.goto(cluster.url);
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await snap(page, testInfo, "dark-theme");
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", /./);

  await page.getByTestId("live-toggle").click();
  await expect(page.getByTestId("banner-paused")).toBeVisible();
  await expect(page.getByTestId("live-toggle")).toHaveAttribute("data-status", "paused");
  await page.getByTestId("live-toggle").click();
  await expect(page.getByTestId("live-toggle")).toHaveAttribute("data-status", "live");
});

test("banner with a retry countdown while the master is unreachable, then live again", async ({ page, cluster }, testInfo) => {
  await page.goto(cluster.url);
  await expect(page.getByTestId("live-toggle")).toHaveAttribute("data-status", "live");
  await page.route("**/trpc/**", (route) => route.abort("connectionrefused"));
  // Drop the open stream too: reload-free, by pausing and resuming while requests fail.
  await page.getByTestId("live-toggle").click();
  await page.getByTestId("live-toggle").click();
  const banner = page.getByTestId("banner-down");
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toContainText(/Looking for the leader/);
  await snap(page, testInfo, "banner-unreachable");
  await page.unroute("**/trpc/**");
  await banner.getByRole("button", { name: "Retry now" }).click();
  await expect(page.getByTestId("live-toggle")).toHaveAttribute("data-status", "live", { timeout: 20_000 });
  await expect(banner).toBeHidden();
});
