// Inverse offers (ha-maintenance.md §5): every connected framework using an agent on a DRAINING
// machine is asked to give it back before its unavailability starts. Keeps the outstanding
// inverse offers, the frameworks' answers per machine (Mesos's ClusterStatus) and the answer
// filters (refuse_seconds). Owned by the Maintenance service (./service.ts), which says which
// agents are on DRAINING machines.
import { isTerminalState } from "../../protocol/mesos";
import type { InverseOffer, SchedulerCall, SchedulerEvent } from "../../protocol/scheduler";
import type { Master } from "../master";
import { splitEndpoint } from "../offers";
import type { Agent, Framework } from "../state";
import type { Unavailability } from "./machines";

export type InverseOfferAnswer = "UNKNOWN" | "ACCEPT" | "DECLINE";

export interface InverseOfferRecord {
  id: string;
  frameworkId: string;
  agentId: string;
  machine: string;
  unavailability: Unavailability;
  createdAt: number;
}

export interface AnswerRecord {
  status: InverseOfferAnswer;
  frameworkId: string;
  /** ms since epoch */
  time: number;
}

/** What the inverse offers need to know about machines (the Maintenance service answers). */
export interface DrainingMachines {
  /** Agents on DRAINING machines (the only ones a pass looks at). */
  agents(): Iterable<Agent>;
  unavailabilityOf(agent: Agent): Unavailability | undefined;
  /** The agent's machine key. */
  keyOf(agent: Agent): string;
}

/** Filters.refuse_seconds default. */
const DEFAULT_REFUSE_SECONDS = 5;

export class InverseOffers {
  /** Outstanding inverse offers by id. */
  readonly records = new Map<string, InverseOfferRecord>();
  /** Machine key → framework id → the framework's latest answer. */
  private readonly answers = new Map<string, Map<string, AnswerRecord>>();
  /** `${frameworkId}|${agentId}` → ms until which no inverse offer is sent (decline/accept filters). */
  private readonly filters = new Map<string, number>();
  /** `${frameworkId}|${agentId}` → the outstanding inverse offer's id. */
  private readonly outstanding = new Map<string, string>();
  /** Something that may call for new inverse offers happened since the last full pass. */
  private dirty = true;
  /** Earliest expiry of an answer filter that held an inverse offer back. */
  private nextExpiry = Infinity;
  private seq = 0;

  constructor(
    private readonly m: Master,
    private readonly machines: DrainingMachines,
  ) {}

  /** Something changed that may call for inverse offers: the next pass sends them. */
  markDirty(): void {
    this.dirty = true;
  }

  /** A full pass only when something changed or an answer filter expired. */
  maybeSend(): void {
    if (this.dirty || this.m.clock.now() >= this.nextExpiry) this.send();
  }

  /** Frameworks using DRAINING agents get an inverse offer unless one is outstanding or filtered. */
  send(): void {
    const m = this.m;
    const now = m.clock.now();
    this.dirty = false;
    this.nextExpiry = Infinity;
    const batches = new Map<Framework, InverseOffer[]>();
    for (const agent of this.machines.agents()) {
      if (agent.connection !== "connected") continue;
      const unavailability = this.machines.unavailabilityOf(agent);
      if (!unavailability) continue;
      const machine = this.machines.keyOf(agent);
      const frameworkIds = new Set<string>();
      for (const [fwId, tasks] of agent.tasks) {
        for (const t of tasks.values()) {
          if (isTerminalState(t.state)) continue;
          frameworkIds.add(fwId);
          break;
        }
      }
      for (const fwId of agent.executors.keys()) frameworkIds.add(fwId);
      for (const fwId of frameworkIds) {
        const framework = m.frameworks.get(fwId);
        if (!framework || framework.lifecycle !== "connected") continue;
        const pair = `${fwId}|${agent.id}`;
        if (this.outstanding.has(pair)) continue;
        const filtered = this.filters.get(pair);
        if (filtered !== undefined) {
          if (filtered > now) {
            if (filtered < this.nextExpiry) this.nextExpiry = filtered;
            continue;
          }
          this.filters.delete(pair);
        }
        const record: InverseOfferRecord = { id: `${m.id}-IO${this.seq++}`, frameworkId: fwId, agentId: agent.id, machine, unavailability, createdAt: now };
        this.records.set(record.id, record);
        this.outstanding.set(pair, record.id);
        const answers = this.answers.get(machine) ?? new Map<string, AnswerRecord>();
        if (!answers.has(fwId)) answers.set(fwId, { status: "UNKNOWN", frameworkId: fwId, time: now });
        this.answers.set(machine, answers);
        const list = batches.get(framework) ?? [];
        list.push(this.toWire(record, agent));
        batches.set(framework, list);
      }
    }
    for (const [framework, inverse_offers] of batches) m.sendToFramework(framework, { type: "INVERSE_OFFERS", inverse_offers: { inverse_offers } });
    if (batches.size > 0) m.events.publish({ type: "OFFERS_CHANGED" });
  }

  private toWire(o: InverseOfferRecord, agent: Agent): InverseOffer {
    const [ip, port] = splitEndpoint(agent.endpoint);
    return {
      id: { value: o.id },
      url: { scheme: "http", address: { hostname: agent.info.hostname, ip, port: Number(port) || agent.info.port }, path: "/slave(1)" },
      framework_id: { value: o.frameworkId },
      agent_id: { value: o.agentId },
      unavailability: o.unavailability,
      resources: [],
    };
  }

  /** A framework's outstanding inverse offers, as sent (GET_FRAMEWORKS `inverse_offers`). */
  of(frameworkId: string): InverseOffer[] {
    const out: InverseOffer[] = [];
    if (this.records.size === 0) return out;
    for (const o of this.records.values()) {
      const agent = o.frameworkId === frameworkId ? this.m.agents.get(o.agentId) : undefined;
      if (agent) out.push(this.toWire(o, agent));
    }
    return out;
  }

  /** The frameworks' latest answers for a machine. */
  answersFor(machineKey: string): AnswerRecord[] {
    return [...(this.answers.get(machineKey)?.values() ?? [])];
  }

  /** The machine left DRAINING (went DOWN, or its window changed or went away). */
  forgetAnswers(machineKey: string): void {
    this.answers.delete(machineKey);
  }

  /** The agent's machine changed window: answers given for it no longer hold anything back. */
  clearFilters(agentId: string): void {
    for (const k of [...this.filters.keys()]) if (k.endsWith(`|${agentId}`)) this.filters.delete(k);
  }

  /** ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS from a framework (unknown ids are ignored). */
  answer(framework: Framework, call: SchedulerCall): void {
    const accept = call.type === "ACCEPT_INVERSE_OFFERS";
    const body = accept ? call.accept_inverse_offers : call.decline_inverse_offers;
    const refuse = body?.filters?.refuse_seconds ?? DEFAULT_REFUSE_SECONDS;
    const now = this.m.clock.now();
    const agents: string[] = [];
    for (const id of body?.inverse_offer_ids ?? []) {
      const o = this.records.get(id.value);
      if (!o || o.frameworkId !== framework.id) continue;
      this.remove(o);
      agents.push(o.agentId);
      const answers = this.answers.get(o.machine);
      answers?.set(framework.id, { status: accept ? "ACCEPT" : "DECLINE", frameworkId: framework.id, time: now });
      if (Number.isFinite(refuse) && refuse > 0) {
        const until = now + Math.min(refuse, 365 * 86400) * 1000;
        this.filters.set(`${framework.id}|${o.agentId}`, until);
        if (until < this.nextExpiry) this.nextExpiry = until;
      } else this.dirty = true;
    }
    if (agents.length === 0) return;
    this.m.timeline.add({
      time: now, kind: "maintenance", action: accept ? "INVERSE_OFFER_ACCEPTED" : "INVERSE_OFFER_DECLINED",
      summary: `Framework ${framework.info.name} (${framework.id}) ${accept ? "accepted" : "declined"} ${agents.length === 1 ? `the inverse offer for agent ${agents[0]}` : `${agents.length} inverse offers (agents ${agents.slice(0, 5).join(", ")}${agents.length > 5 ? ", …" : ""})`}`,
      frameworkId: framework.id, ...(agents.length === 1 ? { agentId: agents[0] } : {}),
    });
    this.m.events.publish({ type: "OFFERS_CHANGED" });
  }

  /** Withdraws the matching inverse offers and tells their frameworks (RESCIND_INVERSE_OFFER). */
  rescind(which: (o: InverseOfferRecord) => boolean): void {
    for (const o of [...this.records.values()]) {
      if (!which(o)) continue;
      this.remove(o);
      const framework = this.m.frameworks.get(o.frameworkId);
      if (framework) this.m.sendToFramework(framework, { type: "RESCIND_INVERSE_OFFER", rescind_inverse_offer: { inverse_offer_id: { value: o.id } } } as SchedulerEvent);
    }
  }

  /** Forgets the matching inverse offers without telling anyone (their framework is gone). */
  drop(which: (o: InverseOfferRecord) => boolean): void {
    for (const o of [...this.records.values()]) if (which(o)) this.remove(o);
  }

  private remove(o: InverseOfferRecord): void {
    this.dirty = true;
    this.records.delete(o.id);
    const pair = `${o.frameworkId}|${o.agentId}`;
    if (this.outstanding.get(pair) === o.id) this.outstanding.delete(pair);
  }

  /** Outstanding inverse offers for the dashboard, oldest first. */
  rows(): { id: string; frameworkId: string; frameworkName: string; agentId: string; agentHostname: string; startMs: number; durationMs?: number; createdAt: number }[] {
    return [...this.records.values()].map((o) => ({
      id: o.id,
      frameworkId: o.frameworkId,
      frameworkName: this.m.frameworks.get(o.frameworkId)?.info.name ?? "",
      agentId: o.agentId,
      agentHostname: this.m.agents.get(o.agentId)?.info.hostname ?? "",
      startMs: o.unavailability.start.nanoseconds / 1e6,
      ...(o.unavailability.duration ? { durationMs: o.unavailability.duration.nanoseconds / 1e6 } : {}),
      createdAt: o.createdAt,
    }));
  }
}
