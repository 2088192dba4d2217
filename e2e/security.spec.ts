// Issue #9 in the browser.
// 1. XSS: hostile framework/task/label/agent-host names, `webui_url: javascript:…`, and log lines
//    with HTML and ANSI codes are rendered on every page that shows them, with zero script
//    executions, no javascript: links and no Content-Security-Policy violations (nothing was
//    injected as markup in the first place).
// 2. A master with --credentials: the dashboard asks for a login, the session cookie is HttpOnly
//    and SameSite=Strict (invisible to scripts), the header shows who is signed in, sign-out ends
//    the session; the CSP is served with a nonce and the page runs without violations.
// 3. --insecure on a non-loopback address: a banner on every page.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { expect, freePort, test } from "./fixtures";
import { SchedulerClient } from "../server/cli/scheduler-client";
import { Resources } from "../server/resources";
import { snap } from "./helpers";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin", "plateau.mjs");

/** Counts calls of window.xss(n) and CSP violations on every page the test opens. */
async function watch(page: Page): Promise<{ hits: number[]; violations: () => Promise<string[]>; errors: string[] }> {
  const hits: number[] = [];
  const errors: string[] = [];
  await page.exposeFunction("xss", (n: number) => hits.push(n));
  await page.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
  });
  page.on("dialog", (d) => {
    hits.push(-1);
    void d.dismiss();
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { hits, errors, violations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp) };
}

const HOSTILE = {
  framework: `<script>xss(1)</script><img src=x onerror="xss(2)">`,
  task: `<img src=x onerror="xss(3)">"'><svg onload=xss(4)>`,
  labelKey: `<iframe src="javascript:xss(5)">`,
  labelValue: `"><script>xss(6)</script>`,
  host: `<img src=y onerror=xss(7)>`,
};

test("hostile names, labels, hosts, webui_url and log lines never execute", async ({ page, cluster }, testInfo) => {
  const w = await watch(page);
  // An agent whose hostname is markup.
  const agentDir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-e2e-xss-"));
  const agent = spawn(process.execPath, [BIN, "agent", `--master=${cluster.master}`, "--ip=127.0.0.1", `--port=${await freePort()}`, `--work_dir=${agentDir}`, `--hostname=${HOSTILE.host}`, "--resources=cpus:1;mem:512;disk:512;ports:[32000-32010]", "--exit_on_stdin_eof", "--attributes=rack:<b>r1</b>"], { stdio: ["pipe", "ignore", "ignore"] });
  const client = new SchedulerClient(cluster.master, {
    user: os.userInfo().username,
    name: HOSTILE.framework,
    webui_url: "javascript:xss(8)//",
    labels: { labels: [{ key: HOSTILE.labelKey, value: HOSTILE.labelValue }] },
  } as never);
  try {
    await client.subscribe();
    // Launch on the hostile agent.
    const offer = await new Promise<{ id: { value: string }; agent_id: { value: string }; hostname: string; allocation_info: { role: string } }>((resolve) => {
      const check = () => {
        for (const e of client.received) {
          if (e.type !== "OFFERS") continue;
          const o = e.offers.offers.find((x) => x.hostname === HOSTILE.host);
          if (o) return resolve(o as never);
        }
        setTimeout(check, 200);
      };
      check();
    });
    const command = `printf '%s\\n' '<script>xss(9)</script>' '<img src=z onerror=xss(10)>'; printf '\\033[31mred <b>bold</b>\\033[0m \\033]8;;javascript:xss(11)\\033\\\\link\\033]8;;\\033\\\\\\n'; sleep 300`;
    await client.mustCall({
      type: "ACCEPT",
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: "LAUNCH", launch: { task_infos: [{
          name: HOSTILE.task, task_id: { value: "xss-task" }, agent_id: offer.agent_id,
          resources: Resources.parse("cpus:0.1;mem:32").allocate(offer.allocation_info.role).toArray(),
          command: { value: command }, labels: { labels: [{ key: HOSTILE.labelKey, value: HOSTILE.labelValue }] },
        }] } }],
      },
    });
    const fw = client.frameworkId!;
    await cluster.until(async () => (await cluster.query<{ state: string } | null>("tasks.detail", { frameworkId: fw, taskId: "xss-task" }))?.state === "TASK_RUNNING");

    const pages: [string, string][] = [
      ["/", "overview"],
      ["/frameworks", "frameworks"],
      [`/frameworks/${encodeURIComponent(fw)}`, "framework"],
      ["/tasks", "tasks"],
      [`/tasks/xss-task?framework=${encodeURIComponent(fw)}`, "task"],
      ["/agents", "agents"],
      [`/agents/${encodeURIComponent(offer.agent_id.value)}`, "agent"],
      ["/events", "events"],
      [`/tasks/xss-task/sandbox?framework=${encodeURIComponent(fw)}&path=stdout`, "stdout"],
    ];
    for (const [p, name] of pages) {
      await page.goto(`${cluster.url}${p}`);
      await page.waitForLoadState("networkidle").catch(() => {});
      await page.waitForTimeout(500);
      await snap(page, testInfo, `xss-${name}`);
      expect(await page.locator('a[href^="javascript:" i], iframe, [src^="javascript:" i]').count(), `${p}: javascript: URLs`).toBe(0);
      expect(await page.locator("script:not([src]):not([nonce])").count(), `${p}: inline scripts without a nonce`).toBe(0);
    }
    // The hostile strings were shown as text somewhere (they did reach the pages).
    await page.goto(`${cluster.url}/frameworks/${encodeURIComponent(fw)}`);
    await expect(page.getByText(HOSTILE.framework).first()).toBeVisible();
    await page.goto(`${cluster.url}/tasks/xss-task/sandbox?framework=${encodeURIComponent(fw)}&path=stdout`);
    await expect(page.getByText("<script>xss(9)</script>").first()).toBeVisible();

    expect(w.hits, "script executions").toEqual([]);
    expect(await w.violations(), "CSP violations").toEqual([]);
    expect(w.errors).toEqual([]);
  } finally {
    await client.call({ type: "TEARDOWN" }).catch(() => {});
    client.disconnect();
    agent.stdin!.end();
    await new Promise((r) => agent.once("exit", r));
    fs.rmSync(agentDir, { recursive: true, force: true });
  }
});

async function startMaster(args: string[]): Promise<{ url: string; child: ChildProcess; output: string[]; stop(): Promise<void> }> {
  const port = await freePort();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-e2e-sec-"));
  const output: string[] = [];
  const child = spawn(process.execPath, [BIN, "master", `--port=${port}`, `--work_dir=${workDir}`, "--registry=in_memory", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (c: Buffer) => output.push(...c.toString().split("\n")));
  child.stderr!.on("data", (c: Buffer) => output.push(...c.toString().split("\n")));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`${url}/health`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`master did not start: ${output.join("\n")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url, child, output,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

test("login, HttpOnly SameSite=Strict session, sign-out; CSP without violations", async ({ page, context }, testInfo) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-e2e-creds-"));
  fs.writeFileSync(path.join(dir, "credentials.json"), JSON.stringify({ credentials: [{ principal: "ops", secret: "correct horse" }, { principal: "viewer", secret: "battery staple" }] }));
  fs.writeFileSync(path.join(dir, "acls.json"), JSON.stringify({ update_weights: [{ principals: { values: ["ops"] }, roles: { type: "ANY" } }, { principals: { type: "ANY" }, roles: { type: "NONE" } }] }));
  const master = await startMaster([`--credentials=${path.join(dir, "credentials.json")}`, `--acls=${path.join(dir, "acls.json")}`]);
  const w = await watch(page);
  try {
    const first = await page.goto(`${master.url}/roles`);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(first?.headers()["content-security-policy"]).toContain("default-src 'none'");
    await page.getByLabel("Principal").fill("viewer");
    await page.getByLabel("Secret").fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText("Invalid principal or secret");
    await page.getByLabel("Principal").fill("viewer");
    await page.getByLabel("Secret").fill("battery staple");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/roles$/);
    await expect(page.getByTestId("principal")).toHaveText("viewer");
    const response = await page.goto(`${master.url}/roles`);
    const csp = response!.headers()["content-security-policy"]!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(csp).not.toContain("unsafe-inline'; script");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response!.headers()["x-frame-options"]).toBe("DENY");
    expect(response!.headers()["x-content-type-options"]).toBe("nosniff");
    await expect(page.getByTestId("principal")).toHaveText("viewer");
    const cookie = (await context.cookies()).find((c) => c.name === "plateau_session")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect(await page.evaluate(() => document.cookie)).not.toContain("plateau_session");
    // The theme script (inline, with the nonce) ran: the page has its theme attribute logic intact and no violations.
    await snap(page, testInfo, "signed-in");
    // A tRPC mutation as the viewer is refused by the ACL (the backend decides, whatever the page shows).
    const refused = await page.evaluate(async () => {
      const r = await fetch("/trpc/roles.updateWeights", { method: "POST", headers: { "Content-Type": "application/json", "x-plateau-csrf": "1" }, body: JSON.stringify({ reason: "try it", weights: [{ role: "eng", weight: 2 }] }) });
      return r.status;
    });
    expect(refused).toBe(403);
    // The refusal is in the timeline (who, what, result) and in the export.
    await page.goto(`${master.url}/events`);
    await expect(page.getByTestId("events")).toContainText("denied");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("events-export").click()]);
    const exported = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as { entries: { action: string; principal: string; result: string; time: number }[] };
    expect(exported.entries).toContainEqual(expect.objectContaining({ action: "UPDATE_WEIGHTS", principal: "viewer", result: "error", time: expect.any(Number) }));
    await page.getByTestId("logout").click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto(`${master.url}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(w.hits).toEqual([]);
    expect(await w.violations()).toEqual([]);
    expect(w.errors).toEqual([]);
  } finally {
    await master.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("--insecure on a non-loopback address: loud in the log and on every page", async ({ page }) => {
  const master = await startMaster(["--ip=0.0.0.0", "--insecure"]);
  try {
    expect(master.output.some((l) => l.includes("INSECURE"))).toBe(true);
    for (const p of ["/", "/tasks", "/roles"]) {
      await page.goto(`${master.url}${p}`);
      await expect(page.getByTestId("insecure-banner")).toBeVisible();
    }
  } finally {
    await master.stop();
  }
});

test("controls the ACLs do not allow are hidden (the backend refuses them anyway)", async ({ page }, testInfo) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-e2e-acl-"));
  const file = (name: string, content: string) => {
    fs.writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  };
  const creds = file("credentials.json", JSON.stringify({ credentials: [{ principal: "ops", secret: "ops-secret" }, { principal: "viewer", secret: "viewer-secret" }, { principal: "agent", secret: "agent-secret" }, { principal: "fw", secret: "fw-secret" }] }));
  const none = { principals: { type: "ANY" }, roles: { type: "NONE" } };
  const acls = file("acls.json", JSON.stringify({
    kill_tasks: [{ principals: { values: ["ops"] }, users: { type: "ANY" } }, { principals: { type: "ANY" }, users: { type: "NONE" } }],
    teardown_frameworks: [{ principals: { values: ["ops"] }, framework_principals: { type: "ANY" } }, { principals: { type: "ANY" }, framework_principals: { type: "NONE" } }],
    update_weights: [{ principals: { values: ["ops"] }, roles: { type: "ANY" } }, none],
    update_quotas: [{ principals: { values: ["ops"] }, roles: { type: "ANY" } }, none],
  }));
  const master = await startMaster([`--credentials=${creds}`, `--acls=${acls}`]);
  const agentDir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-e2e-acl-agent-"));
  const agent = spawn(process.execPath, [BIN, "agent", `--master=${new URL(master.url).host}`, "--ip=127.0.0.1", `--port=${await freePort()}`, `--work_dir=${agentDir}`, `--credential=${file("agent.cred", "agent agent-secret")}`, "--resources=cpus:1;mem:512;disk:512;ports:[32000-32010]", "--exit_on_stdin_eof"], { stdio: ["pipe", "ignore", "ignore"] });
  const execOut: string[] = [];
  const exec = spawn(process.execPath, [BIN, "execute", `--master=${new URL(master.url).host}`, "--name=acl-task", "--command=sleep 300", "--principal=fw", `--secret=${file("fw.secret", "fw-secret")}`], { stdio: ["ignore", "pipe", "pipe"] });
  exec.stdout!.on("data", (c: Buffer) => execOut.push(c.toString()));
  exec.stderr!.on("data", (c: Buffer) => execOut.push(c.toString()));
  const basicOps = { Authorization: `Basic ${Buffer.from("ops:ops-secret").toString("base64")}` };
  const signIn = async (principal: string, secret: string, next: string) => {
    await page.goto(`${master.url}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel("Principal").fill(principal);
    await page.getByLabel("Secret").fill(secret);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("principal")).toHaveText(principal);
  };
  try {
    // The task runs (through the credentialed agent and framework) before we look.
    const deadline = Date.now() + 45_000;
    for (;;) {
      const tasks = (await (await fetch(`${master.url}/master/tasks`, { headers: basicOps })).json()) as { tasks: { id: string; state: string }[] };
      if (tasks.tasks.some((t) => t.id === "acl-task" && t.state === "TASK_RUNNING")) break;
      if (Date.now() > deadline) throw new Error(`acl-task did not start: ${execOut.join("")}\n${master.output.slice(-20).join("\n")}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    await signIn("viewer", "viewer-secret", "/tasks");
    await expect(page.locator('[data-testid="row-select"], [data-testid="row-kill"]')).toHaveCount(0);
    await expect(page.getByText("acl-task").first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("row-kill")).toHaveCount(0);
    await page.getByText("acl-task").first().click();
    await expect(page.getByTestId("task-title")).toBeVisible();
    await expect(page.getByTestId("kill-task")).toHaveCount(0);
    await page.goto(`${master.url}/roles`);
    await expect(page.getByTestId("roles-table")).toContainText("*");
    await expect(page.getByTestId("edit-weight")).toHaveCount(0);
    await snap(page, testInfo, "viewer-controls-hidden");

    await page.getByTestId("logout").click();
    await signIn("ops", "ops-secret", "/tasks");
    await expect(page.getByTestId("row-kill").first()).toBeVisible({ timeout: 30_000 });
    // Live updates reach a signed-in page (the SSE stream carries the session): a new task appears without a reload.
    const exec2 = spawn(process.execPath, [BIN, "execute", `--master=${new URL(master.url).host}`, "--name=acl-live", "--command=sleep 300", "--principal=fw", `--secret=${path.join(dir, "fw.secret")}`], { stdio: "ignore" });
    try {
      await expect(page.getByText("acl-live").first()).toBeVisible({ timeout: 45_000 });
    } finally {
      exec2.kill("SIGTERM");
    }
    await page.goto(`${master.url}/roles`);
    await expect(page.getByTestId("edit-weight").first()).toBeVisible();
  } finally {
    exec.kill("SIGTERM");
    agent.stdin!.end();
    await new Promise((r) => agent.once("exit", r));
    await master.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(agentDir, { recursive: true, force: true });
  }
});
