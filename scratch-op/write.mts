import { EventEmitter } from "node:events";
import { startMaster } from "../server/master";
import { defaultMasterConfig } from "../server/master/config";
import { capture, legacyState, v1GetState } from "../server/master/operator/render/state";
import { stateHeader } from "../server/master/operator/legacy/state";
import { writePieces } from "../server/master/operator/sliced-writer";
import { Resources } from "../server/resources";
import { newFramework } from "../server/master/frameworks";
import { addTask } from "../server/master/task-lifecycle";
const agents = Number(process.argv[2] ?? 2000);
const running = await startMaster({ config: defaultMasterConfig({ maxCompletedTasksPerFramework: 1e7 }), registry: "in_memory", log: () => {} });
const m = running.master;
const now = Date.now();
const TOTAL = Resources.parse("cpus:32;mem:131072;disk:1048576;ports:[31000-32000]");
const fws = Array.from({ length: Math.max(1, agents / 200) }, (_, f) => { const id = m.nextFrameworkId(); const fw = newFramework(m, id, { user: "u", name: "f" + f }, now); m.frameworks.set(id, fw); return fw; });
let n = 0;
for (let a = 0; a < agents; a++) {
  const id = m.nextAgentId();
  m.agents.set(id, { id, info: { id: { value: id }, hostname: "h" + a, port: 5051, resources: TOTAL.toArray(), attributes: [] }, endpoint: "10.0.0.1:5051", version: "1.11.0", capabilities: [], connection: "connected", link: null, registeredTime: now, total: TOTAL, offeredIds: new Set(), tasks: new Map(), executors: new Map(), deactivated: false, missedPings: 0, lastPongSeq: 0, pingSeq: 0 });
  for (let i = 0; i < 10; i++) {
    const fw = fws[(a * 10 + i) % fws.length]!;
    const mk = (term: boolean) => { const tid = "task-" + n++; const TR = Resources.parse("cpus:0.1;mem:32").allocate("*"); const st = (s: any) => ({ task_id: { value: tid }, state: s, source: "SOURCE_EXECUTOR" as const, agent_id: { value: id }, timestamp: now / 1000, uuid: "AAAAAAAAAAAAAAAAAAAAAA==" });
      return { frameworkId: fw.id, agentId: id, executorId: tid, info: { name: tid, task_id: { value: tid }, agent_id: { value: id }, resources: TR.toArray(), command: { value: "x" }, labels: { labels: Array.from({ length: 10 }, (_, k) => ({ key: "label-key-" + k, value: "value-" + k })) } }, state: term ? "TASK_FINISHED" as const : "TASK_RUNNING" as const, statuses: term ? [st("TASK_RUNNING"), st("TASK_FINISHED")] : [st("TASK_RUNNING")], resources: TR, user: "u", killRequested: false }; };
    addTask(m, mk(false));
    fw.completedTasks.push(mk(true));
  }
}
class Sink extends EventEmitter { bytes = 0; destroyed = false; writeHead() {} write(b: Buffer | string) { this.bytes += b.length; return true; } end() {} }
const ctx = running.operator!.context;
for (let i = 0; i < Number(process.argv[3] ?? 5); i++) {
  let s = new Sink(); let t = performance.now();
  await writePieces(s as any, 200, {}, legacyState(ctx.cache, m, stateHeader(ctx), capture(m)));
  const tl = performance.now() - t;
  const sl = s.bytes; s = new Sink(); t = performance.now(); if (process.env.LEGACY_ONLY) { console.log(`legacy ${tl.toFixed(0)} ms`); continue; }
  await writePieces(s as any, 200, {}, v1GetState(ctx.cache, m, capture(m)));
  console.log(`legacy ${tl.toFixed(0)} ms ${(sl / 1e6).toFixed(1)} MB  v1 ${(performance.now() - t).toFixed(0)} ms ${(s.bytes / 1e6).toFixed(1)} MB`);
}
await running.stop();
process.exit(0);
