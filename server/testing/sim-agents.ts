// Simulated agents for scale tests: many agents in one process, each speaking the real internal
// master⇄agent protocol (one WebSocket per agent at /internal/agent, zod-validated frames, the
// same messages a real agent sends). They register with resources and attributes, answer PINGs,
// "run" every RUN_TASK at once (STAGING is skipped: the agent reports TASK_RUNNING), kill on
// KILL_TASK, forget a framework on SHUTDOWN_FRAMEWORK, and can stream status updates (health
// flips, finished tasks) at a chosen rate so the dashboard has live changes to show. No processes
// are started: a task is an entry in a map.
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { INTERNAL_AGENT_PATH, INTERNAL_PROTOCOL_VERSION, parseMasterMessage, type AgentToMaster, type MasterToAgent } from "../protocol/internal";
import type { TaskState, TaskStatus } from "../protocol/mesos";
import { Resources, parseAttributes } from "../resources";

export interface SimAgentsOptions {
  /** host:port of the master. */
  master: string;
  count: number;
  /** Resources of every agent, Mesos text form. */
  resources?: string;
  /** Attributes of agent i, Mesos text form (e.g. "rack:r3;zone:b"). */
  attributes?: (i: number) => string;
  hostname?: (i: number) => string;
  /** Registrations in flight at once. */
  concurrency?: number;
  log?: (line: string) => void;
}

interface SimTask {
  frameworkId: string;
  taskId: string;
  executorId: string;
  state: TaskState;
  healthy: boolean;
}

const uuid = () => randomBytes(16).toString("base64");

export class SimAgent {
  id: string | null = null;
  readonly tasks = new Map<string, SimTask>();
  private ws: WebSocket | null = null;
  private registered: (() => void) | null = null;

  constructor(
    private readonly master: string,
    readonly index: number,
    private readonly info: { hostname: string; resources: string; attributes: string },
  ) {}

  /** Connects and registers; resolves once AGENT_REGISTERED arrives. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${this.master}${INTERNAL_AGENT_PATH}`, { perMessageDeflate: false });
      this.ws = ws;
      this.registered = resolve;
      ws.on("open", () => {
        this.send({
          type: "REGISTER_AGENT",
          protocol_version: INTERNAL_PROTOCOL_VERSION,
          agent_info: {
            hostname: this.info.hostname,
            port: 5051,
            resources: Resources.parse(this.info.resources).toArray(),
            attributes: this.info.attributes ? parseAttributes(this.info.attributes) : [],
          },
          version: "1.11.0",
          capabilities: ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"],
          endpoint: `${this.info.hostname}:5051`,
        });
      });
      ws.on("message", (data) => this.onMessage(data.toString()));
      ws.on("error", (err) => reject(err));
      ws.on("close", () => (this.ws = null));
    });
  }

  stop(): void {
    this.ws?.terminate();
    this.ws = null;
  }

  get connected(): boolean {
    return this.ws !== null;
  }

  private send(message: AgentToMaster): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Sends a status update for one task (reliable: carries a uuid, like a real agent's). */
  update(task: SimTask, state: TaskState, extra: Partial<TaskStatus> = {}): void {
    if (!this.id) return;
    task.state = state;
    this.send({
      type: "STATUS_UPDATE",
      update: {
        framework_id: { value: task.frameworkId },
        executor_id: { value: task.executorId },
        agent_id: { value: this.id },
        status: {
          task_id: { value: task.taskId },
          state,
          source: "SOURCE_EXECUTOR",
          agent_id: { value: this.id },
          executor_id: { value: task.executorId },
          timestamp: Date.now() / 1000,
          uuid: uuid(),
          ...extra,
        },
        latest_state: state,
      },
    });
  }

  private onMessage(text: string): void {
    const parsed = parseMasterMessage(text);
    if (!parsed.ok) return;
    const msg: MasterToAgent = parsed.message;
    switch (msg.type) {
      case "AGENT_REGISTERED":
      case "AGENT_REREGISTERED":
        this.id = msg.agent_id.value;
        this.registered?.();
        this.registered = null;
        return;
      case "PING":
        this.send({ type: "PONG", seq: msg.seq });
        return;
      case "RUN_TASK": {
        const frameworkId = msg.framework.id?.value ?? "";
        const taskId = msg.task.task_id.value;
        const task: SimTask = { frameworkId, taskId, executorId: msg.task.executor?.executor_id.value ?? taskId, state: "TASK_STAGING", healthy: true };
        this.tasks.set(`${frameworkId}/${taskId}`, task);
        this.update(task, "TASK_RUNNING", { message: "simulated task running" });
        return;
      }
      case "KILL_TASK": {
        const task = this.tasks.get(`${msg.framework_id.value}/${msg.task_id.value}`);
        if (!task) return;
        this.tasks.delete(`${task.frameworkId}/${task.taskId}`);
        this.update(task, "TASK_KILLED", { message: "simulated task killed" });
        return;
      }
      case "SHUTDOWN_FRAMEWORK":
        for (const [key, t] of this.tasks) if (t.frameworkId === msg.framework_id.value) this.tasks.delete(key);
        return;
      case "SHUTDOWN_AGENT":
        this.stop();
        return;
      default:
        return;
    }
  }
}

/** Many simulated agents sharing one process. */
export class SimAgents {
  readonly agents: SimAgent[] = [];
  private churnTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: SimAgentsOptions) {
    for (let i = 0; i < o.count; i++) {
      this.agents.push(
        new SimAgent(o.master, i, {
          hostname: o.hostname?.(i) ?? `sim-${String(i).padStart(5, "0")}.plateau.test`,
          resources: o.resources ?? "cpus:16;mem:65536;disk:200000;ports:[31000-32000]",
          attributes: o.attributes?.(i) ?? `rack:r${i % 50};zone:${["a", "b", "c"][i % 3]}`,
        }),
      );
    }
  }

  /** Registers every agent, `concurrency` at a time. */
  async start(): Promise<void> {
    const concurrency = this.o.concurrency ?? 200;
    let next = 0;
    let done = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < this.agents.length) {
        const agent = this.agents[next++]!;
        await agent.start();
        if (++done % 1000 === 0) this.o.log?.(`sim-agents] ${done} registered (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  get taskCount(): number {
    return this.agents.reduce((n, a) => n + a.tasks.size, 0);
  }

  /**
   * Streams `perSecond` status updates: mostly health flips of running tasks (TASK_RUNNING with
   * healthy true/false), and `finishRatio` of them TASK_FINISHED (the task ends).
   */
  churn(perSecond: number, finishRatio = 0.1): void {
    this.stopChurn();
    const tickMs = 100;
    const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
    this.churnTimer = setInterval(() => {
      for (let k = 0; k < perTick; k++) {
        const agent = this.agents[Math.floor(Math.random() * this.agents.length)]!;
        if (agent.tasks.size === 0) continue;
        const keys = [...agent.tasks.keys()];
        const task = agent.tasks.get(keys[Math.floor(Math.random() * keys.length)]!)!;
        if (Math.random() < finishRatio) {
          agent.tasks.delete(`${task.frameworkId}/${task.taskId}`);
          agent.update(task, "TASK_FINISHED", { message: "simulated task finished" });
        } else {
          task.healthy = !task.healthy;
          agent.update(task, "TASK_RUNNING", { healthy: task.healthy, message: task.healthy ? "health check passed" : "health check failed" });
        }
      }
    }, tickMs);
  }

  stopChurn(): void {
    if (this.churnTimer) clearInterval(this.churnTimer);
    this.churnTimer = null;
  }

  stop(): void {
    this.stopChurn();
    for (const a of this.agents) a.stop();
  }
}
