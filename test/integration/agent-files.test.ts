// Sandbox files: /files/browse|read|download and v1 LIST_FILES / READ_FILE on the agent and
// through the master's proxy (/agents/<agent_id>/…). Every path must stay inside a sandbox:
// a traversal set (dot segments, encoded and double-encoded, absolute paths, sibling-prefix
// directories, symlink escapes, NUL, backslash) is thrown at every endpoint, with canary files
// outside the sandbox whose content must never come back. Also: sandbox GC after --gc_delay.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SchedulerClient } from "../../server/cli/scheduler-client";
import { startTestAgent, startTestMaster, tempDir, waitForAgents, waitUntil, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { autoAcknowledge, commandTask, isUpdateFor, launch, newScheduler, nextOffer } from "./helpers";

const CANARY = `CANARY-${Math.random().toString(36).slice(2)}`;
let master: TestMaster;
let agent: TestAgent;
let client: SchedulerClient;
let canaryDir: string;
let agentId: string;
let sandbox: string; // the real path of the task's sandbox
let virtual: string; // /frameworks/<fw>/executors/<ex>/runs/latest

beforeAll(async () => {
  canaryDir = tempDir("canary");
  fs.writeFileSync(path.join(canaryDir, "canary.txt"), CANARY);
  master = await startTestMaster();
  agent = await startTestAgent(master.address, { extra: ["--gc_delay=1secs", "--disk_watch_interval=100ms"] });
  fs.writeFileSync(path.join(agent.workDir, "canary.txt"), CANARY);
  await waitForAgents(master, 1);
  client = newScheduler(master.address, { name: "files", checkpoint: true });
  autoAcknowledge(client);
  await client.subscribe();
  const offer = await nextOffer(client);
  agentId = offer.agent_id.value;
  const script = `echo hello > hello.txt; printf '0123456789' > digits.txt; mkdir sub; echo nested > sub/n.txt; ln -s ${canaryDir}/canary.txt escape; ln -s .. up; ln -s sub/n.txt inside; sleep 600`;
  await launch(client, offer, [commandTask(offer, "box", script)]);
  await client.waitFor(isUpdateFor("box", "TASK_RUNNING"), 15_000, true);
  const state = (await (await fetch(`http://127.0.0.1:${agent.port}/state`)).json()) as { frameworks: { id: string; executors: { id: string; directory: string }[] }[] };
  sandbox = state.frameworks[0]!.executors.find((e) => e.id === "box")!.directory;
  virtual = `/frameworks/${client.frameworkId}/executors/box/runs/latest`;
  await waitUntil(() => fs.existsSync(path.join(sandbox, "inside")), 5000, "sandbox files");
  // A sibling directory whose name extends the sandbox's, with a canary in it.
  fs.mkdirSync(`${sandbox}-x`);
  fs.writeFileSync(`${sandbox}-x/canary.txt`, CANARY);
});

afterAll(async () => {
  await client?.call({ type: "TEARDOWN" }).catch(() => {});
  client?.disconnect();
  fs.rmSync(`${sandbox}-x`, { recursive: true, force: true });
  await agent?.stop({ killTasks: true });
  await master?.stop();
  fs.rmSync(canaryDir, { recursive: true, force: true });
});

const enc = (p: string) => encodeURIComponent(p);

/** Raw query values (already percent-encoded as sent), for a sandbox base `v` and real base `r`. */
function attacks(v: string, r: string, work: string): string[] {
  const canary = `${canaryDir}/canary.txt`;
  return [
    enc(`${v}/../../../../../../../../..${canary}`), // dot segments
    enc(v) + "%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E" + enc(canary), // encoded once (decoded by HTTP)
    enc(v) + "%252F%252E%252E%252F%252E%252E" + enc(canary), // double-encoded
    enc(`${v}/%2e%2e/%2e%2e/%2e%2e/canary.txt`), // encoded dots that survive one decoding
    enc(canary), // absolute path outside any sandbox
    enc("/etc/passwd"),
    enc(`${work}/canary.txt`), // inside the work_dir, outside sandboxes
    enc(`${r}-x/canary.txt`), // sibling directory sharing the sandbox's name as prefix
    enc(`${r}/../${path.basename(r)}-x/canary.txt`),
    enc(`${v}/escape`), // symlink out of the sandbox
    enc(`${v}/up`), // symlink to the sandbox's parent
    enc(`${v}/up/${path.basename(r)}-x/canary.txt`),
    enc(`${v}/hello.txt`) + "%00.png", // NUL
    enc(`${v}\\..\\..\\..\\canary.txt`), // backslashes
    enc(`frameworks/${v.split("/")[2]}/executors/box/runs/latest/hello.txt`), // relative
    enc(`${v}/hello.txt/../../../../canary.txt`),
  ];
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

async function v1(base: string, body: unknown): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}/api/v1`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.text() };
}

describe("sandbox files on the agent and through the master", () => {
  it("serves the sandbox: browse, read (offset -1 = size, offset/length), download, v1 calls", async () => {
    const agentBase = `http://127.0.0.1:${agent.port}`;
    const masterBase = `http://${master.address}`;
    for (const [base, prefix, p] of [[agentBase, "", virtual], [agentBase, "", sandbox], [masterBase, `/agents/${agentId}`, virtual], [masterBase, `/agents/${agentId}`, sandbox]] as const) {
      const dir = prefix + p;
      const listing = JSON.parse((await get(`${base}/files/browse?path=${enc(dir)}`)).body) as { path: string; mode: string; size: number }[];
      expect(listing.map((e) => path.posix.basename(e.path))).toEqual(expect.arrayContaining(["digits.txt", "escape", "hello.txt", "inside", "stderr", "stdout", "sub", "up"]));
      expect(listing.find((e) => e.path.endsWith("/sub"))!.mode).toMatch(/^d/);
      expect(listing.find((e) => e.path.endsWith("/escape"))!.mode).toMatch(/^l/); // the link itself, never its target
      expect(JSON.parse((await get(`${base}/files/read?path=${enc(`${dir}/digits.txt`)}&offset=-1`)).body)).toEqual({ offset: 10, data: "" });
      expect(JSON.parse((await get(`${base}/files/read?path=${enc(`${dir}/digits.txt`)}&offset=3&length=4`)).body)).toEqual({ offset: 3, data: "3456" });
      expect(JSON.parse((await get(`${base}/files/read?path=${enc(`${dir}/inside`)}&offset=0`)).body)).toEqual({ offset: 0, data: "nested\n" });
      const download = await fetch(`${base}/files/download?path=${enc(`${dir}/hello.txt`)}`);
      expect([download.status, download.headers.get("content-disposition"), await download.text()]).toEqual([200, "attachment; filename=hello.txt", "hello\n"]);
      expect((await get(`${base}/files/download?path=${enc(`${dir}/sub`)}`)).status).toBe(400);
      expect((await get(`${base}/files/read?path=${enc(`${dir}/sub`)}&offset=0`)).status).toBe(400);
      expect((await get(`${base}/files/read?path=${enc(`${dir}/nope.txt`)}&offset=0`)).status).toBe(404);
      const listed = JSON.parse((await v1(base, { type: "LIST_FILES", list_files: { path: `${dir}/sub` } })).body);
      expect(listed.list_files.file_infos.map((f: { path: string }) => f.path)).toEqual([`${dir}/sub/n.txt`]);
      const read = JSON.parse((await v1(base, { type: "READ_FILE", read_file: { path: `${dir}/hello.txt`, offset: 0 } })).body);
      expect([read.read_file.size, Buffer.from(read.read_file.data, "base64").toString()]).toEqual([6, "hello\n"]);
    }
  });

  it("refuses every traversal attempt on every endpoint, agent and master, with a 4xx and never the canary", async () => {
    const agentBase = `http://127.0.0.1:${agent.port}`;
    const masterBase = `http://${master.address}`;
    const targets = [
      { base: agentBase, paths: attacks(virtual, sandbox, agent.workDir) },
      { base: masterBase, paths: attacks(`/agents/${agentId}${virtual}`, `/agents/${agentId}${sandbox}`, `/agents/${agentId}${agent.workDir}`) },
      { base: masterBase, paths: [enc(`/agents/${agentId}/../../../..${canaryDir}/canary.txt`), enc(`/agents/..%2f..%2f..${canaryDir}/canary.txt`), enc(`/agents/${agentId}`), enc(`/agents/not-an-agent${virtual}/hello.txt`)] },
    ];
    let checked = 0;
    for (const { base, paths } of targets) {
      for (const raw of paths) {
        for (const endpoint of ["browse", "read", "download"]) {
          const r = await get(`${base}/files/${endpoint}?path=${raw}${endpoint === "read" ? "&offset=0" : ""}`);
          expect(r.status, `${base}/files/${endpoint}?path=${raw} → ${r.status} ${r.body}`).toBeGreaterThanOrEqual(400);
          expect(r.status, raw).toBeLessThan(500);
          expect(r.body).not.toContain(CANARY);
          checked++;
        }
        const decoded = decodeURIComponent(raw);
        for (const call of [{ type: "LIST_FILES", list_files: { path: decoded } }, { type: "READ_FILE", read_file: { path: decoded, offset: 0 } }]) {
          const r = await v1(base, call);
          expect(r.status, `${base} ${call.type} ${decoded} → ${r.status} ${r.body}`).toBeGreaterThanOrEqual(400);
          expect(r.status, decoded).toBeLessThan(500);
          expect(r.body).not.toContain(CANARY);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it("garbage-collects a finished task's sandbox after --gc_delay", async () => {
    const offer = await nextOffer(client);
    await launch(client, offer, [commandTask(offer, "brief", "echo bye")]);
    await client.waitFor(isUpdateFor("brief", "TASK_FINISHED"), 15_000, true);
    const runs = path.join(agent.workDir, "slaves", agentId, "frameworks", client.frameworkId!, "executors", "brief", "runs");
    const dir = await waitUntil(() => fs.readdirSync(runs).find((n) => n !== "latest"), 5000, "brief's sandbox");
    const read = () => get(`http://127.0.0.1:${agent.port}/files/read?path=${enc(`/frameworks/${client.frameworkId}/executors/brief/runs/latest/stdout`)}&offset=0`);
    expect(JSON.parse((await read()).body)).toEqual({ offset: 0, data: "bye\n" });
    await waitUntil(() => !fs.existsSync(path.join(runs, dir)), 10_000, "sandbox removed by GC");
    expect((await read()).status).toBe(404);
    expect(fs.existsSync(sandbox)).toBe(true); // the running task's sandbox stays
  });
});
