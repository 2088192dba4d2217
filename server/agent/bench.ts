// Launch benchmark: N `sleep 600` command tasks on one agent against the fake master; prints the
// time until all are TASK_RUNNING and the agent's RSS, then kills them all.
//   npx tsx server/agent/bench.ts [N=1000] [work-dir-parent=os.tmpdir()]
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FakeMaster } from "../testing/fake-master";
import { startAgent } from "./index";
import { silentLogger } from "./log";
import { killLeftovers } from "./test-helpers";

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1000);
  const workDir = await fsp.mkdtemp(path.join(process.argv[3] ?? os.tmpdir(), "plateau-bench-"));
  const master = await FakeMaster.start({ autoAck: true });
  const agent = await startAgent({
    master: master.address, workDir, port: 0, log: silentLogger, registrationBackoffFactorMs: 10, resources: `cpus:${n};mem:${n * 32}`,
  });
  await agent.registered();
  const rssBefore = process.memoryUsage().rss;
  const counts: Record<string, number> = {};
  let seen = 0;
  const count = () => {
    for (; seen < master.received.length; seen++) {
      const m = master.received[seen]!;
      if (m.type === "STATUS_UPDATE") counts[m.update.status.state] = (counts[m.update.status.state] ?? 0) + 1;
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) master.runCommand(`t${i}`, "sleep 600");
  await master.waitFor(() => (count(), (counts.TASK_RUNNING ?? 0) >= n), 300_000, "all running");
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${n} tasks TASK_RUNNING in ${seconds.toFixed(2)} s; agent process CPU user ${(cpu.user / 1e6).toFixed(2)} s ` +
      `system ${(cpu.system / 1e6).toFixed(2)} s; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB ` +
      `(${(rssBefore / 2 ** 20).toFixed(0)} MiB before; includes the in-process fake master)`,
  );
  const t1 = performance.now();
  await agent.stop({ killTasks: true });
  console.log(`killed all ${n} in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
  await killLeftovers(workDir);
  await master.close();
  await fsp.rm(workDir, { recursive: true, force: true });
}

void main();
