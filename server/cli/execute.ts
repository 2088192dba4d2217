// `plateau execute`: launch one command task through the public scheduler API and follow it,
// like mesos-execute. Prints every status update as "<state> <reason|-> <message>" and exits 0
// only when the task ends TASK_FINISHED.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { basicAuthorization } from "../security/credentials";
import os from "node:os";
import { isTerminalState, type Offer, type TaskStatus } from "../protocol/mesos";
import type { SchedulerEvent } from "../protocol/scheduler";
import { Resources, ResourcesParseError } from "../resources";
import { FlagError, parseFlags, renderHelp, type FlagSpecs } from "./flags";
import { SchedulerClient } from "./scheduler-client";
import { isFollowingZooKeeper } from "../ha/detect";

export const EXECUTE_FLAGS: FlagSpecs = {
  master: { type: "string", placeholder: "host:port|zk://host:port/path", help: "The master to use (required): host:port, or a ZooKeeper URL to follow the elected leader\n(re-subscribing after a master failover)." },
  zk_session_timeout: { type: "duration", default: "10secs", help: "ZooKeeper session timeout when --master is a zk:// URL." },
  name: { type: "string", placeholder: "name", help: "Name of the task; also its task id (required)." },
  command: { type: "string", placeholder: "command", help: "Shell command to run (required)." },
  resources: { type: "string", default: "cpus:0.1;mem:32", help: "Resources for the task, e.g. 'cpus:1;mem:128;ports:[31000-31000]'." },
  framework_name: { type: "string", default: "plateau-execute", help: "Name of the framework that launches the task." },
  role: { type: "string", default: "*", help: "Role to subscribe with and to take resources from." },
  user: { type: "string", placeholder: "user", help: "User to run the task as (default: the current user)." },
  principal: { type: "string", placeholder: "principal", help: "Framework principal (also the HTTP Basic principal when --secret is given)." },
  secret: { type: "string", placeholder: "secret|file", help: "Secret of --principal for a master with --credentials (HTTP Basic); a path or file:// URL\nis read. Prefer a file: command lines are visible to other users." },
  shell: { type: "bool", default: true, help: "Run the command with /bin/sh -c (false: exec the command directly)." },
  env: { type: "string", placeholder: "json", help: "Environment for the task as a JSON object, e.g. '{\"FOO\":\"bar\"}'." },
  checkpoint: { type: "bool", default: false, help: "Ask agents to checkpoint the task (survives agent restarts)." },
  partition_aware: { type: "bool", default: true, help: "Subscribe with the PARTITION_AWARE capability." },
  kill_after: { type: "duration", placeholder: "duration", help: "Kill the task this long after it is RUNNING." },
  timeout: { type: "duration", placeholder: "duration", help: "Give up (exit 1) if the task has not ended after this long." },
  task_group: {
    type: "string", placeholder: "json",
    help: "Launch a task group on the default executor instead of one task (LAUNCH_GROUP), as mesos-execute:\na TaskGroupInfo JSON '{\"tasks\":[{\"name\":\"a\",\"task_id\":{\"value\":\"a\"},\"command\":{\"value\":\"...\"},\n\"resources\":[...]}]}' (resources may also be a string like 'cpus:0.1;mem:32'). Replaces --name/--command.",
  },
  executor_resources: { type: "string", default: "cpus:0.1;mem:64", help: "Resources of the default executor for --task_group." },
};

interface PlannedTask {
  id: string;
  resources: Resources;
  /** The TaskInfo fields other than task_id, agent_id and resources. */
  info: Record<string, unknown>;
}

/** --task_group: a TaskGroupInfo as JSON (mesos-execute's format), resources as JSON or text. */
export function parseTaskGroup(text: string): PlannedTask[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`--task_group is not valid JSON: ${(err as Error).message}`);
  }
  const list = (parsed as { tasks?: unknown })?.tasks;
  if (!Array.isArray(list) || list.length === 0) throw new Error("--task_group needs a non-empty 'tasks' array");
  return list.map((raw, i) => {
    const t = raw as Record<string, unknown>;
    const id = (t.task_id as { value?: unknown } | undefined)?.value ?? t.name;
    if (typeof id !== "string" || id === "") throw new Error(`--task_group: task ${i} needs 'task_id.value' or 'name'`);
    if (typeof (t.command as { value?: unknown } | undefined)?.value !== "string") throw new Error(`--task_group: task '${id}' needs 'command.value'`);
    const resources = typeof t.resources === "string" ? Resources.parse(t.resources) : Array.isArray(t.resources) ? Resources.from(t.resources) : Resources.parse("cpus:0.1;mem:32");
    const { task_id: _id, agent_id: _agent, resources: _resources, ...info } = t;
    return { id, resources, info: { name: id, ...info } };
  });
}

function statusLine(status: TaskStatus): string {
  return `${status.state} ${status.reason ?? "-"} ${status.message ?? ""}`.trimEnd();
}

export async function runExecuteCli(argv: string[]): Promise<void> {
  let values;
  try {
    const parsed = parseFlags(argv, EXECUTE_FLAGS);
    if (parsed.help) {
      console.log(renderHelp("Usage: plateau execute --master=<host:port> --name=<name> --command=<command> [flags]\n\nLaunches one task and prints its status updates.", EXECUTE_FLAGS));
      return;
    }
    values = parsed.values;
    for (const required of values.task_group === undefined ? ["master", "name", "command"] : ["master"]) {
      if (values[required] === undefined) throw new FlagError(`Missing required flag --${required}`);
    }
  } catch (err) {
    if (err instanceof FlagError) {
      console.error(`${err.message}\n\nSee 'plateau execute --help'.`);
      process.exit(1);
    }
    throw err;
  }
  const code = await execute({
    master: String(values.master),
    name: String(values.name ?? "task-group"),
    command: String(values.command ?? ""),
    taskGroup: values.task_group as string | undefined,
    executorResources: String(values.executor_resources),
    resources: String(values.resources),
    frameworkName: String(values.framework_name),
    role: String(values.role),
    user: (values.user as string | undefined) ?? os.userInfo().username,
    principal: values.principal as string | undefined,
    secret: readSecret(values.secret as string | undefined),
    shell: values.shell !== false,
    env: values.env as string | undefined,
    checkpoint: values.checkpoint === true,
    partitionAware: values.partition_aware !== false,
    killAfterMs: values.kill_after as number | undefined,
    timeoutMs: values.timeout as number | undefined,
    zkSessionTimeoutMs: values.zk_session_timeout as number | undefined,
    print: (line) => console.log(line),
  });
  process.exit(code);
}

export interface ExecuteOptions {
  master: string;
  name: string;
  command: string;
  resources: string;
  /** --task_group (JSON TaskGroupInfo): LAUNCH_GROUP on the default executor. */
  taskGroup?: string;
  executorResources?: string;
  frameworkName: string;
  role: string;
  user: string;
  principal?: string;
  secret?: string;
  shell: boolean;
  env?: string;
  checkpoint: boolean;
  partitionAware: boolean;
  killAfterMs?: number;
  timeoutMs?: number;
  zkSessionTimeoutMs?: number;
  print: (line: string) => void;
}

/** Runs the task to completion; returns the process exit code. */
export async function execute(o: ExecuteOptions): Promise<number> {
  let wanted: Resources;
  let tasks: PlannedTask[];
  let executorResources = Resources.empty();
  try {
    let environment: { variables: { name: string; value: string }[] } | undefined;
    if (o.env) {
      const parsed = JSON.parse(o.env) as Record<string, unknown>;
      environment = { variables: Object.entries(parsed).map(([name, value]) => ({ name, value: String(value) })) };
    }
    if (o.taskGroup !== undefined) {
      tasks = parseTaskGroup(o.taskGroup);
      executorResources = Resources.parse(o.executorResources ?? "cpus:0.1;mem:64");
    } else {
      tasks = [{ id: o.name, resources: Resources.parse(o.resources), info: { name: o.name, command: { value: o.command, shell: o.shell, ...(environment ? { environment } : {}) } } }];
    }
    wanted = tasks.reduce((sum, t) => sum.add(t.resources), executorResources);
  } catch (err) {
    o.print(`Invalid flags: ${err instanceof ResourcesParseError ? err.message : (err as Error).message}`);
    return 1;
  }
  const group = o.taskGroup !== undefined;
  const ids = new Set(tasks.map((t) => t.id));
  const ended = new Map<string, TaskStatus["state"]>();
  const capabilities = o.partitionAware ? [{ type: "PARTITION_AWARE" as const }] : [];
  const client = new SchedulerClient(o.master, {
    user: o.user,
    name: o.frameworkName,
    role: o.role,
    checkpoint: o.checkpoint,
    capabilities,
    ...(o.principal ? { principal: o.principal } : {}),
  }, {
    zkSessionTimeoutMs: o.zkSessionTimeoutMs,
    authorization: o.principal && o.secret ? basicAuthorization({ principal: o.principal, secret: o.secret }) : undefined,
  });
  const followsLeader = isFollowingZooKeeper(o.master);

  return new Promise<number>((resolve) => {
    let launched = false;
    let done = false;
    const finish = async (code: number) => {
      if (done) return;
      done = true;
      await client.call({ type: "TEARDOWN" }).catch(() => {});
      await client.close();
      resolve(code);
    };
    if (o.timeoutMs) setTimeout(() => { o.print(`Timed out after ${o.timeoutMs} ms`); void finish(1); }, o.timeoutMs).unref();

    const onOffers = (offers: Offer[]) => {
      for (const offer of offers) {
        const available = Resources.from(offer.resources);
        const request = wanted.allocate(offer.allocation_info.role);
        if (launched || !available.contains(request)) {
          client.call({ type: "DECLINE", decline: { offer_ids: [offer.id], filters: { refuse_seconds: launched ? 3600 : 5 } } }).catch(() => {});
          continue;
        }
        launched = true;
        const role = offer.allocation_info.role;
        const infos = tasks.map((t) => ({ ...t.info, task_id: { value: t.id }, agent_id: offer.agent_id, resources: t.resources.allocate(role).toArray() }));
        const operation = group
          ? {
              type: "LAUNCH_GROUP",
              launch_group: {
                executor: { type: "DEFAULT", executor_id: { value: "default-executor" }, resources: executorResources.allocate(role).toArray() },
                task_group: { tasks: infos },
              },
            }
          : { type: "LAUNCH", launch: { task_infos: infos } };
        void client
          .call({ type: "ACCEPT", accept: { offer_ids: [offer.id], operations: [operation], filters: { refuse_seconds: 3600 } } })
          .then((r) => {
            if (r.status !== 202) {
              o.print(`ACCEPT failed: ${r.status} ${r.body}`);
              void finish(1);
            } else {
              client.call({ type: "SUPPRESS", suppress: { roles: [] } }).catch(() => {});
            }
          })
          .catch((err: Error) => {
            o.print(`ACCEPT failed: ${err.message}`);
            void finish(1);
          });
      }
    };

    let heard = false;
    const reconcileUntilHeard = () => {
      heard = false;
      const timer = setInterval(() => {
        if (done || heard) return clearInterval(timer);
        void client.call({ type: "RECONCILE", reconcile: { tasks: [...ids].map((value) => ({ task_id: { value } })) } }).catch(() => {});
      }, 2000);
      timer.unref();
    };

    client.on("event", (event: SchedulerEvent) => {
      if (event.type === "OFFERS") onOffers(event.offers.offers);
      else if (event.type === "UPDATE") {
        const status = event.update.status;
        if (!ids.has(status.task_id.value)) return;
        heard = true;
        o.print(group ? `${status.task_id.value} ${statusLine(status)}` : statusLine(status));
        if (status.uuid && status.agent_id) {
          client.call({ type: "ACKNOWLEDGE", acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } }).catch(() => {});
        }
        if (status.state === "TASK_RUNNING" && o.killAfterMs !== undefined) {
          setTimeout(() => client.call({ type: "KILL", kill: { task_id: status.task_id, agent_id: status.agent_id } }).catch(() => {}), o.killAfterMs).unref();
        }
        if (isTerminalState(status.state)) ended.set(status.task_id.value, status.state);
        // Exit 0 only when every task finished.
        if (ended.size === ids.size) void finish([...ended.values()].every((state) => state === "TASK_FINISHED") ? 0 : 1);
      } else if (event.type === "ERROR") {
        o.print(`ERROR - ${event.error.message}`);
        void finish(1);
      }
    });
    client.on("disconnected", () => {
      if (done) return;
      if (!followsLeader) {
        o.print("Disconnected from the master");
        void finish(1);
        return;
      }
      // Master failover: re-subscribe with the framework id to whichever master leads next.
      o.print(`Disconnected from the master at ${client.masterAddress}; re-subscribing to the next leader`);
      client.subscribe().then(
        () => {
          o.print(`Re-subscribed to the master at ${client.masterAddress}`);
          // The launch may have been lost with the old leader: reconcile until the task is heard of.
          if (launched) reconcileUntilHeard();
        },
        (err: Error) => {
          o.print(`Failed to re-subscribe: ${err.message}`);
          void finish(1);
        },
      );
    });
    client.subscribe().catch((err: Error) => {
      o.print(`Failed to subscribe to ${o.master}: ${err.message}`);
      void finish(1);
    });
  });
}

/** --secret: the value itself, or the first line of a file (path or file:// URL) when one exists. */
function readSecret(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  const file = value.startsWith("file://") ? fileURLToPath(value) : value;
  if ((value.startsWith("file://") || value.startsWith("/") || value.startsWith(".")) && fs.existsSync(file)) return fs.readFileSync(file, "utf8").split("\n")[0]!.trim();
  return value;
}
