// Dashboard at scale: a real master (`plateau master`, in-memory registry, dashboard on) with N
// simulated agents speaking the real internal protocol (server/testing/sim-agents.ts, in a child
// process) and a framework that launches tasks_per_agent tasks on each through the scheduler API.
// Then, while the simulated agents stream status updates, Chromium (Playwright) measures per page:
//   first rows   — navigation start → first table row in the DOM (server prefetch + SSR + paint)
//   fcp          — the browser's first contentful paint
//   scroll fill  — jump to the middle of the table → every visible row loaded
//   filter       — type a filter → the result count changes
//   live         — kill a visible task through the API → its row shows TASK_KILLED
//   long tasks   — main-thread tasks > 50 ms during 20 s of streaming (count, longest)
//   heap         — JS heap after 20 s of streaming and scrolling (before and after a GC)
// Output: JSON lines on stdout, a table on stderr. Usage:
//   npm run bench:dashboard [-- --agents=10000 --tasks_per_agent=10 --churn=200 --quick]
import { fork, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "@playwright/test";
import { SchedulerClient } from "../server/cli/scheduler-client";
import { freePort } from "../server/testing/ports";
import { SimAgents } from "../server/testing/sim-agents";
import { Resources } from "../server/resources";
import type { SchedulerEvent } from "../server/protocol/scheduler";

const arg = (name: string, dflt: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const quick = process.argv.includes("--quick");
const AGENTS = Number(arg("agents", quick ? "1000" : "10000"));
const PER_AGENT = Number(arg("tasks_per_agent", "10"));
const CHURN = Number(arg("churn", "200"));
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (line: string) => process.stderr.write(`${line}\n`);

// ---- parent ------------------------------------------------------------------------------------

interface Row { page: string; metric: string; value: number; unit: string }
const rows: Row[] = [];
function emit(page: string, metric: string, value: number, unit: string): void {
  const row = { page, metric, value: Math.round(value * 10) / 10, unit };
  rows.push(row);
  process.stdout.write(JSON.stringify({ bench: "dashboard", agents: AGENTS, tasks: AGENTS * PER_AGENT, churn: CHURN, ...row }) + "\n");
}

async function trpc<T>(base: string, p: string, input?: unknown): Promise<T> {
  const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await fetch(`${base}/trpc/${p}${qs}`);
  const body = (await res.json()) as { result: { data: T } };
  return body.result.data;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Launches PER_AGENT small tasks on every offered agent, until `target` are launched. */
async function launchTasks(master: string, target: number): Promise<SchedulerClient> {
  const client = new SchedulerClient(master, { user: "bench", name: "bench-dashboard", roles: ["*"], capabilities: [{ type: "MULTI_ROLE" }, { type: "PARTITION_AWARE" }] }, { keepEvents: false });
  let launched = 0;
  let inFlight = 0;
  const queue: (() => Promise<unknown>)[] = [];
  const pump = () => {
    while (inFlight < 32 && queue.length > 0) {
      inFlight++;
      void queue.shift()!().finally(() => (inFlight--, pump()));
    }
  };
  const per = Resources.parse("cpus:0.1;mem:64");
  client.on("event", (e: SchedulerEvent) => {
    if (e.type !== "OFFERS") return;
    for (const offer of e.offers.offers) {
      const n = Math.min(PER_AGENT, target - launched);
      if (n <= 0) {
        queue.push(() => client.call({ type: "DECLINE", decline: { offer_ids: [offer.id], filters: { refuse_seconds: 3600 } } }));
        continue;
      }
      const resources = per.allocate(offer.allocation_info.role).toArray();
      const tasks = Array.from({ length: n }, (_, k) => {
        const id = `bench-${offer.agent_id.value.slice(-6)}-${launched + k}`;
        return { name: `web-${(launched + k) % 997}`, task_id: { value: id }, agent_id: offer.agent_id, resources, command: { value: "sleep 3600" }, labels: { labels: [{ key: "tier", value: "bench" }] } };
      });
      launched += n;
      queue.push(() => client.call({ type: "ACCEPT", accept: { offer_ids: [offer.id], operations: [{ type: "LAUNCH", launch: { task_infos: tasks } }], filters: { refuse_seconds: 3600 } } }));
    }
    pump();
    if (launched >= target) queue.push(() => client.call({ type: "SUPPRESS", suppress: { roles: [] } }));
  });
  await client.subscribe();
  return client;
}

async function measurePage(base: string, page: Page, route: string, rowSelector: string, filter: string): Promise<void> {
  const name = route.split("?")[0]!;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.addInitScript(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: "longtask", buffered: true });
  });
  const t0 = Date.now();
  await page.goto(`${base}${route}`, { waitUntil: "commit" });
  await page.waitForSelector(rowSelector, { timeout: 60_000 });
  emit(name, "first rows", Date.now() - t0, "ms");
  const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1);
  emit(name, "fcp", fcp, "ms");
  await page.waitForLoadState("load");

  // Jump to the middle of the table; time until no placeholder row is visible.
  const t1 = Date.now();
  await page.evaluate(() => {
    const el = document.querySelector(".vscroll")!;
    el.scrollTop = el.scrollHeight / 2;
  });
  await page.waitForFunction(() => document.querySelectorAll(".vrow").length > 0 && document.querySelectorAll(".vrow.placeholder").length === 0, undefined, { timeout: 30_000 });
  emit(name, "scroll fill (middle)", Date.now() - t1, "ms");

  // Live: kill the first task row on screen through the API; time until the row says so.
  if (name === "/tasks") {
    await page.evaluate(() => (document.querySelector(".vscroll")!.scrollTop = 0));
    const target = await page.waitForSelector('[data-task-id][data-state="TASK_RUNNING"]');
    const taskId = (await target.getAttribute("data-task-id"))!;
    const found = await trpc<{ rows: { id: string; frameworkId: string }[] }>(base, "tasks.list", { text: taskId, limit: 5 });
    const fw = found.rows.find((t) => t.id === taskId)!.frameworkId;
    const t2 = Date.now();
    const shown = page.waitForSelector(`[data-task-id="${taskId}"][data-state="TASK_KILLED"]`, { timeout: 10_000 }).then(() => Date.now() - t2).catch(() => -1);
    await fetch(`${base}/trpc/tasks.kill`, { method: "POST", headers: { "content-type": "application/json", "x-plateau-csrf": "1" }, body: JSON.stringify({ frameworkId: fw, taskId, reason: "bench: live latency" }) });
    emit(name, "live: kill call answered", Date.now() - t2, "ms");
    await until("the kill", async () => (await trpc<{ state: string }>(base, "tasks.detail", { frameworkId: fw, taskId })).state === "TASK_KILLED", 10_000, 50);
    emit(name, "live: master has TASK_KILLED", Date.now() - t2, "ms");
    emit(name, "live: kill → row shows TASK_KILLED", await shown, "ms");
  }

  // Filter: type into the page's filter; time until the result count changes.
  const before = await page.getByTestId("result-count").textContent();
  const t3 = Date.now();
  await page.getByTestId("filter-text").fill(filter);
  await page.waitForFunction((b) => document.querySelector('[data-testid="result-count"]')?.textContent !== b, before, { timeout: 30_000 });
  emit(name, "filter → new count (incl. 250 ms debounce)", Date.now() - t3, "ms");
  await page.getByTestId("filter-text").fill("");

  // Streaming for 20 s while scrolling around: long tasks and heap.
  await page.evaluate(() => ((window as unknown as { __long: number[] }).__long = []));
  for (let i = 0; i < 10; i++) {
    await page.evaluate((f) => {
      const el = document.querySelector(".vscroll")!;
      el.scrollTop = el.scrollHeight * f;
    }, Math.random());
    await page.waitForTimeout(2000);
  }
  const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
  emit(name, "long tasks in 20 s of streaming", long.length, "count");
  emit(name, "longest task while streaming", long.length ? Math.max(...long) : 0, "ms");
  const heap = async () => ((await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0) / 1024 / 1024;
  emit(name, "JS heap after streaming", await heap(), "MB");
  await cdp.send("HeapProfiler.collectGarbage");
  emit(name, "JS heap after GC", await heap(), "MB");
  const nodes = await page.evaluate(() => document.getElementsByTagName("*").length);
  emit(name, "DOM elements", nodes, "count");
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("Build the dashboard first: npm run build");
  let port = await freePort();
  while (port < 10_000) port = await freePort(); // Chromium refuses some low ports (e.g. 5060, 6000)
  const base = `http://127.0.0.1:${port}`;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-bench-dash-"));
  const children: ChildProcess[] = [];
  const cleanup = () => {
    for (const c of children) c.kill("SIGKILL");
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  process.on("exit", cleanup);
  try {
    log(`bench] master on ${base}; ${AGENTS} simulated agents × ${PER_AGENT} tasks; churn ${CHURN} updates/s; ${os.cpus().length} CPUs`);
    const master = spawn(process.execPath, [path.join(ROOT, "bin/plateau.mjs"), "master", `--port=${port}`, "--registry=in_memory", `--work_dir=${workDir}`, "--agent_ping_timeout=60secs", `--max_completed_tasks_per_framework=${AGENTS * PER_AGENT}`], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    children.push(master);
    await until("the master", async () => (await fetch(`${base}/health`)).ok, 60_000);

    const started = Date.now();
    const agents = fork(fileURLToPath(import.meta.url), ["--child=agents", `--master=127.0.0.1:${port}`, `--agents=${AGENTS}`], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] });
    children.push(agents);
    await new Promise<void>((resolve, reject) => {
      agents.once("message", () => resolve());
      agents.once("exit", (code) => reject(new Error(`simulated agents exited (${code})`)));
    });
    emit("setup", "agents registered", (Date.now() - started) / 1000, "s");

    const t0 = Date.now();
    const client = await launchTasks(`127.0.0.1:${port}`, AGENTS * PER_AGENT);
    await until(
      "tasks running",
      async () => ((await trpc<{ tasks: Record<string, number> }>(base, "cluster.overview")).tasks.TASK_RUNNING ?? 0) >= AGENTS * PER_AGENT,
      600_000,
    );
    emit("setup", "tasks launched and running", (Date.now() - t0) / 1000, "s");
    for (const p of ["agents.list", "tasks.list"]) {
      const t = Date.now();
      await trpc(base, p, { offset: 0, limit: 100 });
      emit("server", `${p} first page (100 rows)`, Date.now() - t, "ms");
    }
    agents.send({ churn: CHURN });
    await new Promise((r) => setTimeout(r, 3000));
    for (const [p, input] of [["cluster.master", undefined], ["tasks.list", { offset: 0, limit: 100 }], ["agents.list", { offset: 0, limit: 100 }]] as const) {
      const samples: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = Date.now();
        await trpc(base, p, input);
        samples.push(Date.now() - t);
        await new Promise((r) => setTimeout(r, 200));
      }
      emit("server", `${p} while streaming (median of 10)`, samples.sort((a, b) => a - b)[5]!, "ms");
    }
    // Warm the server (Next.js loads a route's code on its first request); measurements are warm.
    for (const route of ["/agents", "/tasks"]) await fetch(`${base}${route}`).then((r) => r.text());

    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"] });
    try {
      for (const [route, selector, filter] of [
        ["/agents", '[data-testid="agents-table"] [data-agent-id]', "sim-0042"],
        ["/tasks", '[data-testid="tasks-table"] [data-task-id]', "web-99"],
      ] as const) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        await measurePage(base, await context.newPage(), route, selector, filter);
        await context.close();
      }
    } finally {
      await browser.close();
    }
    agents.send({ stop: true });
    client.disconnect();
  } finally {
    cleanup();
  }
  log("\npage      metric                                         value");
  for (const r of rows) log(`${r.page.padEnd(9)} ${r.metric.padEnd(46)} ${String(r.value).padStart(8)} ${r.unit}`);
  process.exit(0);
}

// ---- child: the simulated agents ---------------------------------------------------------------

if (process.argv.includes("--child=agents")) {
  const sim = new SimAgents({ master: arg("master", ""), count: AGENTS, log });
  await sim.start();
  process.send?.({ ready: true });
  process.on("message", (m: { churn?: number; stop?: boolean }) => {
    if (m.churn !== undefined) sim.churn(m.churn);
    if (m.stop) {
      sim.stop();
      process.exit(0);
    }
  });
} else {
  await main();
}
