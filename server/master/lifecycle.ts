// A master process's life across leadership terms (Mesos: contend → elected → recover → lead;
// a leader that loses its candidacy aborts and is restarted). Plateau keeps the process and
// replaces the core instead:
//
//   new term (fresh Master, phase recovering) ─contend─► elected ─claim epoch, load registry─► leading
//        ▲                                                                                     │
//        └── fail-stop: ZooKeeper session lost, candidacy gone, or a registry write fenced ◄───┘
//            (the term's store is revoked first, then its timers, streams and agent sockets
//             are closed; nothing of the old core can write again)
//
// A follower that loses its session simply contends again with the same (empty) core.
// Standalone (no ZooKeeper): elected at once; if fenced by another master it stays stopped.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Allocator } from "../allocator/types";
import type { Candidacy, HaStatus, LeaderElection, MasterRole } from "../ha/types";
import { masterAddress } from "../ha/types";
import type { Clock, TimerHandle } from "./clock";
import type { MasterConfig } from "./config";
import { createAgentSocketServer, type AgentSocketServer } from "./http/agent-socket";
import { MasterHandle } from "./handle";
import { Master } from "./master";
import { Registrar, type RegistryOperation } from "./registrar";
import type { ElectionRecordRow, RegistryStore } from "./registry/store";
import { TermStore } from "./registry/term-store";

/** A clock whose timers can all be cancelled at once (a term's timers die with the term). */
export class TermClock implements Clock {
  private readonly handles = new Set<TimerHandle>();
  constructor(private readonly base: Clock) {}

  now(): number {
    return this.base.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const h: TimerHandle = this.base.setTimeout(() => {
      this.handles.delete(wrapped);
      fn();
    }, ms);
    const wrapped = { cancel: () => (h.cancel(), this.handles.delete(wrapped)) };
    this.handles.add(wrapped);
    return wrapped;
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const h = this.base.setInterval(fn, ms);
    const wrapped = { cancel: () => (h.cancel(), this.handles.delete(wrapped)) };
    this.handles.add(wrapped);
    return wrapped;
  }

  cancelAll(): void {
    for (const h of [...this.handles]) h.cancel();
  }
}

/** Services that run while a term leads; `stop(graceful)` must not write unless graceful. */
export type LeaderServices = (term: Term) => Promise<(graceful: boolean) => Promise<void>>;

/** Recovers the registry into the term's fresh core (claims the epoch first). */
export type RecoverRegistry = (m: Master) => Promise<void>;

export class Term {
  readonly master: Master;
  readonly handle: MasterHandle;
  readonly store: TermStore;
  readonly clock: TermClock;
  readonly agentSockets: AgentSocketServer;
  candidacy: Candidacy | null = null;
  elected = false;
  ended = false;
  stopServices: ((graceful: boolean) => Promise<void>) | null = null;
  /** Agent connections that arrived while the registry was being recovered. */
  readonly heldUpgrades: { req: IncomingMessage; socket: Duplex; head: Buffer }[] = [];

  constructor(config: MasterConfig, clock: Clock, store: RegistryStore, allocator: Allocator, onFenced: (term: Term, reason: string) => void) {
    this.clock = new TermClock(clock);
    this.store = new TermStore(store, () => this.candidacy?.isValid() ?? false);
    const registrar = new Registrar(this.store, (err) => onFenced(this, err.message));
    this.master = new Master(config, this.clock, allocator, registrar);
    this.handle = new MasterHandle(this.master);
    this.agentSockets = createAgentSocketServer(this.master);
  }
}

export interface LifecycleOptions {
  config: MasterConfig;
  clock: Clock;
  /** The process's registry store (initialised; shared by every term). */
  store: RegistryStore;
  election: LeaderElection;
  newAllocator: () => Allocator;
  recoverRegistry: RecoverRegistry;
  leaderServices: LeaderServices;
  log: (line: string) => void;
}

const RecordElection = (record: ElectionRecordRow): RegistryOperation => ({
  name: "RecordElection",
  writes: () => [{ kind: "election.put", record }],
});

const ELECTIONS_KEPT = 100;

export class MasterLifecycle {
  private current: Term;
  private readonly termListeners = new Set<(term: Term) => void>();
  private elections: ElectionRecordRow[] = [];
  private electionsReadAt = 0;
  private closing = false;
  /** Ids this process led under, with why each term ended (for the next election's reason). */
  private readonly endedTerms = new Map<string, string>();
  /** Why each term of this process ended; `registryWrites` keeps counting refusals afterwards. */
  readonly failStops: HaStatus["failStops"] = [];
  private firstOutcome: { resolve(): void; reject(err: Error): void } | null = null;

  constructor(private readonly o: LifecycleOptions) {
    this.current = this.newTerm();
  }

  get term(): Term {
    return this.current;
  }

  get election(): LeaderElection {
    return this.o.election;
  }

  onTermChange(listener: (term: Term) => void): () => void {
    this.termListeners.add(listener);
    return () => this.termListeners.delete(listener);
  }

  /** Starts contending. Standalone: resolves once leading (rejects if recovery fails). */
  start(): Promise<void> {
    const standalone = this.o.election.kind === "standalone";
    const outcome = standalone ? new Promise<void>((resolve, reject) => (this.firstOutcome = { resolve, reject })) : Promise.resolve();
    this.contend(this.current);
    return outcome;
  }

  role(): MasterRole {
    const t = this.current;
    if (t.master.isLeading) return "leading";
    const state = this.o.election.detector.session().state;
    if (state === "standalone") return t.ended ? "disconnected" : "contending";
    return state === "connected" ? "contending" : "disconnected";
  }

  async status(): Promise<HaStatus> {
    const t = this.current;
    const m = t.master;
    if (!m.isLeading && Date.now() - this.electionsReadAt > 1000) {
      // A follower reads the history the leader writes (a read: not fenced).
      this.electionsReadAt = Date.now();
      const loaded = await this.o.store.loadHistory({ timeline: 0, metrics: 0, elections: ELECTIONS_KEPT }).catch(() => null);
      if (loaded && !this.current.master.isLeading) this.elections = loaded.elections; // not over a new leader's own list
    }
    const detector = this.o.election.detector;
    return {
      mode: this.o.election.kind,
      role: this.role(),
      self: m.info,
      elected: t.elected && !t.ended,
      epoch: m.isLeading ? m.registrar.currentEpoch : undefined,
      electedTime: m.isLeading ? m.electedTime : undefined,
      session: detector.session(),
      leader: detector.leader,
      contenders: await detector.contenders().catch(() => []),
      elections: this.elections.map((e) => ({ ...e })),
      failStops: this.failStops.slice(-20).map((f) => ({ ...f, registryWrites: { ...f.registryWrites } })),
      registryWrites: { ...t.store.stats },
    };
  }

  private newTerm(): Term {
    const term = new Term(this.o.config, this.o.clock, this.o.store, this.o.newAllocator(), (t, reason) => this.failStop(t, reason));
    term.master.highAvailability = () => this.status();
    return term;
  }

  private contend(term: Term): void {
    if (this.closing || term.ended) return;
    const candidacy = this.o.election.contender.contend(term.master.info);
    term.candidacy = candidacy;
    void candidacy.elected.then(() => this.onElected(term, candidacy));
    void candidacy.lost.then((reason) => this.onCandidacyLost(term, candidacy, reason));
  }

  private async onElected(term: Term, candidacy: Candidacy): Promise<void> {
    if (term !== this.current || term.ended || term.candidacy !== candidacy || this.closing) return;
    term.elected = true;
    const m = term.master;
    this.o.log(`master] Elected as the leading master (${m.id}); recovering the registry`);
    try {
      await this.o.recoverRegistry(m);
      if (term.ended) return;
      const history = await m.registrar.loadHistory({ timeline: 0, metrics: 0, elections: ELECTIONS_KEPT });
      term.stopServices = await this.o.leaderServices(term);
      if (term.ended) return;
      m.phase = "leading";
      m.electedTime = m.clock.now();
      const record = this.electionRecord(m);
      this.elections = [...history.elections.filter((e) => e.epoch !== record.epoch), record].slice(-ELECTIONS_KEPT);
      m.timeline.add({ time: record.elected, kind: "election", action: "ELECTED", summary: `Master ${m.id} at ${record.address} is leading (registry: ${m.registrar.storeKind}, epoch ${record.epoch}): ${record.reason}` });
      this.o.log(`master] Leading (epoch ${record.epoch}, registry ${m.registrar.storeKind}): ${record.reason}${record.gapMs !== undefined ? `; ${record.gapMs} ms without a leader` : ""}`);
      for (const held of term.heldUpgrades.splice(0)) term.agentSockets.handleUpgrade(held.req, held.socket, held.head);
      m.registrar.apply(RecordElection(record)).catch((err: Error) => this.o.log(`master] failed to record the election: ${err.message}`));
      this.firstOutcome?.resolve();
      this.firstOutcome = null;
    } catch (err) {
      this.firstOutcome?.reject(err as Error);
      this.firstOutcome = null;
      this.failStop(term, `recovery failed: ${(err as Error).message}`);
    }
  }

  private electionRecord(m: Master): ElectionRecordRow {
    const loss = this.o.election.detector.lastLoss;
    const previous = loss && loss.leader.id !== m.id ? loss : null;
    let reason: string;
    if (this.o.election.kind === "standalone") reason = "standalone master (no ZooKeeper)";
    else if (!previous) reason = "no previous leader seen by this master";
    else {
      const ownEnd = this.endedTerms.get(previous.leader.id);
      reason = ownEnd
        ? `the previous leader (this process, ${previous.leader.id}) stopped leading: ${ownEnd}`
        : `the previous leader ${previous.leader.id} at ${masterAddress(previous.leader)} went away (its ZooKeeper node was deleted)`;
    }
    return {
      epoch: m.registrar.currentEpoch,
      masterId: m.id,
      address: `${m.config.ip}:${m.config.port}`,
      hostname: m.info.hostname,
      version: m.info.version,
      elected: m.electedTime ?? m.clock.now(),
      reason,
      ...(previous ? { gapMs: Math.max(0, Math.round((m.electedTime ?? Date.now()) - previous.at)) } : {}),
    };
  }

  private onCandidacyLost(term: Term, candidacy: Candidacy, reason: string): void {
    if (term !== this.current || term.candidacy !== candidacy || term.ended || this.closing) return;
    if (term.elected) {
      this.failStop(term, `lost leadership: ${reason}`);
      return;
    }
    this.o.log(`master] Candidacy lost (${reason}); contending again`);
    const timer = setTimeout(() => this.contend(term), 200);
    timer.unref();
  }

  /** Stops the term at once: no registry write from it can happen after this returns. */
  failStop(term: Term, reason: string): void {
    if (term.ended) return;
    const wasLeading = term.master.isLeading || term.elected;
    this.endTerm(term);
    this.endedTerms.set(term.master.id, reason);
    this.failStops.push({ at: Date.now(), masterId: term.master.id, reason, registryWrites: term.store.stats });
    if (this.failStops.length > 100) this.failStops.shift();
    if (!wasLeading) {
      this.o.log(`master] Stopped contending: ${reason}`);
    } else {
      this.o.log(`master] FATAL: ${reason}; this master stops leading (fail-stop)${this.o.election.kind === "zookeeper" ? " and contends again with a fresh state" : ""}`);
    }
    const stop = term.stopServices;
    term.stopServices = null;
    void stop?.(false).catch((err: Error) => this.o.log(`master] stopping leader services failed: ${err.message}`));
    void term.candidacy?.withdraw().catch(() => {});
    if (this.closing || this.o.election.kind === "standalone") return;
    this.current = this.newTerm();
    for (const l of [...this.termListeners]) l(this.current);
    // Rejoin after a pause that grows with repeated fail-stops (a supervisor's restart delay).
    const recent = this.failStops.filter((f) => Date.now() - f.at < 60_000).length;
    const delay = Math.min(10_000, 100 * 2 ** Math.max(0, recent - 1));
    const next = this.current;
    const timer = setTimeout(() => this.contend(next), delay);
    timer.unref();
  }

  /** Revokes the term's store, then silences and disconnects everything it owns. */
  private endTerm(term: Term): void {
    term.ended = true;
    term.store.revoke();
    const m = term.master;
    m.phase = "stopped";
    term.clock.cancelAll();
    for (const held of term.heldUpgrades.splice(0)) held.socket.destroy();
    term.agentSockets.close();
    for (const fw of m.frameworks.values()) {
      fw.failoverTimer?.cancel();
      const stream = fw.stream;
      fw.stream = null; // detached first: closing it is not a framework disconnection
      stream?.close();
    }
  }

  /** Graceful shutdown: leader services may flush, queued registry writes finish, the candidacy is withdrawn. */
  async stop(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const term = this.current;
    const stop = term.stopServices;
    term.stopServices = null;
    if (stop && !term.ended) await stop(true).catch((err: Error) => this.o.log(`master] stopping leader services failed: ${err.message}`));
    if (!term.ended) this.endTerm(term);
    await term.master.registrar.close().catch(() => {});
    await term.candidacy?.withdraw().catch(() => {});
    await this.o.election.close().catch(() => {});
    await this.o.store.close();
  }
}
