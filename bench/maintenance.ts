// Maintenance benchmark: the master's maintenance service in-process (manual clock, memory
// registry, fake agent links and scheduler streams), at cluster scale.
//
// Setup: N agents, each on its own machine (hostname hN, IP 10.x.y.z), F connected frameworks,
// T running tasks per agent (frameworks round-robin; tasks are inserted into the master's model
// directly, as re-registration does, not launched through offers). Then, timed:
//   schedule_update_ms   UPDATE_MAINTENANCE_SCHEDULE with S = 10% of the machines in one window
//                        (registry commit, offers rescinded, first inverse offers to every
//                        framework on those machines)
//   inverse_offers_sent  how many inverse offers that produced
//   full_pass_ms         a full inverse-offer pass over the draining agents (everything
//                        outstanding: nothing to send) — median of 50
//   tick_ms              the periodic pass run every allocation interval when nothing changed
//                        (skips the full pass) — median of 50
//   answer_ms            every framework DECLINEs all its inverse offers (one call each)
//   pass_after_answers_ms  the next full pass (everything filtered: nothing to send)
//   status_ms / dashboard_view_ms   GET_MAINTENANCE_STATUS body and the dashboard's view
//   drain_ms             DRAIN_AGENT of one agent holding D tasks (registry commit + D kills sent)
// Output: one JSON object per figure on stdout.
//
// Usage: npm run bench:maintenance [-- --agents=20000 --frameworks=200 --tasks_per_agent=5 --drain_tasks=1000]
import { Resources } from "../server/resources";
import { Maintenance } from "../server/master/maintenance/service";
import { newFramework } from "../server/master/frameworks";
import { addTask } from "../server/master/task-lifecycle";
import { registerAgent } from "../server/master/agents";
import { EventStream } from "../server/master/http/stream";
import { FakeLink, FakeSink, startHarness } from "../server/testing/master-harness";
import type { SchedulerEvent } from "../server/protocol/scheduler";
import type { Task } from "../server/master/state";

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3)) : fallback;
}

const AGENTS = arg("agents", 20_000);
const FRAMEWORKS = arg("frameworks", 200);
const TASKS_PER_AGENT = arg("tasks_per_agent", 5);
const DRAIN_TASKS = arg("drain_tasks", 1000);
const params = { agents: AGENTS, frameworks: FRAMEWORKS, tasks_per_agent: TASKS_PER_AGENT, drain_tasks: DRAIN_TASKS };
const emit = (metric: string, value: number) => console.log(JSON.stringify({ bench: "maintenance", params, metric, value: Math.round(value * 100) / 100 }));
const time = async (fn: () => unknown | Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

const h = await startHarness({ config: { allocationIntervalMs: 1000 } });
const m = h.master;
const svc = new Maintenance(m);
svc.start();
const resources = Resources.parse("cpus:32;mem:65536;disk:100000;ports:[31000-32000]").toArray();
const agents = [];
for (let i = 0; i < AGENTS; i++) {
  const link = new FakeLink(`${ip(i)}:5051`);
  const agent = await registerAgent(m, { type: "REGISTER_AGENT", protocol_version: 1, agent_info: { hostname: `h${i}`, port: 5051, resources, attributes: [] }, version: "1.11.0", capabilities: [], endpoint: link.remoteAddress }, link);
  agents.push(agent!);
}
const sinks: FakeSink[] = [];
for (let f = 0; f < FRAMEWORKS; f++) {
  const framework = newFramework(m, `fw-${f}`, { user: "bench", name: `fw-${f}`, id: { value: `fw-${f}` } }, m.clock.now());
  const sink = new FakeSink();
  framework.stream = new EventStream<SchedulerEvent>(sink);
  m.frameworks.set(framework.id, framework);
  sinks.push(sink);
}
const taskResources = Resources.parse("cpus:0.1;mem:32");
let seq = 0;
const addTasks = (agentId: string, count: number) => {
  for (let k = 0; k < count; k++) {
    const fw = `fw-${seq % FRAMEWORKS}`;
    const id = `t${seq++}`;
    const task: Task = {
      frameworkId: fw, agentId, executorId: id, info: { name: id, task_id: { value: id }, agent_id: { value: agentId }, resources: taskResources.toArray() } as Task["info"],
      state: "TASK_RUNNING", statuses: [], resources: taskResources, user: "bench", killRequested: false,
    };
    addTask(m, task);
  }
};
for (const a of agents) addTasks(a.id, TASKS_PER_AGENT);

const scheduled = agents.filter((_, i) => i % 10 === 0);
const window = { machine_ids: scheduled.map((a) => ({ hostname: a.info.hostname, ip: a.endpoint.split(":")[0]! })), unavailability: { start: { nanoseconds: Date.UTC(2030, 0, 1) * 1e6 }, duration: { nanoseconds: 3600e9 } } };
const before = sinks.reduce((n, s) => n + s.of("INVERSE_OFFERS").reduce((k, e) => k + e.inverse_offers.inverse_offers.length, 0), 0);
emit("schedule_update_ms", await time(() => svc.updateSchedule({ windows: [window] }, { principal: "bench" })));
const sent = sinks.reduce((n, s) => n + s.of("INVERSE_OFFERS").reduce((k, e) => k + e.inverse_offers.inverse_offers.length, 0), 0) - before;
emit("inverse_offers_sent", sent);
const ticks: number[] = [];
for (let i = 0; i < 50; i++) ticks.push(await time(() => svc.inverse.send()));
emit("full_pass_ms", median(ticks));
const idle: number[] = [];
for (let i = 0; i < 50; i++) idle.push(await time(() => svc.tick()));
emit("tick_ms", median(idle));
const byFramework = new Map<string, { value: string }[]>();
for (const o of svc.inverse.records.values()) byFramework.set(o.frameworkId, [...(byFramework.get(o.frameworkId) ?? []), { value: o.id }]);
emit("answer_ms", await time(() => {
  for (const [id, ids] of byFramework) svc.inverse.answer(m.frameworks.get(id)!, { type: "DECLINE_INVERSE_OFFERS", decline_inverse_offers: { inverse_offer_ids: ids, filters: { refuse_seconds: 60 } } });
}));
emit("pass_after_answers_ms", await time(() => svc.inverse.send()));
emit("status_ms", await time(() => JSON.stringify(svc.status())));
emit("dashboard_view_ms", await time(() => JSON.stringify(svc.dashboardView())));
const target = agents[1]!;
addTasks(target.id, DRAIN_TASKS - TASKS_PER_AGENT);
emit("drain_ms", await time(() => svc.drainAgent(target.id, { maxGracePeriodNs: 10e9 }, { principal: "bench" })));
emit("drain_kills_sent", (target.link as unknown as FakeLink).of("KILL_TASK").length);
svc.stop();
h.stopLoop();
process.exit(0);
