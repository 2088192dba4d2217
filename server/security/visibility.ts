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

/** What the dashboard shows a principal (tRPC reads): frameworks by user, tasks by user, sandboxes. */
export interface DashboardVisibility {
  /** Cache key part: decisions differ per principal. */
  key: string;
  frameworkUser(user: string): boolean;
  /** A framework by id (unknown ids: visible only to a principal who may view every user's frameworks). */
  framework(id: string): boolean;
  task(task: Task): boolean;
  taskRef(frameworkId: string, taskId: string): boolean;
  sandbox(frameworkId: string, taskId: string): boolean;
}

/** undefined when no ACLs are configured (everything visible). */
export function dashboardVisibility(security: Security, principal: string | undefined, m: Master): DashboardVisibility | undefined {
  if (!security.aclsConfigured) return undefined;
  const memo = new Map<string, boolean>();
  const may = (action: AclAction, user: string): boolean => {
    const k = `${action}\u0000${user}`;
    let v = memo.get(k);
    if (v === undefined) memo.set(k, (v = security.authorize(principal, action, user)));
    return v;
  };
  const frameworkOf = (id: string) => m.frameworks.get(id) ?? m.completedFrameworks.find((c) => c.framework.id === id)?.framework;
  const userOfTask = (fw: Framework | undefined, t: Task) => t.info.command?.user ?? t.info.executor?.command?.user ?? fw?.info.user ?? "";
  return {
    key: `principal:${principal ?? ""}`,
    frameworkUser: (user) => may("view_frameworks", user),
    framework: (id) => {
      const fw = frameworkOf(id);
      return fw !== undefined ? may("view_frameworks", fw.info.user) : security.authorize(principal, "view_frameworks");
    },
    task: (t) => {
      const fw = frameworkOf(t.frameworkId);
      return fw !== undefined && may("view_frameworks", fw.info.user) && may("view_tasks", userOfTask(fw, t));
    },
    taskRef: (frameworkId, taskId) => {
      const fw = frameworkOf(frameworkId);
      const t = fw?.tasks.get(taskId) ?? fw?.unreachableTasks.get(taskId) ?? fw?.completedTasks.find((x) => x.info.task_id.value === taskId);
      return fw !== undefined && t !== undefined && may("view_frameworks", fw.info.user) && may("view_tasks", userOfTask(fw, t));
    },
    sandbox: (frameworkId, taskId) => {
      const fw = frameworkOf(frameworkId);
      const t = fw?.tasks.get(taskId) ?? fw?.unreachableTasks.get(taskId) ?? fw?.completedTasks.find((x) => x.info.task_id.value === taskId);
      return fw !== undefined && may("access_sandboxes", t ? userOfTask(fw, t) : fw.info.user);
    },
  };
}

/** Whether the request's principal may see role `role` (view_roles, or get_quotas for quota; true without ACLs). */
export function roleVisible(req: object, action: "view_roles" | "get_quotas" = "view_roles"): (role: string) => boolean {
  const { principal, security } = requestIdentity(req);
  if (!security.aclsConfigured) return () => true;
  const memo = new Map<string, boolean>();
  return (role) => {
    let v = memo.get(role);
    if (v === undefined) memo.set(role, (v = security.authorize(principal, action, role)));
    return v;
  };
}
