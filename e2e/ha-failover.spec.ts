// High availability in the browser: two masters contending in ZooKeeper (registry in
// PostgreSQL), the HA page opened on the leader; the leader is SIGKILLed and the open page finds
// the new leader and shows it — same page, no reload (it follows the leader cross-origin).
import { expect, test } from "@playwright/test";
import { freePort } from "./fixtures";
import { snap } from "./helpers";
import { startMasterChild, waitForLeader, type MasterChild } from "../server/testing/ha-cluster";
import { postgresBinDir, startTestPostgres } from "../server/testing/services/postgres";
import { startTestZooKeeper, zooKeeperInstalled } from "../server/testing/services/zookeeper";

test("the HA page follows the new leader after a failover, without a reload", async ({ page }, testInfo) => {
  test.skip(!zooKeeperInstalled() || postgresBinDir() === null, "needs Debian's zookeeper and postgresql packages (npm test installs them)");
  test.setTimeout(150_000);
  const [zk, pg] = await Promise.all([startTestZooKeeper(), startTestPostgres()]);
  const masters: MasterChild[] = [];
  try {
    await pg.createDatabase("e2e_ha");
    for (const name of ["a", "b"]) {
      masters.push(await startMasterChild({ name, port: await freePort(), zk: zk.url("/e2e_ha"), registry: pg.url("e2e_ha"), zkSessionTimeoutMs: 2000, extra: ["--dashboard"] }));
    }
    const leader = await waitForLeader(masters, 60_000);
    const standby = masters.find((m) => m !== leader)!;
    await expect.poll(async () => (await fetch(`http://${leader.address}/ha`).catch(() => null))?.status, { timeout: 60_000 }).toBe(200);

    await page.goto(`http://${leader.address}/ha`);
    await expect(page.getByTestId("leader-address")).toContainText(leader.address);
    await expect(page.getByTestId("masters-table").locator("tbody tr")).toHaveCount(2);
    await expect(page.getByTestId("live-toggle")).toHaveAttribute("data-status", "live");
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await page.waitForTimeout(1500); // the page has learnt the other master's address
    await snap(page, testInfo, "ha-before-failover");

    leader.signal("SIGKILL");
    await expect(page.getByTestId("leader-address")).toContainText(standby.address, { timeout: 60_000 });
    await expect(page.getByTestId("banner-following")).toContainText(standby.address);
    await expect(page.getByTestId("elections-table").locator("tbody tr")).toHaveCount(2);
    await expect(page.getByTestId("live-toggle")).toHaveAttribute("data-status", "live");
    // Same document: the page was not reloaded, and its URL is still the old leader's.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(page.url()).toBe(`http://${leader.address}/ha`);
    await snap(page, testInfo, "ha-after-failover");
  } finally {
    for (const m of masters) await m.stop().catch(() => {});
    await zk.stop();
    await pg.stop();
  }
});
