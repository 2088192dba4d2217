// A test double for the master's side of the internal master⇄agent protocol: a WebSocket server
// on loopback that accepts REGISTER_AGENT / REREGISTER_AGENT (answering with an agent id),
// records every message it receives, and sends RUN_TASK / KILL_TASK / acknowledgements / any
// other MasterToAgent message on demand. No allocation, no registry.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import {
  INTERNAL_AGENT_PATH, parseAgentMessage, type AgentToMaster, type MasterToAgent, type StatusUpdateMessage,
} from "../protocol/internal";
import type { FrameworkInfo, TaskInfo } from "../protocol/mesos";

export interface FakeMasterOptions {
  port?: number;
  /** Sent in AGENT_(RE)REGISTERED. */
  pingIntervalMs?: number;
  /** Actually send PINGs every pingIntervalMs (default true). */
  sendPings?: boolean;
  /** Acknowledge every STATUS_UPDATE at once (default false). */
  autoAck?: boolean;
}

export const TEST_FRAMEWORK: FrameworkInfo = {
  user: "tester",
  name: "fake-framework",
  id: { value: "fw-1" },
  checkpoint: true,
  roles: ["*"],
};

export class FakeMaster {
  readonly id = `fake-${randomUUID().slice(0, 8)}`;
  /** Every valid message received, oldest first. */
  readonly received: AgentToMaster[] = [];
  /** Frames that failed validation. */
  readonly invalid: string[] = [];
  autoAck: boolean;
  private socket?: WebSocket;
  private agentCount = 0;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private pingTimer?: NodeJS.Timeout;
  private seq = 0;
  connections = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
    private readonly options: FakeMasterOptions,
  ) {
    this.autoAck = options.autoAck ?? false;
    wss.on("connection", (ws) => this.onConnection(ws));
  }

  static async start(options: FakeMasterOptions = {}): Promise<FakeMaster> {
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ server, path: INTERNAL_AGENT_PATH });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
    return new FakeMaster(server, wss, options);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  send(message: MasterToAgent): void {
    if (this.socket === undefined) throw new Error("no agent connected");
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(text: string): void {
    this.socket?.send(text);
  }

  runTask(task: Omit<TaskInfo, "agent_id"> & { agent_id?: TaskInfo["agent_id"] }, framework: FrameworkInfo = TEST_FRAMEWORK): void {
    const agentId = this.lastAgentId() ?? "unknown";
    this.send({ type: "RUN_TASK", framework, task: { agent_id: { value: agentId }, ...task } });
  }

  /** Convenience: a shell command task with small resources. */
  runCommand(taskId: string, command: string, framework: FrameworkInfo = TEST_FRAMEWORK, extra: Partial<TaskInfo> = {}): void {
    this.runTask({ name: taskId, task_id: { value: taskId }, command: { value: command }, ...extra }, framework);
  }

  killTask(taskId: string, frameworkId = TEST_FRAMEWORK.id!.value, gracePeriodMs?: number): void {
    this.send({
      type: "KILL_TASK",
      framework_id: { value: frameworkId },
      task_id: { value: taskId },
      ...(gracePeriodMs !== undefined ? { kill_policy: { grace_period: { nanoseconds: gracePeriodMs * 1e6 } } } : {}),
    });
  }

  acknowledge(update: StatusUpdateMessage): void {
    this.send({
      type: "STATUS_UPDATE_ACKNOWLEDGEMENT",
      agent_id: update.agent_id,
      framework_id: update.framework_id,
      task_id: update.status.task_id,
      uuid: update.status.uuid!,
    });
  }

  /** STATUS_UPDATE payloads received (optionally for one task), oldest first, retries included. */
  updates(taskId?: string): StatusUpdateMessage[] {
    const out: StatusUpdateMessage[] = [];
    for (const m of this.received) {
      if (m.type === "STATUS_UPDATE" && (taskId === undefined || m.update.status.task_id.value === taskId)) out.push(m.update);
    }
    return out;
  }

  /** Distinct states received for a task, in order of first arrival. */
  states(taskId: string): string[] {
    const seen: string[] = [];
    for (const u of this.updates(taskId)) if (!seen.includes(u.status.state)) seen.push(u.status.state);
    return seen;
  }

  registrations(): Extract<AgentToMaster, { type: "REGISTER_AGENT" | "REREGISTER_AGENT" }>[] {
    return this.received.filter((m): m is Extract<AgentToMaster, { type: "REGISTER_AGENT" | "REREGISTER_AGENT" }> =>
      m.type === "REGISTER_AGENT" || m.type === "REREGISTER_AGENT");
  }

  lastAgentId(): string | undefined {
    for (let i = this.received.length - 1; i >= 0; i--) {
      const m = this.received[i]!;
      if (m.type === "REREGISTER_AGENT") return m.agent_info.id?.value;
    }
    return this.agentCount > 0 ? `${this.id}-S${this.agentCount - 1}` : undefined;
  }

  /** Resolves when `check` holds (re-evaluated on every message), rejects after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { check, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`fake master: timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  waitForState(taskId: string, state: string, timeoutMs = 10_000): Promise<StatusUpdateMessage> {
    return this.waitFor(() => this.states(taskId).includes(state), timeoutMs, `${taskId} ${state}`).then(
      () => this.updates(taskId).find((u) => u.status.state === state)!,
    );
  }

  /** Closes the agent's socket (the agent reconnects). */
  dropConnection(): void {
    this.socket?.terminate();
  }

  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    this.socket?.terminate();
    this.socket = ws;
    this.connections++;
    ws.on("message", (data) => this.onFrame(ws, String(data)));
    ws.on("close", () => {
      if (this.socket === ws) this.socket = undefined;
      clearInterval(this.pingTimer);
      this.notify();
    });
  }

  private onFrame(ws: WebSocket, text: string): void {
    const parsed = parseAgentMessage(text);
    if (!parsed.ok) {
      this.invalid.push(`${parsed.error}: ${text.slice(0, 200)}`);
      return;
    }
    const message = parsed.message;
    this.received.push(message);
    const pingIntervalMs = this.options.pingIntervalMs ?? 15_000;
    const masterInfo = {
      id: this.id, ip: 0x0100007f, port: this.port, pid: `master@127.0.0.1:${this.port}`, hostname: "127.0.0.1",
      version: "1.11.0", address: { hostname: "127.0.0.1", ip: "127.0.0.1", port: this.port },
    };
    if (message.type === "REGISTER_AGENT") {
      const agentId = `${this.id}-S${this.agentCount++}`;
      ws.send(JSON.stringify({ type: "AGENT_REGISTERED", agent_id: { value: agentId }, master_info: masterInfo, ping_interval_ms: pingIntervalMs }));
      this.startPings(ws, pingIntervalMs);
    } else if (message.type === "REREGISTER_AGENT") {
      ws.send(JSON.stringify({ type: "AGENT_REREGISTERED", agent_id: message.agent_info.id, master_info: masterInfo, ping_interval_ms: pingIntervalMs }));
      this.startPings(ws, pingIntervalMs);
    } else if (message.type === "STATUS_UPDATE" && this.autoAck) {
      this.acknowledge(message.update);
    }
    this.notify();
  }

  private startPings(ws: WebSocket, intervalMs: number): void {
    clearInterval(this.pingTimer);
    if (this.options.sendPings === false) return;
    this.pingTimer = setInterval(() => ws.send(JSON.stringify({ type: "PING", seq: this.seq++ })), intervalMs);
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }
}
