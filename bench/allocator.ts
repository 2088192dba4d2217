// Allocator benchmark, after Mesos's HierarchicalAllocator_BENCHMARK_Test (DeclineOffers,
// SuppressOffers): the allocator module runs in-process, driven directly (no master, no I/O).
//
// Setup per grid cell: F frameworks in role "*", then N agents with
// cpus:24;mem:4096;disk:4096;ports:[31000-32000], each with cpus:16;mem:2014;disk:1024 and 16
// single ports already used by one framework (round-robin over the frameworks).
// Rounds: every offer of the previous round is declined with a long filter (refuse_seconds =
// INT32_MAX), time advances one allocation interval, and one `allocate()` is timed.
//   DeclineOffers  — all frameworks active; F rounds (each framework gets to decline each agent).
//   SuppressOffers — like DeclineOffers, but 90% of the frameworks have suppressed offers
//                    (no work to do); F rounds.
// `--rounds=K` caps the rounds per cell. Output: one JSON object per measured figure on stdout,
// a table on stderr.
//
// Usage: npm run bench:allocator [-- --quick] [--agents=1000,5000] [--frameworks=100,500]
//        [--scenarios=DeclineOffers,SuppressOffers] [--rounds=K]
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

  if (scenario === "SuppressOffers") {
    const active = Math.max(1, Math.ceil(frameworks / 10));
    for (const id of fwIds.slice(active)) allocator.suppressOffers(id, []);
  }

  let now = Date.UTC(2026, 0, 1);
  let offers: OfferPlan[] = [];
  const rounds: number[] = [];
  const counts: number[] = [];
  const limit = Math.min(frameworks, maxRounds);
  for (let round = 0; round < limit; round++) {
    for (const o of offers) allocator.recoverResources(o.frameworkId, o.agentId, o.resources, REFUSE_SECONDS, now);
    now += INTERVAL_MS;
    const start = performance.now();
    offers = allocator.allocate(now);
    rounds.push(performance.now() - start);
    counts.push(offers.length);
    if (offers.length === 0) break;
  }
  return { scenario, agents, frameworks, addFrameworksMs, addAgentsMs, rounds, offers: counts };
}

function stats(xs: number[]) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  return { mean, p50: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0, first: xs[0] ?? 0 };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function emit(cell: Cell, metric: string, value: number, unit = "ms"): void {
  const line = { bench: "allocator", scenario: cell.scenario, params: { agents: cell.agents, frameworks: cell.frameworks }, metric, value: round2(value), unit };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const rows: string[][] = [];
for (const scenario of scenarios) {
  for (const agents of agentCounts) {
    for (const frameworks of frameworkCounts) {
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
process.stderr.write(`\n${fmt(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${rows.map(fmt).join("\n")}\n`);
