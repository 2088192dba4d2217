// Allocator benchmark, after Mesos's HierarchicalAllocator_BENCHMARK_Test (DeclineOffers,
// SuppressOffers): the allocator module runs in-process, driven directly (no master, no I/O).
//
// Setup per grid cell: F frameworks in role "*", then N agents with
// cpus:24;mem:4096;disk:4096;ports:[31000-32000], each with cpus:16;mem:2014;disk:1024 and 16
// single ports already used by one framework (round-robin over the frameworks).
// Then rounds: the previous round's offers come back, time advances one allocation interval,
// and one `allocate()` is timed.
//   DeclineOffers  — every offer is declined with a long filter (refuse_seconds = INT32_MAX);
//                    one round per framework (F rounds: by then every framework has declined
//                    every agent), stopping early at a round that makes no offer.
//   SuppressOffers — offers come back without a filter and, before each of 5 rounds, another
//                    fifth of the frameworks suppresses offers (as Mesos's benchmark does).
// `--rounds=K` caps the rounds per cell. Before the grid, an untimed 1000 × 100 cell warms up the
// JIT (`--no-warmup` skips it: then the first cell's first rounds include compilation). Output:
// one JSON object per measured figure on stdout, a table on stderr.
//
// Usage: npm run bench:allocator [-- --quick] [--agents=1000,5000] [--frameworks=100,500]
//        [--scenarios=DeclineOffers,SuppressOffers] [--rounds=K] [--no-warmup]
//        (or BENCH_AGENTS / BENCH_FRAMEWORKS / BENCH_SCENARIOS / BENCH_ROUNDS)
import { HierarchicalAllocator } from "../server/allocator/hierarchical";
import type { AllocatorFramework, OfferPlan } from "../server/allocator/types";
import { Resources } from "../server/resources";

type Scenario = "DeclineOffers" | "SuppressOffers";

interface Cell {
  scenario: Scenario;
  agents: number;
  frameworks: number;
  addFrameworksMs: number;
  addAgentsMs: number;
  rounds: number[];
  offers: number[];
  rssMb: number;
}

function arg(name: string): string | undefined {
  const prefix = `--${name}=`;
  const hit = process.argv.find((a) => a.startsWith(prefix));
  return hit?.slice(prefix.length) ?? process.env[`BENCH_${name.toUpperCase()}`];
}

function list(text: string | undefined, fallback: number[]): number[] {
  return text ? text.split(",").map((x) => Number(x.trim())).filter((x) => x > 0) : fallback;
}

const quick = process.argv.includes("--quick");
const agentCounts = list(arg("agents"), quick ? [1000] : [1000, 5000, 10000, 20000]);
const frameworkCounts = list(arg("frameworks"), quick ? [100] : [100, 500, 1000, 2000]);
const scenarios = (arg("scenarios")?.split(",") ?? ["DeclineOffers", "SuppressOffers"]) as Scenario[];
const maxRounds = arg("rounds") ? Number(arg("rounds")) : quick ? 20 : Infinity;

const AGENT = Resources.parse("cpus:24;mem:4096;disk:4096;ports:[31000-32000]");
const PORTS = Array.from({ length: 16 }, (_, i) => 31000 + i * 64);
const USED = Resources.parse(`cpus:16;mem:2014;disk:1024;ports:[${PORTS.map((p) => `${p}-${p}`).join(",")}]`).allocate("*");
const REFUSE_SECONDS = 2 ** 31 - 1;
const INTERVAL_MS = 1000;
const SUPPRESS_ROUNDS = 5;

function frameworkInfo(): AllocatorFramework {
  return {
    roles: ["*"],
    suppressedRoles: [],
    active: true,
    capabilities: {
      multiRole: true, revocableResources: false, gpuResources: false, reservationRefinement: true,
      sharedResources: false, partitionAware: true, regionAware: false,
    },
  };
}

function runCell(scenario: Scenario, agents: number, frameworks: number): Cell {
  const allocator = new HierarchicalAllocator();
  const fwIds = Array.from({ length: frameworks }, (_, i) => `framework-${String(i).padStart(5, "0")}`);
  let t0 = performance.now();
  for (const id of fwIds) allocator.addFramework(id, frameworkInfo(), new Map());
  const addFrameworksMs = performance.now() - t0;

  t0 = performance.now();
  for (let i = 0; i < agents; i++) {
    allocator.addAgent(`agent-${i}`, { hostname: `host-${i}`, total: AGENT, active: true }, new Map([[fwIds[i % frameworks]!, USED]]));
  }
  const addAgentsMs = performance.now() - t0;

  // Setup garbage is collected before the timed rounds (as Mesos's benchmark settles the clock);
  // whatever the rounds themselves allocate is collected, and timed, during the rounds.
  (globalThis as { gc?: () => void }).gc?.();
  let now = Date.UTC(2026, 0, 1);
  let offers: OfferPlan[] = [];
  const rounds: number[] = [];
  const counts: number[] = [];
  const suppress = scenario === "SuppressOffers";
  const limit = Math.min(suppress ? SUPPRESS_ROUNDS : frameworks, maxRounds);
  let suppressed = 0;
  for (let round = 0; round < limit; round++) {
    for (const o of offers) allocator.recoverResources(o.frameworkId, o.agentId, o.resources, suppress ? undefined : REFUSE_SECONDS, now);
    if (suppress) {
      for (let j = 0; j < Math.floor(frameworks / SUPPRESS_ROUNDS); j++) allocator.suppressOffers(fwIds[suppressed++]!, []);
    }
    now += INTERVAL_MS;
    const start = performance.now();
    offers = allocator.allocate(now);
    rounds.push(performance.now() - start);
    counts.push(offers.length);
    if (offers.length === 0 && !suppress) break;
  }
  return { scenario, agents, frameworks, addFrameworksMs, addAgentsMs, rounds, offers: counts, rssMb: process.memoryUsage().rss / 2 ** 20 };
}

function stats(xs: number[]) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  return { mean, p50: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0, first: xs[0] ?? 0 };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function emit(cell: Cell, metric: string, value: number, unit = "ms", extra: Record<string, number> = {}): void {
  const line = { bench: "allocator", scenario: cell.scenario, params: { agents: cell.agents, frameworks: cell.frameworks, ...extra }, metric, value: round2(value), unit };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const gc = (globalThis as { gc?: () => void }).gc;
const started = performance.now();
if (!process.argv.includes("--no-warmup")) {
  runCell("DeclineOffers", 1000, 100);
  runCell("SuppressOffers", 1000, 100);
}
const rows: string[][] = [];
for (const scenario of scenarios) {
  for (const agents of agentCounts) {
    for (const frameworks of frameworkCounts) {
      gc?.(); // the previous cell's garbage should not land in this cell's rounds
      const cell = runCell(scenario, agents, frameworks);
      const s = stats(cell.rounds);
      const offersMade = cell.offers.reduce((a, b) => a + b, 0);
      emit(cell, "add_frameworks_ms", cell.addFrameworksMs);
      emit(cell, "add_agents_ms", cell.addAgentsMs);
      emit(cell, "allocate_ms", s.mean);
      emit(cell, "allocate_ms_first_round", s.first);
      emit(cell, "allocate_ms_p50", s.p50);
      emit(cell, "allocate_ms_max", s.max);
      emit(cell, "rounds", cell.rounds.length, "count");
      emit(cell, "offers", offersMade, "count");
      emit(cell, "rss_mb", cell.rssMb, "MB");
      if (scenario === "SuppressOffers") {
        cell.rounds.forEach((ms, i) => emit(cell, "allocate_ms_round", ms, "ms", { round: i + 1, suppressed: Math.floor(frameworks / SUPPRESS_ROUNDS) * (i + 1) }));
      }
      rows.push([
        scenario, String(agents), String(frameworks), cell.addFrameworksMs.toFixed(1), cell.addAgentsMs.toFixed(0),
        String(cell.rounds.length), s.first.toFixed(1), s.mean.toFixed(1), s.p50.toFixed(1), s.max.toFixed(1), String(offersMade),
      ]);
      process.stderr.write(`  ${scenario} ${agents}x${frameworks}: mean ${s.mean.toFixed(1)} ms/round over ${cell.rounds.length} rounds\n`);
    }
  }
}

const header = ["scenario", "agents", "frameworks", "add fw ms", "add agents ms", "rounds", "1st round ms", "mean ms", "p50 ms", "max ms", "offers"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmt = (r: string[]) => r.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
process.stderr.write(`\nnode ${process.version}, ${((performance.now() - started) / 1000).toFixed(0)} s in all\n`);
process.stderr.write(`\n${fmt(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${rows.map(fmt).join("\n")}\n`);
