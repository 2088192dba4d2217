// Public entry point of the Plateau agent. See README.md for the lifecycle.
//
//   startAgent: resources ─► containerizer ─► HTTP server ─► recovery (re-adopt, replay updates)
//               ─► boot id ─► master link (REGISTER / REREGISTER) ─► running
import { Security } from "../security/security";
import { executorTokenAuthenticator, loadExecutorTokenKey } from "../security/executor-tokens";
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { AgentInfo } from "../protocol/mesos";
import { Resources } from "../resources";
import { Agent, type AgentExit } from "./agent";
import { agentApiRoute } from "./api";
import { realClock } from "./clock";
import { createContainerizer } from "./containerizer";
import { agentAttributes, agentResources, currentBootId, defaultRuntimeDir } from "./detect";
import { executorApiRoute, type ExecutorAuthenticator } from "./executor-api";
import { SandboxFiles } from "./files";
import { filesRoutes } from "./files-http";
import { SandboxGc } from "./gc";
import { getJson, startHttpServer, type AgentHttpServer } from "./http";
import { lineLogger } from "./log";
import { MetaStore } from "./meta";
import { containerUsage, containersJson, monitorStatisticsJson } from "./monitor";
import { resolveOptions, type AgentOptions } from "./options";
import { AgentRecoveryError, agentInfoMismatch, applyRecovery, readCheckpointedState } from "./recovery";
import { agentStateJson } from "./state-json";
import { Volumes } from "./volumes";

export type { AgentOptions } from "./options";
export type { AgentExit } from "./agent";
export { AGENT_FLAGS, agentOptionsFromFlags } from "./flags";
export { watchParentStdin } from "./parent-watch";
export { AgentRecoveryError } from "./recovery";
export type { ExecutorAuthenticator } from "./executor-api";

/** Hooks for code that embeds an agent (tests, future security work). */
export interface AgentHooks {
  /** Executor authentication (issue #9); default: every executor call is allowed. */
  authenticateExecutor?: ExecutorAuthenticator;
}

export interface AgentHandle {
  /** Set once registered (or recovered from checkpoints). */
  readonly agentId: string | undefined;
  /** `ip:port` of the agent's HTTP server (the port is real even when options.port was 0). */
  readonly endpoint: string;
  readonly port: number;
  readonly workDir: string;
  /** Resolves with the agent id once (re)registered with the master. */
  registered(): Promise<string>;
  /** The agent's /state JSON. */
  state(): Record<string, unknown>;
  /**
   * Stops the agent. Tasks keep running for the next agent on this work_dir to re-adopt, unless
   * `killTasks` (then they get SIGTERM, SIGKILL after --executor_shutdown_grace_period).
   */
  stop(options?: { killTasks?: boolean }): Promise<void>;
  /** Resolves when the agent has stopped: `stop()`, or SHUTDOWN_AGENT from the master. */
  readonly closed: Promise<AgentExit>;
}

export async function startAgent(input: AgentOptions, hooks: AgentHooks = {}): Promise<AgentHandle> {
  const options = resolveOptions(input);
  options.workDir = path.resolve(options.workDir);
  const log = input.log ?? lineLogger("agent");
  const clock = input.clock ?? realClock;
  await fsp.mkdir(options.workDir, { recursive: true });
  options.executorTokenKey ??= loadExecutorTokenKey(options.workDir);
  const tokenKey = options.executorTokenKey;
  const [resources, attributes, bootId] = await Promise.all([
    agentResources(options.resources, options.defaultRole, options.workDir),
    agentAttributes(options.attributes),
    currentBootId(),
  ]);
  const containerizer = await createContainerizer(
    {
      isolation: options.isolation, workDir: options.workDir, cgroupsHierarchy: options.cgroupsHierarchy, cgroupsRoot: options.cgroupsRoot,
      enableCfs: options.cgroupsEnableCfs, limitSwap: options.cgroupsLimitSwap, enforceDiskQuota: options.enforceContainerDiskQuota,
      clock, pollIntervalMs: options.containerPollIntervalMs, limitationPollIntervalMs: options.limitationPollIntervalMs,
      diskWatchIntervalMs: options.containerDiskWatchIntervalMs,
    },
    log,
  );

  let agent: Agent | undefined;
  const files = new SandboxFiles(options.workDir, () => agent?.agentId, (fw, ex, run) => agent?.state.findRun(fw, ex, run));
  const usage = async () => (agent ? await containerUsage(agent.state, containerizer) : []);
  let http: AgentHttpServer;
  try {
    http = await startHttpServer(options.ip, options.port, {
      "/health": getJson(() => ({ status: 200 })),
      "/state": getJson(() => (agent ? { status: 200, body: agentStateJson(agent) } : { status: 503 })),
      "/flags": getJson(() => ({ status: 200, body: { flags: options.flags } })),
      "/monitor/statistics": getJson(async () => ({ status: 200, body: monitorStatisticsJson(await usage()) })),
      "/containers": getJson(async () => ({ status: 200, body: containersJson(await usage(), false) })),
      ...filesRoutes(files, () => agent?.state.allExecutors() ?? []),
      "/api/v1": agentApiRoute(() => agent, files, containerizer),
      "/api/v1/executor": executorApiRoute(
        () => agent,
        hooks.authenticateExecutor ??
          (options.authenticateHttpExecutors
            ? executorTokenAuthenticator(tokenKey, (fw, ex) => agent?.state.frameworks.get(fw)?.executors.get(ex)?.containerId)
            : undefined),
      ),
    }, log, options.httpCredentials ? new Security({ credentials: options.httpCredentials }) : undefined);
  } catch (err) {
    containerizer.stop();
    throw err;
  }
  const gc = new SandboxGc({
    workDir: options.workDir, gcDelayMs: options.gcDelayMs, diskHeadroom: options.gcDiskHeadroom, diskWatchIntervalMs: options.diskWatchIntervalMs, clock, log,
  });
  try {
    const endpoint = `${options.ip}:${http.port}`;
    const info: AgentInfo = { hostname: options.hostname, port: http.port, resources, attributes };
    const meta = new MetaStore(options.workDir, options.runtimeDir || defaultRuntimeDir(options.workDir));
    const volumes = new Volumes(options.workDir, Resources.from(resources), log);
    await volumes.init();
    gc.beforeRemove = (dir) => volumes.detach(dir);
    agent = new Agent({ options, log, clock, containerizer, meta, info, endpoint, volumes });
    agent.runner.onRetired = (executor) => gc.schedule(executor);
    log.info(`Agent listening on ${endpoint} with work_dir ${options.workDir}; resources ${Resources.from(resources).toString()}`);

    const checkpointed = await readCheckpointedState(options.workDir, meta.runtimeDir, bootId, options.strict, log);
    if (checkpointed !== undefined) {
      const mismatch = checkpointed.agentInfo && agentInfoMismatch(checkpointed.agentInfo, info);
      if (mismatch !== undefined) {
        const advice = `remove ${path.join(options.workDir, "meta", "slaves", "latest")} to start as a new agent`;
        if (options.strict) throw new AgentRecoveryError(`Incompatible agent info for agent ${checkpointed.agentId} (${mismatch}); ${advice}`);
        log.warn(`Agent info changed (${mismatch}); re-registering with the new info`);
      }
      agent.agentId = checkpointed.agentId;
      agent.openJournal(checkpointed.agentId);
      if (checkpointed.rebooted) log.warn("The host rebooted since the last run: checkpointed tasks are gone");
      const summary = await applyRecovery(
        { state: agent.state, runner: agent.runner, containerizer, sum: agent.sum, meta, log, cleanup: options.recover === "cleanup" },
        checkpointed,
      );
      meta.journal.compact(); // only what the live runs and open streams need survives the restart
      log.info(
        `Recovered agent ${checkpointed.agentId}: ${summary.readopted} running container(s) re-adopted, ` +
          `${summary.terminated} finished while the agent was down, ${summary.killedNonCheckpointing} of non-checkpointing frameworks killed` +
          (summary.orphans > 0 ? `, ${summary.orphans} orphaned container(s) destroyed` : ""),
      );
    } else {
      await containerizer.destroyOrphans(new Set());
    }
    // Sandboxes of executors the agent still has (running, or waiting for acknowledgements) stay.
    const live = new Set([...agent.state.frameworks.values()].flatMap((f) => [...f.executors.values()].map((e) => e.directory)));
    const leftovers = await gc.scheduleLeftovers(live);
    if (leftovers > 0) log.info(`Scheduled ${leftovers} old sandbox(es) for garbage collection (gc_delay ${options.gcDelayMs / 1000} s)`);
    gc.start();
    await meta.writeBootId(bootId);
    agent.recovered = true;
    agent.start();
  } catch (err) {
    gc.stop();
    containerizer.stop();
    await http.close();
    throw err;
  }

  const running = agent;
  void running.closed.then(() => {
    gc.stop();
    return http.close();
  });
  return {
    get agentId() {
      return running.agentId;
    },
    endpoint: running.endpoint,
    port: http.port,
    workDir: options.workDir,
    registered: () => running.registered(),
    state: () => agentStateJson(running),
    stop: async (stopOptions) => {
      await running.stop(stopOptions);
      await http.close();
    },
    closed: running.closed,
  };
}
