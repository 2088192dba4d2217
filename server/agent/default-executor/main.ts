// `plateau default-executor`: the process the agent starts for ExecutorInfo.type = DEFAULT.
// Real I/O for DefaultExecutor: HTTP to the agent's /api/v1/executor (JSON + RecordIO), child
// process groups for the tasks, and re-subscription after the agent restarts (checkpointing
// frameworks, within MESOS_RECOVERY_TIMEOUT) — agent-executor.md §1–2, §5.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { parseDuration } from "../../cli/flags";
import type { ExecutorEvent } from "../../protocol/executor";
import { RecordIODecoder } from "../../protocol/recordio";
import { DefaultExecutor, type ExecutorIo } from "./executor";

const log = (message: string) => console.log(`${new Date().toISOString()} default-executor] ${message}`);

function duration(text: string | undefined, fallbackMs: number): number {
  try {
    return text ? parseDuration(text) : fallbackMs;
  } catch {
    return fallbackMs;
  }
}

export async function runDefaultExecutor(_argv: string[]): Promise<void> {
  const env = process.env;
  const endpoint = env.MESOS_AGENT_ENDPOINT;
  const sandbox = env.MESOS_SANDBOX ?? process.cwd();
  if (!endpoint || !env.MESOS_FRAMEWORK_ID || !env.MESOS_EXECUTOR_ID) {
    throw new Error("plateau default-executor is started by the agent (MESOS_AGENT_ENDPOINT, MESOS_FRAMEWORK_ID and MESOS_EXECUTOR_ID are required)");
  }
  const colon = endpoint.lastIndexOf(":");
  const host = endpoint.slice(0, colon);
  const port = Number(endpoint.slice(colon + 1));
  const ids = { framework_id: { value: env.MESOS_FRAMEWORK_ID }, executor_id: { value: env.MESOS_EXECUTOR_ID } };
  const checkpoint = env.MESOS_CHECKPOINT === "1";
  const recoveryTimeoutMs = duration(env.MESOS_RECOVERY_TIMEOUT, 15 * 60_000);
  const backoffMaxMs = duration(env.MESOS_SUBSCRIPTION_BACKOFF_MAX, 2000);
  const children = new Set<number>();

  const io: ExecutorIo = {
    post(call) {
      const body = JSON.stringify({ ...ids, ...call });
      return new Promise((resolve) => {
        const req = http.request(
          { host, port, path: "/api/v1/executor", method: "POST", headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", () => resolve(0));
        req.end(body);
      });
    },
    prepareSandbox(taskId, containerId) {
      const dir = path.join(sandbox, "containers", containerId);
      fs.mkdirSync(dir, { recursive: true });
      fs.mkdirSync(path.join(sandbox, "tasks"), { recursive: true });
      const link = path.join(sandbox, "tasks", taskId);
      fs.rmSync(link, { force: true });
      fs.symlinkSync(path.join("..", "containers", containerId), link);
      return dir;
    },
    spawn(argv, cwd, taskEnv, onExit) {
      const stdout = fs.openSync(path.join(cwd, "stdout"), "a");
      const stderr = fs.openSync(path.join(cwd, "stderr"), "a");
      try {
        const child = spawn(argv[0]!, argv.slice(1), { cwd, env: taskEnv as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", stdout, stderr] });
        if (child.pid === undefined) {
          let error = "spawn failed";
          child.once("error", (err) => (error = err.message));
          throw new Error(error);
        }
        const pid = child.pid;
        children.add(pid);
        child.once("exit", (code, signal) => {
          children.delete(pid);
          onExit({ code, signal });
        });
        return {
          pid,
          signal(sig) {
            try {
              process.kill(-pid, sig); // the task's process group
            } catch {
              // already gone
            }
          },
        };
      } finally {
        fs.closeSync(stdout);
        fs.closeSync(stderr);
      }
    },
    setTimeout(fn, ms) {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    },
    exit(code) {
      for (const pid of children) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // gone
        }
      }
      process.exit(code);
    },
    log,
  };

  const executor = new DefaultExecutor(io, env, duration(env.MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD, 5000));
  process.on("SIGTERM", () => executor.shutdown());

  let disconnectedSince: number | undefined;
  let attempt = 0;
  for (;;) {
    const subscribed = await subscribeOnce(host, port, JSON.stringify({ ...ids, ...executor.subscribeCall() }), (event) => {
      disconnectedSince = undefined;
      attempt = 0;
      executor.onEvent(event);
    });
    disconnectedSince ??= Date.now();
    if (!checkpoint && subscribed) {
      executor.abandon("the agent closed the connection and the framework does not checkpoint");
      return;
    }
    if (Date.now() - disconnectedSince > recoveryTimeoutMs) {
      executor.abandon(`no agent within the recovery timeout (${recoveryTimeoutMs} ms)`);
      return;
    }
    attempt++;
    await new Promise((r) => setTimeout(r, Math.min(backoffMaxMs, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2)));
  }
}

/** One SUBSCRIBE stream; resolves when it ends. True if it was established (200). */
function subscribeOnce(host: string, port: number, body: string, onEvent: (event: ExecutorEvent) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request(
      { host, port, path: "/api/v1/executor", method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json", "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        if (res.statusCode !== 200) {
          log(`SUBSCRIBE answered ${res.statusCode}`);
          res.resume();
          res.on("end", () => resolve(false));
          return;
        }
        const decoder = new RecordIODecoder();
        res.on("data", (chunk: Buffer) => {
          try {
            for (const record of decoder.push(chunk)) onEvent(JSON.parse(record.toString("utf8")) as ExecutorEvent);
          } catch (err) {
            log(`Bad event stream: ${(err as Error).message}`);
            req.destroy();
          }
        });
        res.on("close", () => resolve(true));
        res.on("error", () => undefined);
      },
    );
    req.on("error", () => resolve(false));
    req.end(body);
  });
}
