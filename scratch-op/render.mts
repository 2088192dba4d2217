import { startMaster } from "../server/master";
import { defaultMasterConfig } from "../server/master/config";
import { capture, legacyState, v1GetState } from "../server/master/operator/render/state";
import { stateHeader } from "../server/master/operator/legacy/state";
import { collect } from "../server/master/operator/sliced-writer";
import { Resources } from "../server/resources";
import { newFramework } from "../server/master/frameworks";
import { addTask } from "../server/master/task-lifecycle";
const agents = Number(process.argv[2] ?? 2000);
const running = await startMaster({ config: defaultMasterConfig({ maxCompletedTasksPerFramework: 1e7 }), registry: "in_memory", log: () => {} });
const m = running.master;
const now = Date.now();
const TOTAL = Resources.parse("cpus:32;mem:131072;disk:1048576;ports:[31000-32000]");
const TR = Resources.parse("cpus:0.1;mem:32").allocate("*");
const fws = Array.from({ length: Math.max(1, agents / 200) }, (_, f) => { const id = m.nextFrameworkId(); const fw = newFramework(m, id, { user: "u", name: "f" + f }, now); m.frameworks.set(id, fw); return fw; });
let n = 0;
for (let a = 0; a < agents; a++) {
  const id = m.nextAgentId();
  m.agents.set(id, { id, info: { id: { value: id }, hostname: "h" + a, port: 5051, resources: TOTAL.toArray(), attributes: [] }, endpoint: "10.0.0.1:5051", version: "1.11.0", capabilities: [], connection: "connected", link: null, registeredTime: now, total: TOTAL, offeredIds: new Set(), tasks: new Map(), executors: new Map(), deactivated: false, missedPings: 0, lastPongSeq: 0, pingSeq: 0 });
  for (let i = 0; i < 10; i++) {
    const fw = fws[(a * 10 + i) % fws.length]!;
    const mk = (term: boolean) => { const tid = "task-" + n++; const st = (s: any) => ({ task_id: { value: tid }, state: s, source: "SOURCE_EXECUTOR" as const, agent_id: { value: id }, timestamp: now / 1000, uuid: "AAAAAAAAAAAAAAAAAAAAAA==" });
      return { frameworkId: fw.id, agentId: id, executorId: tid, info: { name: tid, task_id: { value: tid }, agent_id: { value: id }, resources: TR.toArray(), command: { value: "x" }, labels: { labels: Array.from({ length: 10 }, (_, k) => ({ key: "label-key-" + k, value: "value-" + k })) } }, state: term ? "TASK_FINISHED" as const : "TASK_RUNNING" as const, statuses: term ? [st("TASK_RUNNING"), st("TASK_FINISHED")] : [st("TASK_RUNNING")], resources: TR, user: "u", killRequested: false }; };
    addTask(m, mk(false));
    fw.completedTasks.push(mk(true));
  }
}
const ctx = running.operator.context;
for (let i = 0; i < 4; i++) {
  let t = performance.now();
  const cap = capture(m);
  const tc = performance.now() - t;
  t = performance.now();
  const s = collect(legacyState(ctx.cache, m, stateHeader(ctx), cap));
  const tl = performance.now() - t;
  t = performance.now();
  const v = collect(v1GetState(ctx.cache, m, capture(m)));
  const tv = performance.now() - t;
  console.log(`capture ${tc.toFixed(1)} ms legacy ${tl.toFixed(0)} ms (${(s.length / 1e6).toFixed(1)} MB) v1 ${tv.toFixed(0)} ms (${(v.length / 1e6).toFixed(1)} MB)`);
  if (i === 0) { t = performance.now(); JSON.parse(s); console.log("parse", (performance.now() - t).toFixed(0)); }
}

{
  const all: any[] = [];
  for (const fw of m.frameworks.values()) { all.push(...fw.tasks.values(), ...fw.completedTasks); }
  for (let k = 0; k < 3; k++) {
    let t = performance.now();
    let len = 0;
    for (const task of all) len += ctx.cache.legacyTask(task).length;
    const a = performance.now() - t;
    t = performance.now();
    const parts: string[] = [];
    for (const task of all) parts.push(ctx.cache.legacyTask(task));
    const joined = parts.join(",");
    const b = performance.now() - t;
    t = performance.now();
    const buf = Buffer.allocUnsafe(joined.length); buf.write(joined, 0, "latin1");
    const c = performance.now() - t;
    console.log(`lookup ${a.toFixed(1)} ms, lookup+join ${b.toFixed(1)} ms, buffer write ${c.toFixed(1)} ms, ${len}`);
  }
}
await running.stop();
