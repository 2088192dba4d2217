// Isolation through the public scheduler API, on a real agent process: cgroups limits (cpu
// shares, CFS quota, memory), OOM → TASK_FAILED / REASON_CONTAINER_LIMITATION_MEMORY without
// touching a neighbour, the whole process tree (a double-forked daemon included) in the cgroup
// and killed, disk quota, pid namespace, posix mode, /monitor/statistics.
// Needs root and writable cgroups (v1 or v2): skipped, saying why, on hosts without them.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultCgroupsRoot, detectCgroups } from "../../server/agent/containerizer/isolators";
import type { Cgroups } from "../../server/agent/containerizer/cgroups";
import type { SchedulerClient } from "../../server/cli/scheduler-client";
import type { Offer } from "../../server/protocol/mesos";
import type { SchedulerEvent } from "../../server/protocol/scheduler";
import { Resources } from "../../server/resources";
import { startTestAgent, startTestMaster, waitForAgents, waitUntil, tempDir, type TestAgent, type TestMaster } from "../../server/testing/cluster";
import { autoAcknowledge, commandTask, isUpdateFor, launch, newScheduler, nextOffer } from "./helpers";

const probeDir = tempDir("cgprobe");
const probe = detectCgroups("/sys/fs/cgroup", defaultCgroupsRoot(probeDir), { enableCfs: false, limitSwap: false });
if ("cgroups" in probe) probe.cgroups.removeRootIfEmpty();
fs.rmSync(probeDir, { recursive: true, force: true });
const noCgroups = "reason" in probe ? probe.reason : undefined;
if (noCgroups !== undefined) console.warn(`SKIPPED cgroups isolation tests: ${noCgroups}`);

let master: TestMaster;
let agent: TestAgent;
let client: SchedulerClient;

type AgentState = { isolation: Record<string, unknown>; frameworks: { executors: { id: string; container: string; directory: string }[] }[] };
const agentState = async (a: TestAgent) => (await (await fetch(`http://127.0.0.1:${a.port}/state`)).json()) as AgentState;

function cgroupsOf(a: TestAgent): Cgroups {
  const found = detectCgroups("/sys/fs/cgroup", defaultCgroupsRoot(a.workDir), { enableCfs: true, limitSwap: false });
  if (!("cgroups" in found)) throw new Error(found.reason);
  return found.cgroups;
}

/** The next offer holding at least `resources` (other offers are left alone). */
async function offerWith(c: SchedulerClient, resources: string): Promise<Offer> {
  const want = Resources.parse(resources);
  const fits = (e: SchedulerEvent) => e.type === "OFFERS" && e.offers.offers.some((o) => Resources.from(o.resources).unallocate().contains(want));
  const event = await c.waitFor(fits, 15_000, true);
  c.received.splice(c.received.indexOf(event), 1);
  return (event as Extract<SchedulerEvent, { type: "OFFERS" }>).offers.offers.find((o) => Resources.from(o.resources).unallocate().contains(want))!;
}

async function sandboxOf(a: TestAgent, executorId: string): Promise<string> {
  return waitUntil(async () => (await agentState(a)).frameworks.flatMap((f) => f.executors).find((e) => e.id === executorId)?.directory, 10_000, `sandbox of ${executorId}`);
}

async function containerOf(a: TestAgent, executorId: string): Promise<string> {
  return waitUntil(async () => (await agentState(a)).frameworks.flatMap((f) => f.executors).find((e) => e.id === executorId)?.container, 10_000, `container of ${executorId}`);
}

describe.skipIf(noCgroups !== undefined)("agent isolation with cgroups (needs root and writable cgroups)", () => {
  beforeAll(async () => {
    master = await startTestMaster();
    agent = await startTestAgent(master.address, { extra: ["--cgroups_enable_cfs", "--enforce_container_disk_quota", "--container_disk_watch_interval=200ms"] });
    await waitForAgents(master, 1);
    client = newScheduler(master.address, { name: "isolation", checkpoint: true });
    autoAcknowledge(client);
    await client.subscribe();
  });

  afterAll(async () => {
    await client?.call({ type: "TEARDOWN" }).catch(() => {});
    client?.disconnect();
    await agent?.stop({ killTasks: true });
    await master?.stop();
  });

  it("says which isolation is in force (log and /state)", async () => {
    expect(agent.output.join("\n")).toMatch(/Using isolation cgroups\/cpu,cgroups\/mem,cgroups\/pids,disk\/du \(cgroups v[12] under plateau\/[0-9a-f]{12}: cpu\/memory limits ENFORCED/);
    expect((await agentState(agent)).isolation).toMatchObject({ mode: "cgroups", enforcing: true, cgroups_root: defaultCgroupsRoot(agent.workDir) });
  });

  it("fails a task exceeding its memory (ask 64 MB, allocate 128 MB) within 1 s, leaving its neighbour running", async () => {
    const offer = await offerWith(client, "cpus:0.2;mem:128");
    // Records when it starts allocating (ms since the epoch), then allocates 128 MB.
    const hog = `exec ${process.execPath} -e "require('fs').writeFileSync('t0', String(Date.now())); const b = Buffer.alloc(128 * 1024 * 1024, 1); setTimeout(() => {}, 60000)"`;
    await launch(client, offer, [commandTask(offer, "neighbour", "sleep 600", "cpus:0.1;mem:64"), commandTask(offer, "hog", hog, "cpus:0.1;mem:64")]);
    await client.waitFor(isUpdateFor("hog", "TASK_RUNNING"), 15_000, true);
    const sandbox = await sandboxOf(agent, "hog");
    const failed = await client.waitFor(isUpdateFor("hog", "TASK_FAILED"), 10_000, true);
    expect(failed.update.status).toMatchObject({ source: "SOURCE_AGENT", reason: "REASON_CONTAINER_LIMITATION_MEMORY", limitation: { resources: [{ name: "mem", scalar: { value: 64 } }] } });
    expect(failed.update.status.message).toMatch(/^Memory limit exceeded: Requested: 64MB \(limit 64MB\), Maximum Used: \d+MB/);
    // From the moment it began to exceed its limit to the agent's TASK_FAILED.
    const t0 = Number(fs.readFileSync(path.join(sandbox, "t0"), "utf8"));
    expect(failed.update.status.timestamp! * 1000 - t0).toBeLessThan(1000);
    await client.waitFor(isUpdateFor("neighbour", "TASK_RUNNING"), 10_000, true);
    const answer = client.waitFor(isUpdateFor("neighbour"), 5000);
    await client.mustCall({ type: "RECONCILE", reconcile: { tasks: [{ task_id: { value: "neighbour" }, agent_id: offer.agent_id }] } });
    expect((await answer).update.status.state).toBe("TASK_RUNNING");
    await client.mustCall({ type: "KILL", kill: { task_id: { value: "neighbour" }, agent_id: offer.agent_id } });
    await client.waitFor(isUpdateFor("neighbour", "TASK_KILLED"), 10_000, true);
  });

  it("writes cpu shares, CFS quota and the memory limit; the whole tree, a double-forked daemon included, is in the cgroup and dies on kill", async () => {
    const offer = await offerWith(client, "cpus:0.5;mem:96");
    const cmd = "(setsid sh -c 'echo $$ > daemon.pid; exec sleep 600' &); sleep 600";
    await launch(client, offer, [commandTask(offer, "tree", cmd, "cpus:0.5;mem:96")]);
    await client.waitFor(isUpdateFor("tree", "TASK_RUNNING"), 15_000, true);
    const cg = cgroupsOf(agent);
    const container = await containerOf(agent, "tree");
    const file = (subsystem: string, name: string) => path.join(cg.mounts.dirs.get(subsystem)!, cg.root, container, name);
    if (cg.version === 1) {
      expect(fs.readFileSync(file("cpu", "cpu.shares"), "utf8").trim()).toBe("512");
      expect(fs.readFileSync(file("cpu", "cpu.cfs_period_us"), "utf8").trim()).toBe("100000");
      expect(fs.readFileSync(file("cpu", "cpu.cfs_quota_us"), "utf8").trim()).toBe("50000");
      expect(fs.readFileSync(file("memory", "memory.limit_in_bytes"), "utf8").trim()).toBe(String(96 * 1024 * 1024));
    } else {
      expect(fs.readFileSync(file("cpu", "cpu.weight"), "utf8").trim()).toBe("50");
      expect(fs.readFileSync(file("cpu", "cpu.max"), "utf8").trim()).toBe("50000 100000");
      expect(fs.readFileSync(file("memory", "memory.max"), "utf8").trim()).toBe(String(96 * 1024 * 1024));
    }
    const sandbox = await sandboxOf(agent, "tree");
    const daemon = await waitUntil(() => Number(fs.readFileSync(path.join(sandbox, "daemon.pid"), "utf8")) || undefined, 5000, "daemon pid");
    await waitUntil(() => cg.pids(container).includes(daemon), 5000, "daemon in the cgroup");
    for (const subsystem of cg.version === 1 ? ["cpu", "cpuacct", "memory", "pids", "freezer"] : ["memory"]) {
      expect(fs.readFileSync(file(subsystem, "cgroup.procs"), "utf8").split("\n")).toContain(String(daemon));
    }
    const stats = (await (await fetch(`http://127.0.0.1:${agent.port}/monitor/statistics`)).json()) as { executor_id: string; statistics: Record<string, number> }[];
    expect(stats.find((s) => s.executor_id === "tree")?.statistics).toMatchObject({ cpus_limit: 0.5, mem_limit_bytes: 96 * 1024 * 1024, processes: 3 });
    await client.mustCall({ type: "KILL", kill: { task_id: { value: "tree" }, agent_id: offer.agent_id } });
    await client.waitFor(isUpdateFor("tree", "TASK_KILLED"), 10_000, true);
    await waitUntil(() => {
      try {
        process.kill(daemon, 0);
        return false;
      } catch {
        return true;
      }
    }, 5000, "daemon killed");
    expect(cg.exists(container)).toBe(false);
  });

  it("fails a task whose sandbox outgrows its disk (--enforce_container_disk_quota)", async () => {
    const offer = await offerWith(client, "cpus:0.1;mem:32;disk:2");
    await launch(client, offer, [commandTask(offer, "filler", "head -c 8000000 /dev/urandom > blob; sleep 600", "cpus:0.1;mem:32;disk:2")]);
    const failed = await client.waitFor(isUpdateFor("filler", "TASK_FAILED"), 15_000, true);
    expect(failed.update.status).toMatchObject({ source: "SOURCE_AGENT", reason: "REASON_CONTAINER_LIMITATION_DISK" });
    expect(failed.update.status.message).toMatch(/Disk usage \(\d+MB\) exceeds quota \(2MB\)/);
  });
});

describe.skipIf(noCgroups !== undefined)("pid namespaces and posix isolation", () => {
  it("runs a task in its own pid namespace (--isolation=...,namespaces/pid)", async () => {
    const m = await startTestMaster();
    const a = await startTestAgent(m.address, { extra: ["--isolation=cgroups/cpu,cgroups/mem,namespaces/pid"] });
    try {
      await waitForAgents(m, 1);
      const c = newScheduler(m.address, { name: "pidns", checkpoint: true });
      autoAcknowledge(c);
      await c.subscribe();
      const offer = await nextOffer(c);
      await launch(c, offer, [commandTask(offer, "ns", 'test "$$" -lt 10 && test "$(ls /proc | grep -c "^[0-9]")" -lt 10')]);
      const finished = await c.waitFor(isUpdateFor("ns", "TASK_FINISHED"), 15_000, true);
      expect(finished.update.status.message).toBe("Command exited with status 0");
      c.disconnect();
    } finally {
      await a.stop({ killTasks: true });
      await m.stop();
    }
  });
});

describe("posix isolation (no cgroups needed)", () => {
  it("monitors without enforcing, and says so in the log and /state", async () => {
    const m = await startTestMaster();
    const a = await startTestAgent(m.address, { extra: ["--isolation=posix/cpu,posix/mem"] });
    try {
      await waitForAgents(m, 1);
      expect(a.output.join("\n")).toMatch(/W\d{4} .*Using isolation posix\/cpu,posix\/mem \(NO resource enforcement/);
      expect((await agentState(a)).isolation).toMatchObject({ mode: "posix", enforcing: false });
      const c = newScheduler(m.address, { name: "posix", checkpoint: true });
      autoAcknowledge(c);
      await c.subscribe();
      const offer = await nextOffer(c);
      await launch(c, offer, [commandTask(offer, "watched", "sleep 600")]);
      await c.waitFor(isUpdateFor("watched", "TASK_RUNNING"), 15_000, true);
      const stats = (await (await fetch(`http://127.0.0.1:${a.port}/monitor/statistics`)).json()) as { executor_id: string; statistics: Record<string, number> }[];
      const watched = stats.find((s) => s.executor_id === "watched")!.statistics;
      expect(watched).toMatchObject({ mem_limit_bytes: 32 * 1024 * 1024 });
      expect(watched.processes).toBeGreaterThanOrEqual(1); // sh (unless it exec'd) and sleep
      expect(watched.mem_rss_bytes).toBeGreaterThan(0);
      c.disconnect();
    } finally {
      await a.stop({ killTasks: true });
      await m.stop();
    }
  });
});
