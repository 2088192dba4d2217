// The agent's link to the master: one WebSocket to ws://<master>/internal/agent.
//
//   stopped ─start()─► backoff ─timer─► connecting ─open─► registering ─AGENT_(RE)REGISTERED─► registered
//                         ▲                 │                  │                                 │
//                         └──── close / error / no registration reply / no PING (ping × 5) ──────┘
//
// On every open the link sends the message `registration()` builds (REGISTER_AGENT the first
// time, REREGISTER_AGENT once the agent has an id). Reconnection waits a random time in
// [0, factor·2^n] (n = attempts since the last registration), capped at 1 min (Mesos's
// registration backoff); the first connection is immediate. PINGs are answered here. Frames are
// validated with parseMasterMessage; bad frames are logged and dropped, never thrown.
// `send()` is the only way out and drops (logging) while not registered: reliability is the
// status update manager's job.
//
// With `master` = `zk://…` the link follows the leader detected in ZooKeeper: it connects only
// when a leader is known, and when another master is elected it drops the connection and
// re-registers there after a random delay in [0, factor] (Mesos's agent on a new leader).
import WebSocket from "ws";
import { createDetector, isFollowingZooKeeper, leaderAddress } from "../ha/detect";
import type { LeaderDetector } from "../ha/types";
import {
  INTERNAL_AGENT_PATH, parseMasterMessage, type AgentToMaster, type MasterToAgent,
} from "../protocol/internal";
import { toWireJson } from "../protocol/json";
import type { Clock, TimerHandle } from "./clock";
import type { Logger } from "./log";

export type RegisteredMessage = Extract<MasterToAgent, { type: "AGENT_REGISTERED" | "AGENT_REREGISTERED" }>;
export type MasterCommand = Exclude<MasterToAgent, RegisteredMessage | { type: "PING" }>;

export type LinkState = "stopped" | "backoff" | "connecting" | "registering" | "registered";

export interface MasterLinkDeps {
  /** `host:port` of the master, or a ZooKeeper URL to follow the elected leader. */
  master: string;
  /** ZooKeeper session timeout of the leader detector (default 10 s). */
  zkSessionTimeoutMs?: number;
  backoffFactorMs: number;
  clock: Clock;
  log: Logger;
  /** Builds the (re)registration message for a fresh connection. */
  registration(): AgentToMaster;
  onRegistered(message: RegisteredMessage): void;
  onMessage(message: MasterCommand): void;
  onDisconnected?(): void;
  random?: () => number;
  /** Give up on a connection whose registration is not answered within this (ms). */
  registrationTimeoutMs?: number;
  /** `Authorization` header presented to the master (the agent's --credential), if any. */
  authorization?: string;
}

export const MAX_REGISTRATION_BACKOFF_MS = 60_000;
/** Mesos: the agent re-detects the master after this many missed pings. */
export const MAX_MISSED_PINGS = 5;

/** Delay before reconnection attempt `attempt` (0-based): random in [0, min(factor·2^attempt, 1 min)]. */
export function registrationBackoffMs(attempt: number, factorMs: number, random: () => number = Math.random): number {
  const bound = Math.min(factorMs * 2 ** Math.min(attempt, 30), MAX_REGISTRATION_BACKOFF_MS);
  return Math.floor(random() * bound);
}

export class MasterLink {
  private socket?: WebSocket;
  private stateValue: LinkState = "stopped";
  private attempts = 0;
  private retryTimer?: TimerHandle;
  private pingTimer?: TimerHandle;
  private registrationTimer?: TimerHandle;
  private pingTimeoutMs = 0;
  private droppedWhileDown = 0;
  private corked?: object;
  private readonly detector: LeaderDetector | null;
  /** `host:port` of the master this link is connected (or connecting) to. */
  private connectedTo: string | null = null;

  constructor(private readonly deps: MasterLinkDeps) {
    this.detector = isFollowingZooKeeper(deps.master)
      ? createDetector(deps.master, { sessionTimeoutMs: deps.zkSessionTimeoutMs, log: (line) => deps.log.info(`zookeeper] ${line}`) })
      : null;
    this.detector?.onChange(() => this.onLeaderChange());
  }

  get state(): LinkState {
    return this.stateValue;
  }

  /** The master to talk to now: the configured one, or the detected leader (null: none known). */
  get master(): string | null {
    return this.detector ? leaderAddress(this.detector) : this.deps.master;
  }

  get url(): string {
    return `ws://${this.master ?? "(no leader)"}${INTERNAL_AGENT_PATH}`;
  }

  start(): void {
    if (this.stateValue !== "stopped") return;
    this.stateValue = "backoff";
    this.connect();
  }

  stop(): void {
    this.stateValue = "stopped";
    this.clearTimers();
    this.retryTimer?.cancel();
    void this.detector?.close();
    const socket = this.socket;
    this.socket = undefined;
    socket?.removeAllListeners();
    socket?.on("error", () => {});
    if (socket?.readyState === WebSocket.OPEN) socket.close(1000, "agent stopping");
    else socket?.terminate();
  }

  /** Sends to the master if registered; otherwise drops. Returns whether it was sent. */
  send(message: AgentToMaster): boolean {
    if (this.stateValue !== "registered" || this.socket?.readyState !== WebSocket.OPEN) {
      if (this.droppedWhileDown++ % 100 === 0) {
        this.deps.log.info(`Not connected to the master: dropped ${message.type} (the status update manager retries updates)`);
      }
      return false;
    }
    this.cork(this.socket);
    this.socket.send(toWireJson(message));
    return true;
  }

  /**
   * Batches the frames sent in one turn of the event loop into one write: 1,000 tasks starting
   * send thousands of updates, and a syscall per frame would dominate.
   */
  private cork(socket: WebSocket): void {
    const raw = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (raw === undefined || this.corked === raw) return;
    this.corked = raw;
    raw.cork();
    process.nextTick(() => {
      this.corked = undefined;
      raw.uncork();
    });
  }

  /** Drops the current connection and reconnects (after backoff). */
  reconnect(reason: string): void {
    if (this.stateValue === "stopped" || this.socket === undefined) return;
    this.deps.log.warn(`Dropping the connection to the master: ${reason}`);
    this.socket.terminate();
  }

  /** A new leader was detected: move to it (after a random delay, so agents do not stampede). */
  private onLeaderChange(): void {
    const leader = this.master;
    if (this.stateValue === "stopped" || leader === null || leader === this.connectedTo) return;
    this.deps.log.info(`Detected a new leading master at ${leader}`);
    this.attempts = 0;
    const delay = registrationBackoffMs(0, this.deps.backoffFactorMs, this.deps.random);
    if (this.socket !== undefined) {
      const socket = this.socket;
      this.socket = undefined;
      this.clearTimers();
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.terminate();
      if (this.stateValue === "registered") this.deps.onDisconnected?.();
    }
    this.retryTimer?.cancel();
    this.stateValue = "backoff";
    this.retryTimer = this.deps.clock.setTimeout(() => this.connect(), delay);
  }

  private connect(): void {
    if (this.stateValue === "stopped") return;
    const master = this.master;
    if (master === null) {
      // No leader known: wait for the detector (onLeaderChange connects).
      this.stateValue = "backoff";
      this.connectedTo = null;
      return;
    }
    this.stateValue = "connecting";
    this.connectedTo = master;
    const socket = new WebSocket(`ws://${master}${INTERNAL_AGENT_PATH}`, {
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
      ...(this.deps.authorization ? { headers: { Authorization: this.deps.authorization } } : {}),
    });
    this.socket = socket;
    socket.on("open", () => this.onOpen(socket));
    socket.on("message", (data) => this.onFrame(socket, data));
    socket.on("error", (err) => {
      if (this.attempts === 0 || this.stateValue === "registered") this.deps.log.warn(`Master connection error: ${err.message}`);
    });
    socket.on("close", () => this.onClose(socket));
  }

  private onOpen(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.stateValue = "registering";
    const message = this.deps.registration();
    this.deps.log.info(`Connected to master at ${this.connectedTo}; sending ${message.type}`);
    socket.send(toWireJson(message));
    const timeout = this.deps.registrationTimeoutMs ?? MAX_REGISTRATION_BACKOFF_MS;
    this.registrationTimer = this.deps.clock.setTimeout(() => this.reconnect(`no reply to ${message.type} within ${timeout} ms`), timeout);
  }

  private onFrame(socket: WebSocket, data: WebSocket.RawData): void {
    if (socket !== this.socket) return;
    const text = Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8");
    const parsed = parseMasterMessage(text);
    if (!parsed.ok) {
      this.deps.log.warn(`Dropping invalid message from master: ${parsed.error}`);
      return;
    }
    const message = parsed.message;
    try {
      this.dispatch(socket, message);
    } catch (err) {
      this.deps.log.error(`Failed to handle ${message.type} from master: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private dispatch(socket: WebSocket, message: MasterToAgent): void {
    switch (message.type) {
      case "PING":
        this.armPingTimer();
        socket.send(toWireJson({ type: "PONG", seq: message.seq }));
        return;
      case "AGENT_REGISTERED":
      case "AGENT_REREGISTERED":
        this.registrationTimer?.cancel();
        this.stateValue = "registered";
        this.attempts = 0;
        this.droppedWhileDown = 0;
        this.pingTimeoutMs = message.ping_interval_ms * MAX_MISSED_PINGS;
        this.armPingTimer();
        this.deps.onRegistered(message);
        return;
      default:
        // A master refusing the registration (agent marked gone, machine DOWN) shuts the agent down.
        if (this.stateValue !== "registered" && message.type !== "SHUTDOWN_AGENT") {
          this.deps.log.warn(`Ignoring ${message.type} from master before registration completed`);
          return;
        }
        this.deps.onMessage(message);
    }
  }

  private armPingTimer(): void {
    if (this.pingTimeoutMs <= 0) return;
    this.pingTimer?.cancel();
    const timeout = this.pingTimeoutMs;
    this.pingTimer = this.deps.clock.setTimeout(() => this.reconnect(`no PING from the master for ${timeout} ms`), timeout);
  }

  private onClose(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    const wasRegistered = this.stateValue === "registered";
    this.clearTimers();
    if (this.stateValue === "stopped") return;
    this.stateValue = "backoff";
    if (wasRegistered) {
      this.deps.log.warn(`Lost the connection to master ${this.connectedTo}`);
      this.deps.onDisconnected?.();
    }
    const delay = registrationBackoffMs(this.attempts++, this.deps.backoffFactorMs, this.deps.random);
    this.retryTimer = this.deps.clock.setTimeout(() => this.connect(), delay);
  }

  private clearTimers(): void {
    this.pingTimer?.cancel();
    this.registrationTimer?.cancel();
    this.pingTimer = undefined;
    this.registrationTimer = undefined;
  }
}
