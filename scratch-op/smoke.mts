import { startTestMaster } from "../server/testing/cluster";
const master = await startTestMaster();
const base = `http://127.0.0.1:${master.port}`;
async function call(body: unknown) {
  const r = await fetch(`${base}/api/v1`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return `${r.status} ${(await r.text()).slice(0, 400)}`;
}
for (const t of ["GET_HEALTH","GET_FLAGS","GET_VERSION","GET_LOGGING_LEVEL","GET_STATE","GET_AGENTS","GET_FRAMEWORKS","GET_EXECUTORS","GET_TASKS","GET_ROLES","GET_WEIGHTS","GET_MASTER","GET_QUOTA","GET_OPERATIONS","UNKNOWN","DRAIN_AGENT"]) console.log(t, await call({ type: t }));
console.log(await call({ type: "GET_METRICS", get_metrics: {} }));
console.log(await call({ type: "FOO" }));
for (const p of ["/master/state","/state-summary","/master/frameworks","/master/slaves","/master/tasks","/version","/master/flags","/master/roles","/master/weights","/master/quota","/metrics/snapshot","/metrics","/files/debug","/master/redirect"]) {
  const r = await fetch(base + p, { redirect: "manual" });
  console.log(p, r.status, (await r.text()).slice(0, 300));
}
await master.stop();
