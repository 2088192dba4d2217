// What a principal may see in the master's state documents and event streams (Mesos's
// view_frameworks, view_tasks and view_executors ACLs; objects: the framework's user, the task's
// user — TaskInfo command user or the framework's — and the executor's command user or the
// framework's). Decisions are memoised per user for the life of one filter (one document or one
// stream), so filtering 400k tasks costs a map lookup each.
import type { ExecutorInfo } from "../protocol/mesos";
import type { Framework, Task } from "../master/state";
import type { Master } from "../master/master";
import type { ViewFilter } from "../master/operator/render/state";
import type { AclAction } from "./acls";
import { requestIdentity, type Security } from "./security";

export function viewFilterFor(security: Security, principal: string | undefined, frameworkUser: (id: string) => string | undefined): ViewFilter | undefined {
  if (!security.aclsConfigured) return undefined;
  const memo = new Map<string, boolean>();
  const may = (action: AclAction, user: string): boolean => {
    const key = `${action}\u0000${user}`;
    let v = memo.get(key);
    if (v === undefined) memo.set(key, (v = security.authorize(principal, action, user)));
    return v;
  };
  return {
    framework: (fw: Framework) => may("view_frameworks", fw.info.user),
    task: (fw: Framework, task: Task) => may("view_tasks", task.info.command?.user ?? task.info.executor?.command?.user ?? fw.info.user),
    executor: (frameworkId: string, info: ExecutorInfo) => {
      const user = info.command?.user;
      if (user !== undefined) return may("view_executors", user);
      const fwUser = frameworkUser(frameworkId);
      return fwUser !== undefined && may("view_executors", fwUser);
    },
  };
}

/** The filter for a request's principal (undefined: no ACLs, everything visible). */
export function viewFilter(req: object, m: Master): ViewFilter | undefined {
  const { principal, security } = requestIdentity(req);
  if (!security.aclsConfigured) return undefined;
  return viewFilterFor(security, principal, (id) => m.frameworks.get(id)?.info.user ?? m.completedFrameworks.find((c) => c.framework.id === id)?.framework.info.user);
}
