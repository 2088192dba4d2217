import fs from "node:fs";
const file = process.argv[2];
const p = JSON.parse(fs.readFileSync(file, "utf8"));
const self = new Map();
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const dt = p.timeDeltas; const total = dt.reduce((a, b) => a + b, 0);
const counts = new Map();
for (let i = 0; i < p.samples.length; i++) counts.set(p.samples[i], (counts.get(p.samples[i]) ?? 0) + dt[i]);
for (const [id, t] of counts) { const n = byId.get(id); const key = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber}`; self.set(key, (self.get(key) ?? 0) + t); }
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 30);
for (const [k, t] of top) console.log((t / 1000).toFixed(0).padStart(7), "ms", (100 * t / total).toFixed(1).padStart(5), "%", k);
