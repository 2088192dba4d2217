// Per-executor tokens (Mesos's executor authentication, --authenticate_http_executors): when the
// agent launches a custom executor it hands it MESOS_EXECUTOR_AUTHENTICATION_TOKEN, an HS256 token
// whose claims bind the framework, executor and container. The executor API then requires
// `Authorization: Bearer <token>` and checks the signature in constant time, the expiry, and that
// the claims name the very framework/executor of the call and that executor's current container
// (a token of a previous run of the executor does not pass). `alg:none`, other algorithms,
// expired and tampered tokens are refused (401). The key lives in the agent's work_dir (0600) so
// executors recovered after an agent restart keep working.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage } from "node:http";
import type { ExecutorCall } from "../protocol/executor";
import { signToken, verifyToken } from "./token";

export const EXECUTOR_TOKEN_ENV = "MESOS_EXECUTOR_AUTHENTICATION_TOKEN";
const TOKEN_LIFETIME_MS = 365 * 24 * 3600 * 1000;

/** Loads (or creates once) the agent's executor-token key under `workDir`. */
export function loadExecutorTokenKey(workDir: string): Buffer {
  const file = path.join(workDir, "executor-token.key");
  try {
    const key = fs.readFileSync(file);
    if (key.length >= 32) return key;
  } catch {
    // created below
  }
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key, { mode: 0o600 });
  return key;
}

export interface ExecutorClaims {
  frameworkId: string;
  executorId: string;
  containerId: string;
}

export function issueExecutorToken(key: Buffer, c: ExecutorClaims, nowMs = Date.now()): string {
  return signToken(key, {
    sub: `executor:${c.frameworkId}/${c.executorId}`,
    kind: "executor",
    iat: Math.floor(nowMs / 1000),
    exp: Math.floor((nowMs + TOKEN_LIFETIME_MS) / 1000),
    framework_id: c.frameworkId,
    executor_id: c.executorId,
    container_id: c.containerId,
  });
}

/**
 * The executor API's authenticator: `containerOf(frameworkId, executorId)` is the executor's
 * current container (undefined when the agent does not know the executor). Returns the refusal
 * message, or undefined to let the call through.
 */
export function executorTokenAuthenticator(key: Buffer, containerOf: (frameworkId: string, executorId: string) => string | undefined, now: () => number = Date.now) {
  return (req: IncomingMessage, call: ExecutorCall): string | undefined => {
    const header = req.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return "Executors must authenticate with 'Authorization: Bearer <MESOS_EXECUTOR_AUTHENTICATION_TOKEN>'";
    const frameworkId = call.framework_id.value;
    const executorId = call.executor_id.value;
    const containerId = containerOf(frameworkId, executorId);
    if (containerId === undefined) return "Invalid executor token: unknown executor";
    const result = verifyToken(key, m[1]!, now(), "executor", { framework_id: frameworkId, executor_id: executorId, container_id: containerId });
    return result.ok ? undefined : `Invalid executor token: ${result.reason}`;
  };
}
