// A task's sandbox through the master's files proxy: browse, follow stdout as it grows (streamed,
// no polling by the page), pause while scrolled up, search, jump to the head, and a permalink to
// an exact byte range. Log contents are text, never HTML.
import { expect, test } from "./fixtures";
import { findTask, snap } from "./helpers";

test("sandbox: browse, follow a growing log, search, permalink to a byte range", async ({ page, cluster }, testInfo) => {
  const run = cluster.execute(["--name=e2e-log", `--command=for i in $(seq 1 400); do echo "line $i <b>not bold</b>"; sleep 0.1; done; sleep 300`]);
  const task = await findTask(cluster, "e2e-log");
  const fw = encodeURIComponent(task.frameworkId);
  await page.goto(`${cluster.url}/tasks/e2e-log?framework=${fw}`);
  await page.getByTestId("sandbox-link").click();
  const files = page.getByTestId("sandbox-files");
  await expect(files.locator('tr[data-file="stdout"]')).toBeVisible();
  await expect(files.locator('tr[data-file="stderr"]')).toBeVisible();
  await snap(page, testInfo, "sandbox-files");
  await files.locator('tr[data-file="stdout"] a').first().click();

  const viewer = page.getByTestId("log-viewer");
  const lines = page.getByTestId("log-lines");
  await expect(viewer).toHaveAttribute("data-mode", "follow");
  await expect(lines).toContainText("line 3 <b>not bold</b>");
  // The log grows on screen without reloading or polling from the page.
  await expect(lines).toContainText("line 60", { timeout: 20_000 });
  expect(await lines.locator("b").count()).toBe(0);
  await snap(page, testInfo, "log-following");

  // Scrolling up pauses the follow; the view stays where the reader is.
  await lines.evaluate((el) => (el.scrollTop = 0));
  await expect(viewer).toHaveAttribute("data-mode", "paused");
  // Search with next/previous.
  await page.getByTestId("log-search").fill("line 1 ");
  await page.getByTestId("log-next").click();
  await expect(page.getByTestId("log-matches")).toHaveText("1/1");
  await expect(lines.locator(".ll.hit")).toContainText("line 1 <b>not bold</b>");

  // Select line 2 and line 3 (shift-click) and open the permalink: exactly those bytes.
  await lines.locator(".ll").nth(1).locator(".ln").click();
  await lines.locator(".ll").nth(2).locator(".ln").click({ modifiers: ["Shift"] });
  await page.getByTestId("log-permalink").click();
  await expect(page).toHaveURL(/offset=\d+&length=\d+/);
  const link = page.url();
  const length = Number(new URL(link).searchParams.get("length"));
  expect(length).toBe("line 2 <b>not bold</b>\n".length + "line 3 <b>not bold</b>\n".length);
  await page.goto(link);
  await expect(viewer).toHaveAttribute("data-mode", "static");
  await expect(lines.locator(".ll")).toHaveCount(2);
  await expect(lines).toContainText("line 2 <b>not bold</b>");
  await expect(lines).toContainText("line 3 <b>not bold</b>");
  await expect(lines.locator(".ll.sel")).toHaveCount(2);
  await snap(page, testInfo, "log-permalink");
  // Head, then tail & follow again.
  await page.getByTestId("log-head").click();
  await expect(lines.locator(".ll").first()).toContainText("line 1 <b>not bold</b>");
  await page.getByTestId("log-tail").click();
  await expect(viewer).toHaveAttribute("data-mode", "follow");

  await fetch(`${cluster.url}/trpc/tasks.kill`, { method: "POST", headers: { "content-type": "application/json", "x-plateau-csrf": "1" }, body: JSON.stringify({ frameworkId: task.frameworkId, taskId: "e2e-log", reason: "e2e: clean up" }) });
  await run;
});
