// Maintenance and draining on the leading master (ha-maintenance.md §5–6): the schedule and the
// machine modes (persisted as one registry entry), machines taken DOWN and brought UP, and the
// periodic pass. Inverse offers and the frameworks' answers live in ./inverse-offers.ts, per-agent
// draining/deactivation/marking gone (persisted in the agent's registry record) in ./drains.ts;
// this service owns both and is what the master core, the operator API and the dashboard call.
// Every operator action is recorded in the timeline with who asked, why, and the result. One
// instance per leadership term (./index.ts).
import { isTerminalState, type TaskStatus } from "../../protocol/mesos";
import { CommandError } from "../errors";
import type { Master } from "../master";
import { rescindAgentOffers, splitEndpoint } from "../offers";
import { removeAgent } from "../agents";
import { PutEntry, RemoveAgent } from "../registrar";
import type { Agent, Framework } from "../state";
import type { TimerHandle } from "../clock";
import { AgentDrains, audited } from "./drains";
import { InverseOffers, type InverseOfferAnswer } from "./inverse-offers";
import {
  agentMachine, describeMachine, machineKey, sameUnavailability, scheduledMachines, validateMachines, validateSchedule, withoutMachines,
  type MachineId, type MachineMode, type Schedule, type Unavailability,
} from "./machines";

export const MAINTENANCE_ENTRY = "maintenance";

/** The registry entry: the schedule and the machines currently DOWN. */
export interface PersistedMaintenance {
  schedule: Schedule;
  down: MachineId[];
}

export interface DrainConfig {
  max_grace_period?: { nanoseconds: number };
  mark_gone: boolean;
}

export interface DrainInfo {
  state: "DRAINING" | "DRAINED";
  config: DrainConfig;
}

/** At most this many unscheduled machines are listed for the dashboard's window editor. */
const KNOWN_MACHINES = 1000;

export interface ActionContext {
  principal: string;
  reason?: string;
}

export interface MaintenanceView {
  windows: {
    startMs: number;
    durationMs?: number;
    machines: {
      id: MachineId;
      mode: MachineMode;
      agents: { id: string; hostname: string; tasks: number; frameworks: string[] }[];
      answers: { frameworkId: string; frameworkName: string; status: InverseOfferAnswer; time: number }[];
    }[];
  }[];
  /** Machines of the registered agents, with those agents. */
  knownMachines: { id: MachineId; agents: MaintenanceView["windows"][number]["machines"][number]["agents"] }[];
  inverseOffers: ReturnType<InverseOffers["rows"]>;
}

export class Maintenance {
  private schedule: Schedule = { windows: [] };
  private scheduled = scheduledMachines(this.schedule);
  private readonly down = new Map<string, MachineId>();
  /** Connected agents on DRAINING machines (the only ones the periodic pass looks at). */
  private readonly onDrainingMachines = new Map<string, Agent>();
  private readonly keys = new WeakMap<Agent, { hostname: string; endpoint: string; key: string }>();
  private timer: TimerHandle | null = null;
  private unsubscribe: (() => void) | null = null;

  private readonly drains: AgentDrains;
  readonly inverse: InverseOffers;

  constructor(
    private readonly m: Master,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.drains = new AgentDrains(m, log);
    this.inverse = new InverseOffers(m, {
      agents: () => this.onDrainingMachines.values(),
      unavailabilityOf: (agent) => this.unavailabilityOf(agent),
      keyOf: (agent) => this.keyOf(agent),
    });
  }

  /** Loads the persisted schedule and modes, installs the master's hooks and starts the periodic pass. */
  start(): void {
    const m = this.m;
    const saved = m.registrar.view().entries.get(MAINTENANCE_ENTRY) as PersistedMaintenance | undefined;
    if (saved) {
      this.setSchedule(saved.schedule ?? { windows: [] });
      for (const id of saved.down ?? []) this.down.set(machineKey(id), id);
    }
    m.maintenance = this;
    m.inverseOfferResponse = (framework, call) => this.inverse.answer(framework, call);
    this.unsubscribe = m.events.subscribe((e) => {
      if (e.type === "AGENT_ADDED" || e.type === "AGENT_UPDATED") this.agentSeen(e.agent);
      else if (e.type === "AGENT_REMOVED") {
        this.onDrainingMachines.delete(e.agentId);
        this.inverse.rescind((o) => o.agentId === e.agentId);
      } else if (e.type === "FRAMEWORK_REMOVED" || (e.type === "FRAMEWORK_UPDATED" && e.framework.lifecycle !== "connected")) {
        this.inverse.drop((o) => o.frameworkId === e.framework.id);
      }
      else if (e.type === "TASK_UPDATED" && isTerminalState(e.task.state)) this.checkDrained(e.task.agentId);
      else if (e.type === "TASK_ADDED" && this.onDrainingMachines.has(e.task.agentId)) this.inverse.markDirty();
      if ((e.type === "FRAMEWORK_ADDED" || e.type === "FRAMEWORK_UPDATED") && e.framework.lifecycle === "connected") this.inverse.markDirty();
    });
    for (const agent of m.agents.values()) this.agentSeen(agent);
    this.timer = m.clock.setInterval(() => this.tick(), Math.max(100, Math.min(m.config.allocationIntervalMs, 1000)));
  }

  stop(): void {
    this.timer?.cancel();
    this.unsubscribe?.();
    if (this.m.maintenance === this) this.m.maintenance = undefined;
  }

  // ---- hooks the master core calls ----

  /** Why an agent on this machine may not (re-)register, or null. */
  refusal(hostname: string, endpoint: string): string | null {
    const key = machineKey(agentMachine(hostname, splitEndpoint(endpoint)[0]));
    return this.down.has(key) ? "Machine is DOWN" : null;
  }

  /** The unavailability to attach to offers from this agent (its machine is DRAINING). */
  unavailability(agentId: string): Unavailability | undefined {
    const agent = this.m.agents.get(agentId);
    return agent ? this.unavailabilityOf(agent) : undefined;
  }

  machineOf(agent: Agent): MachineId {
    return agentMachine(agent.info.hostname, splitEndpoint(agent.endpoint)[0]);
  }

  /** The agent's machine key, cached per agent (recomputed if its hostname or endpoint changes). */
  private keyOf(agent: Agent): string {
    const cached = this.keys.get(agent);
    if (cached && cached.hostname === agent.info.hostname && cached.endpoint === agent.endpoint) return cached.key;
    const key = machineKey(this.machineOf(agent));
    this.keys.set(agent, { hostname: agent.info.hostname, endpoint: agent.endpoint, key });
    return key;
  }

  modeOf(id: MachineId): MachineMode {
    const key = machineKey(id);
    return this.down.has(key) ? "DOWN" : this.scheduled.has(key) ? "DRAINING" : "UP";
  }

  private unavailabilityOf(agent: Agent): Unavailability | undefined {
    const key = this.keyOf(agent);
    return this.down.has(key) ? undefined : this.scheduled.get(key)?.unavailability;
  }

  // ---- reads ----

  currentSchedule(): Schedule {
    return structuredClone(this.schedule);
  }

  downMachines(): MachineId[] {
    return [...this.down.values()].map((id) => ({ ...id }));
  }

  /** Mesos ClusterStatus. */
  status(): { draining_machines: { id: MachineId; statuses: { status: InverseOfferAnswer; framework_id: { value: string }; timestamp: { nanoseconds: number } }[] }[]; down_machines: MachineId[] } {
    const draining = [...this.scheduled].filter(([key]) => !this.down.has(key));
    return {
      draining_machines: draining.map(([key, { id }]) => ({
        id: { ...id },
        statuses: this.inverse.answersFor(key).map((a) => ({ status: a.status, framework_id: { value: a.frameworkId }, timestamp: { nanoseconds: a.time * 1e6 } })),
      })),
      down_machines: this.downMachines(),
    };
  }

  /**
   * The dashboard's maintenance page: windows with their machines (mode, agents on them, the
   * frameworks' answers), and the machines the master knows from its agents (to pick from).
   */
  dashboardView(): MaintenanceView {
    // One pass over the agents with cached machine keys: details (task counts, frameworks) only
    // for agents on scheduled machines and for the first KNOWN_MACHINES other machines.
    const agentsByMachine = new Map<string, { id: string; hostname: string; tasks: number; frameworks: string[] }[]>();
    const known = new Map<string, MachineId>();
    for (const agent of this.m.agents.values()) {
      const key = this.keyOf(agent);
      const scheduled = this.scheduled.has(key);
      if (!scheduled) {
        if (!known.has(key) && known.size >= KNOWN_MACHINES) continue;
        known.set(key, this.machineOf(agent));
      }
      let tasks = 0;
      const frameworks: string[] = [];
      for (const [fwId, byId] of agent.tasks) {
        let live = 0;
        for (const t of byId.values()) if (!isTerminalState(t.state)) live++;
        tasks += live;
        if (live > 0) frameworks.push(this.m.frameworks.get(fwId)?.info.name || fwId);
      }
      const list = agentsByMachine.get(key) ?? [];
      list.push({ id: agent.id, hostname: agent.info.hostname, tasks, frameworks });
      agentsByMachine.set(key, list);
    }
    const machine = (id: MachineId) => {
      const key = machineKey(id);
      return {
        id: { ...id },
        mode: this.modeOf(id),
        agents: agentsByMachine.get(key) ?? [],
        answers: this.inverse.answersFor(key).map((a) => ({ frameworkId: a.frameworkId, frameworkName: this.m.frameworks.get(a.frameworkId)?.info.name ?? "", status: a.status, time: a.time })),
      };
    };
    return {
      windows: this.schedule.windows.map((w) => ({
        startMs: w.unavailability.start.nanoseconds / 1e6,
        ...(w.unavailability.duration ? { durationMs: w.unavailability.duration.nanoseconds / 1e6 } : {}),
        machines: w.machine_ids.map(machine),
      })),
      knownMachines: [...known.values()]
        .sort((a, b) => (a.hostname ?? "").localeCompare(b.hostname ?? "") || (a.ip ?? "").localeCompare(b.ip ?? ""))
        .map((id) => ({ id, agents: agentsByMachine.get(machineKey(id)) ?? [] })),
      inverseOffers: this.inverse.rows(),
    };
  }

  // ---- schedule, machine down/up ----

  async updateSchedule(schedule: Schedule, who: ActionContext): Promise<void> {
    await audited(this.m, "UPDATE_MAINTENANCE_SCHEDULE", who, undefined, async () => {
      const invalid = validateSchedule(schedule, this.down.values());
      if (invalid) throw new CommandError("BAD_REQUEST", invalid);
      await this.persist(schedule, this.down);
      const machines = schedule.windows.reduce((n, w) => n + w.machine_ids.length, 0);
      this.applySchedule(schedule);
      return `Maintenance schedule updated by ${who.principal}: ${schedule.windows.length} window${schedule.windows.length === 1 ? "" : "s"}, ${machines} machine${machines === 1 ? "" : "s"}`;
    });
  }

  /** START_MAINTENANCE / POST /machine/down: DRAINING machines go DOWN; their agents are removed. */
  async startMaintenance(ids: MachineId[], who: ActionContext): Promise<void> {
    await audited(this.m, "START_MAINTENANCE", who, undefined, async () => {
      const invalid = validateMachines(ids);
      if (invalid) throw new CommandError("BAD_REQUEST", invalid);
      for (const id of ids) {
        const key = machineKey(id);
        if (!this.scheduled.has(key)) throw new CommandError("BAD_REQUEST", `Machine '${describeMachine(id)}' is not part of a maintenance schedule`);
        if (this.down.has(key)) throw new CommandError("BAD_REQUEST", `Machine '${describeMachine(id)}' is not in DRAINING mode and cannot be brought down`);
      }
      const down = new Map(this.down);
      for (const id of ids) down.set(machineKey(id), this.scheduled.get(machineKey(id))!.id);
      await this.persist(this.schedule, down);
      const keys = new Set(ids.map(machineKey));
      for (const id of ids) this.down.set(machineKey(id), this.scheduled.get(machineKey(id))!.id);
      for (const key of keys) this.inverse.forgetAnswers(key);
      const agents = [...this.m.agents.values()].filter((a) => keys.has(this.keyOf(a)));
      for (const agent of agents) agent.link?.send({ type: "SHUTDOWN_AGENT", message: "Machine is DOWN for maintenance" });
      // Queued together, the removals are committed in as few registry transactions as possible.
      await Promise.all(agents.map((agent) => this.m.registrar.apply(RemoveAgent(agent.id)).catch((err: Error) => this.log(`master] failed to remove agent ${agent.id} from the registry: ${err.message}`))));
      for (const agent of agents) if (this.m.agents.get(agent.id) === agent) removeAgent(this.m, agent, "its machine is DOWN for maintenance");
      return `Machine${ids.length === 1 ? "" : "s"} ${ids.map(describeMachine).join(", ")} taken DOWN by ${who.principal} (${agents.length} agent${agents.length === 1 ? "" : "s"} removed)`;
    });
  }

  /** STOP_MAINTENANCE / POST /machine/up: DOWN machines go UP and leave the schedule. */
  async stopMaintenance(ids: MachineId[], who: ActionContext): Promise<void> {
    await audited(this.m, "STOP_MAINTENANCE", who, undefined, async () => {
      const invalid = validateMachines(ids);
      if (invalid) throw new CommandError("BAD_REQUEST", invalid);
      for (const id of ids) {
        if (!this.down.has(machineKey(id))) throw new CommandError("BAD_REQUEST", `Machine '${describeMachine(id)}' is not in DOWN mode and cannot be brought up`);
      }
      const keys = new Set(ids.map(machineKey));
      const schedule = withoutMachines(this.schedule, keys);
      const down = new Map([...this.down].filter(([k]) => !keys.has(k)));
      await this.persist(schedule, down);
      for (const k of keys) this.down.delete(k);
      this.applySchedule(schedule);
      return `Machine${ids.length === 1 ? "" : "s"} ${ids.map(describeMachine).join(", ")} brought UP by ${who.principal}`;
    });
  }

  private persist(schedule: Schedule, down: Map<string, MachineId>): Promise<void> {
    const value: PersistedMaintenance = { schedule, down: [...down.values()] };
    return this.m.registrar.apply(PutEntry("UpdateMaintenance", MAINTENANCE_ENTRY, value));
  }

  private setSchedule(schedule: Schedule): void {
    this.schedule = schedule;
    this.scheduled = scheduledMachines(schedule);
  }

  /** Applies a persisted schedule: offers and inverse offers of machines whose window changed are withdrawn. */
  private applySchedule(schedule: Schedule): void {
    const before = this.scheduled;
    this.setSchedule(schedule);
    const changed = new Set<string>();
    for (const [key, v] of before) if (!sameUnavailability(v.unavailability, this.scheduled.get(key)?.unavailability)) changed.add(key);
    for (const key of this.scheduled.keys()) if (!before.has(key)) changed.add(key);
    for (const key of changed) if (!this.scheduled.has(key)) this.inverse.forgetAnswers(key);
    for (const agent of this.m.agents.values()) {
      this.track(agent);
      if (!changed.has(this.keyOf(agent))) continue;
      this.syncAllocator(agent);
      rescindAgentOffers(this.m, agent); // re-offered with (or without) the unavailability
      this.inverse.rescind((o) => o.agentId === agent.id);
      this.inverse.clearFilters(agent.id);
    }
    this.inverse.send();
    this.m.requestAllocation();
  }

  /** Keeps `onDrainingMachines` in step with the agent's machine mode. */
  private track(agent: Agent): void {
    if (this.m.agents.get(agent.id) === agent && this.unavailabilityOf(agent)) this.onDrainingMachines.set(agent.id, agent);
    else if (this.onDrainingMachines.get(agent.id) === agent) this.onDrainingMachines.delete(agent.id);
  }

  private syncAllocator(agent: Agent): void {
    const u = this.unavailabilityOf(agent);
    this.m.allocator.updateUnavailability(agent.id, u ? { startNs: u.start.nanoseconds, durationNs: u.duration?.nanoseconds } : undefined);
  }

  // ---- the periodic pass ----

  /** Inverse offers when something changed or a filter expired; draining agents that may be done. */
  tick(): void {
    this.inverse.maybeSend();
    for (const agent of this.m.agents.values()) if ((agent.drainInfo as DrainInfo | undefined)?.state === "DRAINING") this.checkDrained(agent.id);
  }

  // ---- agents: drain, deactivate, reactivate, mark gone ----

  /** An agent (re-)registered or changed: restore its drain state from the registry, keep draining it. */
  private agentSeen(agent: Agent): void {
    if (this.m.agents.get(agent.id) !== agent) return;
    const record = this.m.registrar.view().agents.get(agent.id);
    if (record?.drainInfo && !agent.drainInfo) agent.drainInfo = record.drainInfo as DrainInfo;
    if (record?.deactivated && !agent.deactivated) {
      agent.deactivated = true;
      this.m.allocator.deactivateAgent(agent.id);
    }
    this.syncAllocator(agent);
    this.track(agent);
    if (this.onDrainingMachines.has(agent.id)) this.inverse.markDirty();
    this.drains.resume(agent);
  }

  // Per-agent actions (./drains.ts), here so the master core, the operator API and the dashboard
  // have one maintenance service to call.
  drainAgent(agentId: string, opts: { maxGracePeriodNs?: number; markGone?: boolean }, who: ActionContext): Promise<void> {
    return this.drains.drainAgent(agentId, opts, who);
  }
  deactivateAgent(agentId: string, who: ActionContext): Promise<void> {
    return this.drains.deactivateAgent(agentId, who);
  }
  reactivateAgent(agentId: string, who: ActionContext): Promise<void> {
    return this.drains.reactivateAgent(agentId, who);
  }
  markAgentGone(agentId: string, who: ActionContext): Promise<void> {
    return this.drains.markAgentGone(agentId, who);
  }
  drainStatus(agentId: string, framework: Framework, status: TaskStatus): TaskStatus {
    return this.drains.drainStatus(agentId, framework, status);
  }
  checkDrained(agentId: string): void {
    this.drains.checkDrained(agentId);
  }

}
