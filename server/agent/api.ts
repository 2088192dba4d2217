// POST /api/v1 on the agent: the v1 agent operator API (operator-api.md §1, §3), JSON only.
// Implemented: GET_HEALTH, GET_FLAGS, GET_VERSION, GET_AGENT, GET_STATE, GET_FRAMEWORKS,
// GET_EXECUTORS, GET_TASKS, GET_CONTAINERS, LIST_FILES, READ_FILE. Other known calls answer 501.
import { z } from "zod";
import { JsonInputError, parseJsonBody } from "../protocol/json";
import { describeIssues } from "../protocol/errors";
import { HttpError, mediaType, readBody, sendText } from "../http/util";
import { uint64 } from "../protocol/values";
import type { Agent } from "./agent";
import { AGENT_VERSION } from "./agent";
import type { Containerizer } from "./containerizer/types";
import { FilesError, MAX_READ_BYTES, v1FileInfo, type SandboxFiles } from "./files";
import { sendJsonBody, type Route } from "./http";
import { containerUsage, containersJson } from "./monitor";
import type { ExecutorRecord, FrameworkRecord, TaskRecord } from "./state";

const Call = z.object({
  type: z.string(),
  list_files: z.object({ path: z.string() }).optional(),
  read_file: z.object({ path: z.string(), offset: uint64, length: uint64.optional() }).optional(),
  get_containers: z.object({ show_nested: z.boolean().optional(), show_standalone: z.boolean().optional() }).optional(),
});

const IMPLEMENTED = new Set([
  "GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_AGENT", "GET_STATE", "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_TASKS", "GET_CONTAINERS",
  "LIST_FILES", "READ_FILE",
]);
const KNOWN = new Set([
  ...IMPLEMENTED, "GET_METRICS", "GET_LOGGING_LEVEL", "SET_LOGGING_LEVEL", "GET_OPERATIONS", "GET_RESOURCE_PROVIDERS",
  "LAUNCH_NESTED_CONTAINER", "WAIT_NESTED_CONTAINER", "KILL_NESTED_CONTAINER", "REMOVE_NESTED_CONTAINER",
  "LAUNCH_NESTED_CONTAINER_SESSION", "ATTACH_CONTAINER_INPUT", "ATTACH_CONTAINER_OUTPUT", "LAUNCH_CONTAINER", "WAIT_CONTAINER",
  "KILL_CONTAINER", "REMOVE_CONTAINER", "ADD_RESOURCE_PROVIDER_CONFIG", "UPDATE_RESOURCE_PROVIDER_CONFIG",
  "REMOVE_RESOURCE_PROVIDER_CONFIG", "MARK_RESOURCE_PROVIDER_GONE", "PRUNE_IMAGES",
]);

const id = (value: string) => ({ value });

function v1Task(t: TaskRecord, agentId: string): Record<string, unknown> {
  return {
    name: t.info.name, task_id: t.info.task_id, framework_id: id(t.frameworkId), executor_id: id(t.executorId), agent_id: id(agentId),
    state: t.state, resources: t.info.resources ?? [], statuses: t.statuses,
    ...(t.info.labels !== undefined ? { labels: t.info.labels } : {}),
    ...(t.info.health_check !== undefined ? { health_check: t.info.health_check } : {}),
  };
}

function executorsOf(frameworks: Iterable<FrameworkRecord>, completed: boolean): ExecutorRecord[] {
  const out: ExecutorRecord[] = [];
  for (const f of frameworks) out.push(...(completed ? f.completedExecutors : f.executors.values()));
  return out;
}

function getTasks(agent: Agent): Record<string, unknown> {
  const agentId = agent.agentId ?? "";
  const launched: unknown[] = [];
  const queued: unknown[] = [];
  const terminated: unknown[] = [];
  const completed: unknown[] = [];
  for (const e of executorsOf(agent.state.frameworks.values(), false)) {
    for (const t of e.tasks.values()) (t.queued ? queued : ["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"].includes(t.state) ? terminated : launched).push(v1Task(t, agentId));
    for (const t of e.completedTasks) completed.push(v1Task(t, agentId));
  }
  for (const e of [...executorsOf(agent.state.frameworks.values(), true), ...executorsOf(agent.state.completedFrameworks, true)]) {
    for (const t of e.completedTasks) completed.push(v1Task(t, agentId));
  }
  return { pending_tasks: [], queued_tasks: queued, launched_tasks: launched, terminated_tasks: terminated, completed_tasks: completed };
}

function getExecutors(agent: Agent): Record<string, unknown> {
  const info = (e: ExecutorRecord) => ({ executor_info: { ...e.info, framework_id: id(e.frameworkId) } });
  return {
    executors: executorsOf(agent.state.frameworks.values(), false).map(info),
    completed_executors: [...executorsOf(agent.state.frameworks.values(), true), ...executorsOf(agent.state.completedFrameworks, true)].map(info),
  };
}

function getFrameworks(agent: Agent): Record<string, unknown> {
  return {
    frameworks: [...agent.state.frameworks.values()].map((f) => ({ framework_info: f.info })),
    completed_frameworks: agent.state.completedFrameworks.map((f) => ({ framework_info: f.info })),
  };
}

export function agentApiRoute(agent: () => Agent | undefined, files: SandboxFiles, containerizer: Containerizer): Route {
  return {
    methods: ["POST"],
    async handle({ req, res }) {
      const type = mediaType(req.headers["content-type"]);
      if (type !== "application/json") return sendText(res, 415, "Expecting 'Content-Type' of application/json (protobuf is not supported)");
      let call: z.infer<typeof Call>;
      try {
        const parsed = Call.safeParse(parseJsonBody((await readBody(req)).toString("utf8")));
        if (!parsed.success) return sendText(res, 400, `Failed to convert JSON into Call protobuf: ${describeIssues(parsed.error)}`);
        call = parsed.data;
      } catch (err) {
        if (err instanceof HttpError) return sendText(res, err.status, err.message);
        if (err instanceof JsonInputError) return sendText(res, 400, `Failed to parse body into JSON: ${err.message}`);
        throw err;
      }
      const a = agent();
      if (a === undefined) return sendText(res, 503, "Agent has not finished recovery");
      if (!KNOWN.has(call.type)) return sendText(res, 400, `Failed to convert JSON into Call protobuf: unknown call type '${call.type}'`);
      if (!IMPLEMENTED.has(call.type)) return sendText(res, 501, `${call.type} is not supported by this Plateau agent`);
      const reply = (body: Record<string, unknown>) => sendJsonBody(res, 200, { type: call.type, [call.type.toLowerCase()]: body });
      try {
        switch (call.type) {
          case "GET_HEALTH":
            return reply({ healthy: true });
          case "GET_FLAGS":
            return reply({ flags: Object.entries(a.options.flags).map(([name, value]) => ({ name, value })) });
          case "GET_VERSION":
            return reply({ version_info: { version: AGENT_VERSION, build_date: "", build_time: 0, build_user: "" } });
          case "GET_AGENT":
            return reply({ agent_info: a.info });
          case "GET_FRAMEWORKS":
            return reply(getFrameworks(a));
          case "GET_EXECUTORS":
            return reply(getExecutors(a));
          case "GET_TASKS":
            return reply(getTasks(a));
          case "GET_STATE":
            return reply({ get_tasks: getTasks(a), get_executors: getExecutors(a), get_frameworks: getFrameworks(a) });
          case "GET_CONTAINERS":
            return reply({ containers: containersJson(await containerUsage(a.state, containerizer), true) });
          case "LIST_FILES": {
            if (call.list_files === undefined) return sendText(res, 400, "Expecting 'list_files' to be present");
            const entries = await files.list(call.list_files.path);
            return reply(entries.length > 0 ? { file_infos: entries.map(v1FileInfo) } : {});
          }
          case "READ_FILE": {
            if (call.read_file === undefined) return sendText(res, 400, "Expecting 'read_file' to be present");
            const { size, data } = await files.read(call.read_file.path, call.read_file.offset, call.read_file.length ?? MAX_READ_BYTES);
            return reply({ size, data: data.toString("base64") });
          }
        }
      } catch (err) {
        if (err instanceof FilesError) return sendText(res, err.status, err.message);
        throw err;
      }
    },
  };
}
