// The agent: owns the model (state.ts), the master link, the status update manager and the task
// runner, and dispatches every master message through one handler table typed by the message
// union (a missing handler is a compile error).
import { promises as fsp } from "node:fs";
import type { AgentToMaster, MasterToAgent } from "../protocol/internal";
import { INTERNAL_PROTOCOL_VERSION } from "../protocol/internal";
import { isTerminalState, type AgentInfo, type Id } from "../protocol/mesos";
import type { Clock, TimerHandle } from "./clock";
import type { Containerizer } from "./containerizer/types";
import type { Logger } from "./log";
import { MasterLink, type MasterCommand, type RegisteredMessage } from "./master-link";
import type { JournalSnapshot } from "./journal";
import type { MetaStore } from "./meta";
import type { ResolvedOptions } from "./options";
import { AgentState } from "./state";
import { StatusUpdateManager } from "./status-update-manager";
import { TaskRunner } from "./tasks";
import type { Volumes } from "./volumes";
import { basicAuthorization } from "../security/credentials";

export const AGENT_VERSION = "1.11.0";
export const AGENT_CAPABILITIES = ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"];

export type AgentExit = { reason: "stopped" } | { reason: "shutdown"; message: string };

export interface AgentDeps {
  options: ResolvedOptions;
  log: Logger;
  clock: Clock;
  containerizer: Containerizer;
  meta: MetaStore;
  /** AgentInfo without an id (hostname, port, resources, attributes). */
  info: AgentInfo;
  /** ip:port of the HTTP server. */
  endpoint: string;
  /** Checkpointed resources and persistent volumes (volumes.ts). */
  volumes?: Volumes;
}

type Handlers = { [K in MasterCommand["type"]]: (message: Extract<MasterCommand, { type: K }>) => void | Promise<void> };

export class Agent {
  readonly state = new AgentState();
  readonly sum: StatusUpdateManager;
  readonly runner: TaskRunner;
  readonly link: MasterLink;
  readonly startTime: number;
  agentId?: string;
  masterHostname?: string;
  private agentCheckpointed: Promise<void> = Promise.resolve();
  private retryTimer?: TimerHandle;
  private exitResolve!: (exit: AgentExit) => void;
  readonly closed = new Promise<AgentExit>((resolve) => (this.exitResolve = resolve));
  private stopping = false;
  private registrationWaiters: ((agentId: string) => void)[] = [];
  /** False until recovery is done (the executor API answers 503 meanwhile). */
  recovered = false;

  constructor(private readonly d: AgentDeps) {
    this.startTime = d.clock.now();
    const { options, clock, log } = d;
    this.sum = new StatusUpdateManager({
      forward: (update) => this.link.send({ type: "STATUS_UPDATE", update }),
      journal: { append: (frameworkId, taskId, record) => d.meta.appendUpdate(frameworkId, taskId, record) },
      retryMinMs: options.statusUpdateRetryIntervalMinMs,
      retryMaxMs: options.statusUpdateRetryIntervalMaxMs,
      now: () => clock.now(),
      log,
      onStreamClosed: (frameworkId, taskId) => {
        const task = this.state.findTask(frameworkId, taskId);
        if (task !== undefined) this.runner.complete(task);
      },
    });
    this.runner = new TaskRunner({
      state: this.state, containerizer: d.containerizer, sum: this.sum, meta: d.meta, clock, log, options,
      agentId: () => this.agentId ?? "",
      endpoint: () => d.endpoint,
      agentInfo: () => this.info,
      sendToMaster: (message) => this.link.send(message),
      volumes: d.volumes,
    });
    this.link = new MasterLink({
      master: options.master,
      zkSessionTimeoutMs: options.zkSessionTimeoutMs,
      backoffFactorMs: options.registrationBackoffFactorMs,
      clock,
      log,
      registration: () => this.registrationMessage(),
      onRegistered: (message) => this.onRegistered(message),
      onMessage: (message) => this.onMessage(message),
      authorization: options.credential ? basicAuthorization(options.credential) : undefined,
    });
  }

  get info(): AgentInfo {
    return this.agentId === undefined ? this.d.info : { ...this.d.info, id: { value: this.agentId } };
  }

  get endpoint(): string {
    return this.d.endpoint;
  }

  get volumes(): Volumes | undefined {
    return this.d.volumes;
  }

  get options(): ResolvedOptions {
    return this.d.options;
  }

  get containerizer(): Containerizer {
    return this.d.containerizer;
  }

  /** Opens the checkpoint journal of agent `agentId` (recovered or newly registered). */
  openJournal(agentId: string): void {
    this.d.meta.openJournal(agentId, () => this.journalSnapshot());
  }

  /** What the checkpoint journal must keep (compaction): live frameworks, runs and update streams. */
  private journalSnapshot(): JournalSnapshot {
    const frameworks = [...this.state.frameworks.values()];
    const runs = frameworks.flatMap((f) =>
      [...f.executors.values()]
        .filter((e) => e.runMetaDir !== "")
        .map((e) => ({
          frameworkId: f.id, executor: e.info, containerId: e.containerId,
          tasks: [...e.tasks.values()].map((t) => t.info), killRequested: [...e.tasks.values()].some((t) => t.killRequested),
        })),
    );
    return { frameworks: frameworks.map((f) => f.info), runs, streams: this.sum.liveRecords() };
  }

  /** Connects to the master and starts the status-update retry loop (one timer for all tasks). */
  start(): void {
    const tickMs = Math.min(1000, Math.max(20, this.d.options.statusUpdateRetryIntervalMinMs / 4));
    this.retryTimer = this.d.clock.setInterval(() => this.sum.tick(), tickMs);
    this.link.start();
  }

  /** Resolves with the agent id once registered with a master (and the id is checkpointed). */
  registered(): Promise<string> {
    if (this.link.state === "registered" && this.agentId !== undefined) {
      const agentId = this.agentId;
      return this.agentCheckpointed.then(() => agentId);
    }
    return new Promise((resolve) => this.registrationWaiters.push(resolve));
  }

  async stop(options: { killTasks?: boolean } = {}, exit: AgentExit = { reason: "stopped" }): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.agentCheckpointed;
    if (options.killTasks) {
      this.d.log.info(`Killing all ${this.state.activeTaskCount} tasks`);
      await this.runner.killAll();
    }
    this.retryTimer?.cancel();
    this.link.stop();
    this.d.containerizer.stop();
    this.d.meta.closeJournal();
    // Nothing left to re-adopt: the runtime dir (pid and status files) can go.
    if ([...this.state.allExecutors()].every((e) => e.phase === "terminated")) {
      await fsp.rm(this.d.meta.runtimeDir, { recursive: true, force: true }).catch(() => {});
    }
    this.exitResolve(exit);
  }

  private registrationMessage(): AgentToMaster {
    const common = {
      protocol_version: INTERNAL_PROTOCOL_VERSION,
      agent_info: this.info,
      version: AGENT_VERSION,
      capabilities: AGENT_CAPABILITIES,
      endpoint: this.d.endpoint,
      checkpointed_resources: this.d.volumes?.resources ?? [],
    };
    if (this.agentId === undefined) return { type: "REGISTER_AGENT", ...common };
    const payload = this.state.reregistrationPayload((fw, task) => this.sum.head(fw, task)?.status);
    return { type: "REREGISTER_AGENT", ...common, ...payload };
  }

  private onRegistered(message: RegisteredMessage): void {
    const id = message.agent_id.value;
    const master = `${message.master_info.hostname}:${message.master_info.port}`;
    this.masterHostname = message.master_info.hostname;
    if (this.agentId === undefined) {
      this.agentId = id;
      this.openJournal(id);
      this.agentCheckpointed = this.d.meta.checkpointAgent(id, this.info).catch((err: Error) => {
        this.d.log.error(`Failed to checkpoint agent ${id}: ${err.message}`);
      });
      this.d.log.info(`Registered with master ${master} as agent ${id}`);
    } else if (id !== this.agentId) {
      this.d.log.error(`Master ${master} answered with agent id ${id}, but this agent is ${this.agentId}; keeping ${this.agentId}`);
    } else {
      this.d.log.info(`${message.type === "AGENT_REREGISTERED" ? "Re-registered" : "Registered"} with master ${master} as agent ${id}`);
    }
    if (message.type === "AGENT_REREGISTERED" && (message.unknown_tasks?.length ?? 0) > 0) {
      this.d.log.warn(`Master knows ${message.unknown_tasks!.length} task(s) this agent does not have`);
    }
    this.sum.flush();
    const agentId = this.agentId;
    void this.agentCheckpointed.then(() => {
      for (const resolve of this.registrationWaiters.splice(0)) resolve(agentId);
    });
  }

  private onMessage(message: MasterCommand): void {
    const handler = this.handlers[message.type] as (m: MasterCommand) => void | Promise<void>;
    void Promise.resolve()
      .then(() => handler(message))
      .catch((err: unknown) => this.d.log.error(`Failed to handle ${message.type}: ${(err as Error).stack ?? String(err)}`));
  }

  private readonly handlers: Handlers = {
    RUN_TASK: (m) => this.runner.runTask(m.framework, m.task, this.agentCheckpointed),
    RUN_TASK_GROUP: (m) => this.runner.runTaskGroup(m.framework, m.executor, m.task_group.tasks, this.agentCheckpointed),
    KILL_TASK: (m) => {
      const task = this.state.findTask(m.framework_id.value, m.task_id.value);
      if (task === undefined) {
        this.d.log.warn(`Ignoring kill of unknown task ${m.task_id.value} of framework ${m.framework_id.value}`);
        return;
      }
      this.d.log.info(`Asked to kill task ${m.task_id.value} of framework ${m.framework_id.value}`);
      this.runner.killTask(task, m.kill_policy);
    },
    STATUS_UPDATE_ACKNOWLEDGEMENT: (m) => {
      if (m.agent_id.value !== this.agentId) {
        this.d.log.warn(`Ignoring acknowledgement for agent ${m.agent_id.value} (this is ${this.agentId})`);
        return;
      }
      this.sum.acknowledge(m.framework_id.value, m.task_id.value, m.uuid);
    },
    SHUTDOWN_FRAMEWORK: async (m) => {
      const framework = this.state.frameworks.get(m.framework_id.value);
      if (framework === undefined) return;
      this.d.log.info(`Shutting down framework ${framework.id}`);
      framework.terminating = true;
      this.sum.removeFramework(framework.id);
      // Tasks already terminal only waited for an acknowledgement that will not come.
      for (const executor of [...framework.executors.values()]) {
        for (const task of [...executor.tasks.values()]) if (isTerminalState(task.state)) this.runner.complete(task);
      }
      await this.runner.killAll(framework.id);
    },
    UPDATE_FRAMEWORK: async (m) => {
      const framework = this.state.frameworks.get(m.framework_id.value);
      if (framework === undefined) return;
      framework.info = { ...m.framework_info, id: m.framework_id as Id };
      if (this.agentId !== undefined) this.d.meta.checkpointFramework(framework.info);
    },
    SHUTDOWN_AGENT: async (m) => {
      this.d.log.warn(`Master asked this agent to shut down: ${m.message}`);
      await this.runner.killAll();
      await this.d.meta.forgetAgent(); // the next start registers as a new agent
      await this.stop({}, { reason: "shutdown", message: m.message });
    },
    FRAMEWORK_TO_EXECUTOR: (m) => {
      const executor = this.state.frameworks.get(m.framework_id.value)?.executors.get(m.executor_id.value);
      if (executor?.kind !== "custom" || executor.phase === "terminated") {
        this.d.log.info(`Dropping framework message for executor ${m.executor_id.value}: no such custom executor`);
        return;
      }
      this.runner.custom.frameworkMessage(executor, m.data);
    },
    SHUTDOWN_EXECUTOR: (m) => {
      const executor = this.state.frameworks.get(m.framework_id.value)?.executors.get(m.executor_id.value);
      if (executor === undefined || executor.phase === "terminated") return;
      this.d.log.info(`Shutting down executor ${executor.executorId} of framework ${executor.frameworkId}`);
      if (executor.kind === "custom") this.runner.custom.shutdown(executor);
      else for (const task of executor.tasks.values()) this.runner.killTask(task);
    },
    CHECKPOINT_RESOURCES: async (m) => {
      if (this.d.volumes === undefined) {
        this.d.log.warn("Ignoring CHECKPOINT_RESOURCES: this agent keeps no checkpointed resources");
        return;
      }
      await this.d.volumes.update(m.resources);
    },
    ERROR: (m) => {
      this.d.log.error(`Master reported an error: ${m.message}`);
    },
  };
}
