// Finds long synchronous stretches on the main thread during the bench's concurrent phase.
import { monitorEventLoopDelay } from "node:perf_hooks";
let last = performance.now();
const long: number[] = [];
setInterval(() => { const now = performance.now(); if (now - last > 100) { long.push(now - last); console.error(`[lag] ${(now - last).toFixed(0)} ms ending at ${now.toFixed(0)}`); } last = now; }, 5).unref();
void monitorEventLoopDelay;
await import("../bench/state.ts");
