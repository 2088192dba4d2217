import { AgentToMaster, INTERNAL_PROTOCOL_VERSION } from "../server/protocol/internal";
import { TaskInfo, TaskStatus, Resource } from "../server/protocol/mesos";
import { parseJsonBody } from "../server/protocol/json";
const msg = (i: number) => { const id = `2afea073-6177-4f12-9637-97c629a5b9e8-S${i}`; const tasks = Array.from({ length: 10 }, (_, t) => { const taskId = `sim-${i}-task-${t}`; return { framework_id: { value: "bench-failover-framework-0000" }, executor_id: { value: taskId }, task: { name: taskId, task_id: { value: taskId }, agent_id: { value: id }, resources: [{ name: "cpus", type: "SCALAR", scalar: { value: 0.1 } }, { name: "mem", type: "SCALAR", scalar: { value: 32 } }], command: { value: "sleep 3600" } }, state: "TASK_RUNNING", statuses: [{ task_id: { value: taskId }, state: "TASK_RUNNING", source: "SOURCE_EXECUTOR", agent_id: { value: id }, executor_id: { value: taskId }, timestamp: 1_700_000_000 }] }; });
 return JSON.stringify({ type: "REREGISTER_AGENT", protocol_version: INTERNAL_PROTOCOL_VERSION, agent_info: { hostname: `sim-${i}.bench`, port: 5051, resources: [{ name: "cpus", type: "SCALAR", scalar: { value: 4 } }, { name: "mem", type: "SCALAR", scalar: { value: 8192 } }], attributes: [{ name: "rack", type: "TEXT", text: { value: `r${i % 40}` } }], id: { value: id } }, version: "1.11.0", capabilities: ["MULTI_ROLE"], endpoint: `127.0.0.2:${10000 + i}`, frameworks: [{ id: { value: "bench-failover-framework-0000" }, user: "root", name: "bench-failover", checkpoint: true, failover_timeout: 3600 }], executors: [], tasks }); };
const texts = Array.from({ length: 10000 }, (_, i) => msg(i));
for (let r = 0; r < 3; r++) {
  let t = performance.now(); const objs = texts.map((x) => JSON.parse(x)); const tp = performance.now() - t;
  t = performance.now(); const objs2 = texts.map((x) => parseJsonBody(x)); const tb = performance.now() - t;
  t = performance.now(); for (const o of objs2) AgentToMaster.safeParse(o); const tz = performance.now() - t;
  const tasks = objs.flatMap((o) => o.tasks);
  t = performance.now(); for (const x of tasks) TaskInfo.safeParse(x.task); const tti = performance.now() - t;
  t = performance.now(); for (const x of tasks) TaskStatus.safeParse(x.statuses[0]); const tts = performance.now() - t;
  t = performance.now(); for (const x of tasks) for (const res of x.task.resources) Resource.safeParse(res); const tr = performance.now() - t;
  console.log(`JSON.parse ${tp.toFixed(0)} parseJsonBody ${tb.toFixed(0)} zod(all) ${tz.toFixed(0)} TaskInfo ${tti.toFixed(0)} TaskStatus ${tts.toFixed(0)} Resource(200k) ${tr.toFixed(0)}`);
}
