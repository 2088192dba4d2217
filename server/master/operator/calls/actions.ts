// TEARDOWN and the Plateau extension KILL_TASK. Both go through the same paths as the
// framework-initiated calls and are recorded in the timeline with who asked and the result.
import type { ServerResponse } from "node:http";
import { sendText } from "../../../http/util";
import { removeFramework } from "../../frameworks";
import type { Master } from "../../master";
import { ok, sendCommandError } from "../respond";
import type { CallHandler } from "./types";

/** Shared by TEARDOWN and POST /master/teardown. */
export function teardownFramework(m: Master, res: ServerResponse, frameworkId: string, principal: string): void {
  const framework = m.frameworks.get(frameworkId);
  const audit = (result: "ok" | "error", summary: string) =>
    m.timeline.add({ time: m.clock.now(), kind: "operator", action: "TEARDOWN", summary, principal, frameworkId, result });
  if (!framework) {
    audit("error", `Teardown of framework ${frameworkId} requested by ${principal} rejected: no such framework`);
    return sendText(res, 400, "No framework found with specified ID");
  }
  audit("ok", `Teardown of framework ${framework.info.name} (${frameworkId}) requested by ${principal}`);
  removeFramework(m, framework, `torn down by operator ${principal}`);
  ok(res);
}

export const teardown: CallHandler = (ctx, call, { res, principal }) => teardownFramework(ctx.m, res, call.teardown!.framework_id.value, principal);

/** Plateau extension: `{"type":"KILL_TASK","kill_task":{"framework_id":{…},"task_id":{…}}}` → 200. */
export const killTask: CallHandler = (ctx, call, { res, principal }) => {
  const body = call.kill_task!;
  try {
    ctx.handle.killTask(body.framework_id.value, body.task_id.value, principal);
  } catch (err) {
    return sendCommandError(res, err);
  }
  ok(res);
};
