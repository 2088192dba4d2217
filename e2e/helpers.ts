// Shared helpers for the dashboard specs: typed tRPC reads and waiting for tasks to run.
import type { Page, TestInfo } from "@playwright/test";
import type { Cluster } from "./fixtures";

export interface TaskRowLite {
  id: string;
  name: string;
  frameworkId: string;
  agentId: string;
  state: string;
}

export async function findTask(cluster: Cluster, id: string, state = "TASK_RUNNING", timeoutMs = 30_000): Promise<TaskRowLite> {
  return cluster.until(async () => {
    const page = await cluster.query<{ rows: TaskRowLite[] }>("tasks.list", { text: id, limit: 50 });
    return page.rows.find((t) => t.id === id && t.state === state);
  }, timeoutMs);
}

export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
}

/** Fills the reason and confirms the open confirmation dialog. */
export async function confirmWithReason(page: Page, reason: string): Promise<void> {
  await page.getByTestId("confirm-reason").fill(reason);
  await page.getByTestId("confirm-submit").click();
}
