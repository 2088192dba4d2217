// Property tests: random clusters and random histories of offers, declines, launches, task ends,
// suppression and quota — after every allocation round, no agent is over-committed, reserved
// resources only go to their role subtree, and no role exceeds a quota limit.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Resources, isSubroleOrSelf } from "../resources";
import { AllocatorHarness, type RecordedOffer } from "./testing";

const ROLES = ["*", "a", "a/x", "b", "c"] as const;
const RESERVABLE = ["a", "a/x", "b", "c"] as const;

const agentArb = fc.record({
  cpus: fc.integer({ min: 1, max: 8 }),
  mem: fc.integer({ min: 64, max: 4096 }),
  ports: fc.boolean(),
  reservedFor: fc.option(fc.constantFrom(...RESERVABLE), { nil: undefined }),
  reservedCpus: fc.integer({ min: 1, max: 4 }),
});

const frameworkArb = fc.record({
  roles: fc.subarray([...ROLES], { minLength: 1 }),
  revocable: fc.boolean(),
});

const actionArb = fc.oneof(
  fc.record({ kind: fc.constant("tick" as const), ms: fc.constantFrom(0, 1000, 5000) }),
  fc.record({ kind: fc.constant("decline" as const), pick: fc.nat(), refuse: fc.constantFrom(0, 1, 5, 3600) }),
  fc.record({ kind: fc.constant("launch" as const), pick: fc.nat(), cpus: fc.constantFrom(0.5, 1, 2) }),
  fc.record({ kind: fc.constant("finish" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("suppress" as const), pick: fc.nat(), role: fc.constantFrom(...ROLES) }),
  fc.record({ kind: fc.constant("revive" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("limit" as const), role: fc.constantFrom("a", "b"), extra: fc.integer({ min: 0, max: 6 }) }),
  // Dynamic reservations: RESERVE / UNRESERVE inside an ACCEPT, and the operator's RESERVE_RESOURCES.
  { arbitrary: fc.record({ kind: fc.constant("reserve" as const), pick: fc.nat(), cpus: fc.constantFrom(0.5, 1), labelled: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("unreserve" as const), pick: fc.nat() }), weight: 3 },
  fc.record({ kind: fc.constant("operatorReserve" as const), agent: fc.nat(), role: fc.constantFrom(...RESERVABLE), cpus: fc.constantFrom(0.5, 1) }),
);

/** `text` dynamically reserved for `role` (plain form). */
function dynamicallyReserved(text: string, role: string, labelled = false): Resources {
  const entry = { type: "DYNAMIC" as const, role, ...(labelled ? { labels: { labels: [{ key: "k", value: "v" }] } } : {}) };
  return Resources.from(Resources.parse(text).toArray().map((r) => ({ ...r, reservations: [entry] })));
}

interface Task {
  frameworkId: string;
  agentId: string;
  resources: Resources;
}

function reservedCpusOfSubtree(totals: Map<string, Resources>, role: string): number {
  let sum = 0;
  for (const total of totals.values()) {
    for (const r of total.reserved().toArray()) {
      const owner = r.reservations!.at(-1)!.role!;
      if (isSubroleOrSelf(owner, role) && r.name === "cpus") sum += r.scalar!.value;
    }
  }
  return sum;
}

describe("allocator properties", () => {
  it("never over-commits an agent, offers reserved resources (static or dynamic) to another role or exceeds a quota limit", () => {
    const exercised = { reserve: 0, unreserve: 0, operatorReserve: 0 };
    fc.assert(
      fc.property(
        fc.array(agentArb, { minLength: 1, maxLength: 6 }),
        fc.array(frameworkArb, { minLength: 1, maxLength: 4 }),
        fc.array(actionArb, { maxLength: 60, size: "max" }),
        (agents, frameworks, actions) => {
          const h = new AllocatorHarness({ agentOrder: "shuffle", seed: agents.length * 31 + actions.length });
          agents.forEach((a, i) => {
            let text = `cpus:${a.cpus};mem:${a.mem}`;
            if (a.ports) text += ";ports:[31000-31100]";
            if (a.reservedFor) text += `;cpus(${a.reservedFor}):${a.reservedCpus};mem(${a.reservedFor}):128`;
            h.addAgent(`ag${i}`, text);
          });
          frameworks.forEach((f, i) => h.addFramework(`fw${i}`, { roles: f.roles, capabilities: { revocableResources: f.revocable } }));
          const limits = new Map<string, number>();
          const tasks: Task[] = [];
          const outstanding = (): RecordedOffer[] => [...h.outstanding.values()];

          const check = (plans: RecordedOffer[]) => {
            // One plan per (framework, role, agent) per round.
            const keys = plans.map((p) => `${p.frameworkId}|${p.role}|${p.agentId}`);
            expect(new Set(keys).size).toBe(keys.length);
            for (const p of plans) {
              expect(p.resources.isEmpty()).toBe(false);
              expect(frameworks[Number(p.frameworkId.slice(2))]!.roles).toContain(p.role);
              for (const r of p.resources.toArray()) {
                expect(r.allocation_info?.role).toBe(p.role);
                const owner = r.reservations?.at(-1)?.role;
                if (owner !== undefined) expect(isSubroleOrSelf(p.role, owner)).toBe(true);
              }
            }
            for (const [agentId, total] of h.totals) {
              let used = Resources.empty();
              for (const o of outstanding()) if (o.agentId === agentId) used = used.add(o.resources.unallocate());
              for (const t of tasks) if (t.agentId === agentId) used = used.add(t.resources.unallocate());
              expect(total.contains(used)).toBe(true);
            }
            for (const [role, limit] of limits) {
              let consumed = reservedCpusOfSubtree(h.totals, role);
              const held = [...outstanding().map((o) => ({ role: o.role, r: o.resources })), ...tasks.map((t) => ({ role: t.resources.toArray()[0]!.allocation_info!.role!, r: t.resources }))];
              for (const { role: owner, r } of held) if (isSubroleOrSelf(owner, role)) consumed += r.unreserved().nonRevocable().scalar("cpus");
              expect(consumed).toBeLessThanOrEqual(limit + 1e-9);
            }
          };

          for (const action of actions) {
            const offers = outstanding();
            switch (action.kind) {
              case "tick":
                check(h.tick(action.ms));
                break;
              case "decline":
                if (offers.length > 0) h.decline(offers[action.pick % offers.length]!, action.refuse);
                break;
              case "launch": {
                if (offers.length === 0) break;
                const offer = offers[action.pick % offers.length]!;
                const free = offer.resources.unallocate().unreserved().nonRevocable();
                const want = `cpus:${action.cpus};mem:32`;
                if (!free.contains(Resources.parse(want))) break;
                tasks.push({ frameworkId: offer.frameworkId, agentId: offer.agentId, resources: h.launch(offer, want, 1) });
                break;
              }
              case "finish": {
                if (tasks.length === 0) break;
                const [task] = tasks.splice(action.pick % tasks.length, 1);
                h.finish(task!.frameworkId, task!.agentId, task!.resources);
                break;
              }
              case "suppress":
                h.allocator.suppressOffers(`fw${action.pick % frameworks.length}`, action.role === "*" ? [] : [action.role]);
                break;
              case "revive":
                h.allocator.reviveOffers(`fw${action.pick % frameworks.length}`, []);
                break;
              case "reserve": {
                // RESERVE part of an offer's unreserved cpus for the offer's role (not "*").
                const candidates = offers.filter((o) => o.role !== "*");
                if (candidates.length === 0) break;
                const offer = candidates[action.pick % candidates.length]!;
                const from = Resources.parse(`cpus:${action.cpus}`).allocate(offer.role);
                if (!offer.resources.contains(from)) break;
                h.convert(offer, from, dynamicallyReserved(`cpus:${action.cpus}`, offer.role, action.labelled).allocate(offer.role));
                exercised.reserve++;
                break;
              }
              case "unreserve": {
                const candidates = offers.filter((o) => !o.resources.filter((r) => r.reservations?.at(-1)?.type === "DYNAMIC").isEmpty());
                if (candidates.length === 0) break;
                const offer = candidates[action.pick % candidates.length]!;
                const from = offer.resources.filter((r) => r.reservations?.at(-1)?.type === "DYNAMIC");
                h.convert(offer, from, from.popReservation());
                exercised.unreserve++;
                break;
              }
              case "operatorReserve": {
                // The master refuses an operator reservation that would push a role past a quota
                // limit; histories here only reserve for roles without limits.
                if ([...limits.keys()].some((limited) => isSubroleOrSelf(action.role, limited))) break;
                const agentId = `ag${action.agent % agents.length}`;
                if (h.convertAvailable(agentId, Resources.parse(`cpus:${action.cpus}`), dynamicallyReserved(`cpus:${action.cpus}`, action.role))) exercised.operatorReserve++;
                break;
              }
              case "limit": {
                // A limit is only ever set at or above what the role already consumes (as
                // UPDATE_QUOTA without force requires); the master would rescind offers above it.
                for (const o of outstanding()) if (isSubroleOrSelf(o.role, action.role)) h.rescind(o);
                let consumed = reservedCpusOfSubtree(h.totals, action.role);
                for (const t of tasks) {
                  const owner = t.resources.toArray()[0]!.allocation_info!.role!;
                  if (isSubroleOrSelf(owner, action.role)) consumed += t.resources.unreserved().scalar("cpus");
                }
                const limit = consumed + action.extra;
                limits.set(action.role, limit);
                h.allocator.updateQuota({ role: action.role, guarantees: {}, limits: { cpus: limit } });
                break;
              }
            }
          }
          check(h.tick());
        },
      ),
      { numRuns: 300 },
    );
    // The histories did make and drop dynamic reservations (the property is not vacuous).
    expect(exercised.reserve).toBeGreaterThan(50);
    expect(exercised.unreserve).toBeGreaterThan(50);
    expect(exercised.operatorReserve).toBeGreaterThan(50);
  });
});
