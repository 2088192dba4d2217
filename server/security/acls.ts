// ACLs with the semantics of Mesos's local authorizer (docs/authorization.md): `--acls` is a JSON
// object with a `permissive` flag and, per action, an ordered list of rules
// `{"principals": Entity, "<objects>": Entity}` where an Entity is `{"values": [...]}` or
// `{"type": "ANY" | "NONE"}`. The first rule whose subject and object both *match* decides:
// the request is allowed iff both are *allowed* by that rule; when no rule matches, `permissive`
// (default true) decides. A request without an authenticated principal is subject ANY; a request
// about no particular object is object ANY. Pure; unit-tested.

/** Action name (the ACL field in --acls) → the name of its object entity. */
export const ACL_ACTIONS = {
  register_frameworks: "roles",
  run_tasks: "users",
  teardown_frameworks: "framework_principals",
  kill_tasks: "users", // Plateau: an operator killing one task (object: the task's user)
  view_frameworks: "users",
  view_tasks: "users",
  view_executors: "users",
  view_roles: "roles",
  view_flags: "flags",
  access_sandboxes: "users",
  access_mesos_logs: "logs",
  set_log_level: "level",
  update_weights: "roles",
  update_quotas: "roles",
  get_quotas: "roles",
  reserve_resources: "roles",
  unreserve_resources: "reserver_principals",
  create_volumes: "roles",
  destroy_volumes: "creator_principals",
  get_maintenance_schedules: "machines",
  update_maintenance_schedules: "machines",
  start_maintenances: "machines",
  stop_maintenances: "machines",
  get_maintenance_statuses: "machines",
  drain_agents: "agents",
  deactivate_agents: "agents",
  reactivate_agents: "agents",
  mark_agents_gone: "agents",
} as const;

export type AclAction = keyof typeof ACL_ACTIONS;

/** An entity of a request or a rule. `values` only for SOME. */
export type Entity = { type: "SOME"; values: string[] } | { type: "ANY" } | { type: "NONE" };

export interface AclRule {
  subjects: Entity;
  objects: Entity;
}

export interface Acls {
  permissive: boolean;
  rules: Partial<Record<AclAction, AclRule[]>>;
}

export class AclError extends Error {}

function parseEntity(raw: unknown, where: string): Entity {
  if (raw === undefined) return { type: "ANY" }; // Mesos: an absent entity is ANY
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new AclError(`${where}: expected an object with 'values' or 'type'`);
  const r = raw as { values?: unknown; type?: unknown };
  if (r.values !== undefined) {
    if (!Array.isArray(r.values) || !r.values.every((v) => typeof v === "string")) throw new AclError(`${where}.values: expected an array of strings`);
    return { type: "SOME", values: r.values as string[] };
  }
  if (r.type === "ANY" || r.type === undefined) return { type: "ANY" };
  if (r.type === "NONE") return { type: "NONE" };
  throw new AclError(`${where}.type: expected 'ANY' or 'NONE'`);
}

/** Parses the --acls JSON (already decoded). Unknown action names are an error (a typo must not open access). */
export function parseAcls(raw: unknown): Acls {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new AclError("ACLs must be a JSON object");
  const acls: Acls = { permissive: true, rules: {} };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === "permissive") {
      if (typeof value !== "boolean") throw new AclError("'permissive' must be a boolean");
      acls.permissive = value;
      continue;
    }
    if (!(key in ACL_ACTIONS)) throw new AclError(`Unknown ACL '${key}'`);
    const action = key as AclAction;
    if (!Array.isArray(value)) throw new AclError(`'${key}' must be an array of rules`);
    const objectKey = ACL_ACTIONS[action];
    acls.rules[action] = value.map((rule, i) => {
      const where = `${key}[${i}]`;
      if (typeof rule !== "object" || rule === null || Array.isArray(rule)) throw new AclError(`${where}: expected an object`);
      const r = rule as Record<string, unknown>;
      for (const field of Object.keys(r)) {
        if (field !== "principals" && field !== objectKey) throw new AclError(`${where}: unknown field '${field}' (expected 'principals' and '${objectKey}')`);
      }
      return { subjects: parseEntity(r.principals, `${where}.principals`), objects: parseEntity(r[objectKey], `${where}.${objectKey}`) };
    });
  }
  return acls;
}

const subset = (request: string[], acl: string[]) => request.every((v) => acl.includes(v));

function matches(request: Entity, acl: Entity): boolean {
  if (request.type === "NONE") return acl.type === "NONE";
  if (request.type === "ANY") return acl.type === "ANY" || acl.type === "NONE";
  if (acl.type !== "SOME") return true;
  return subset(request.values, acl.values);
}

function allows(request: Entity, acl: Entity): boolean {
  if (request.type === "NONE") return acl.type === "NONE";
  if (request.type === "ANY") return acl.type === "ANY";
  if (acl.type === "ANY") return true;
  if (acl.type === "NONE") return false;
  return subset(request.values, acl.values);
}

/** The local authorizer's decision for `principal` (undefined = unauthenticated) doing `action` on `object` (undefined = ANY). */
export function aclAllows(acls: Acls, principal: string | undefined, action: AclAction, object?: string): boolean {
  const subject: Entity = principal === undefined ? { type: "ANY" } : { type: "SOME", values: [principal] };
  const target: Entity = object === undefined ? { type: "ANY" } : { type: "SOME", values: [object] };
  for (const rule of acls.rules[action] ?? []) {
    if (matches(subject, rule.subjects) && matches(target, rule.objects)) return allows(subject, rule.subjects) && allows(target, rule.objects);
  }
  return acls.permissive;
}

/** Whether `principal` may do `action` on *some* object (for showing or hiding dashboard controls). */
export function aclMayEver(acls: Acls, principal: string | undefined, action: AclAction): boolean {
  const rules = acls.rules[action] ?? [];
  if (rules.length === 0) return acls.permissive;
  const subject: Entity = principal === undefined ? { type: "ANY" } : { type: "SOME", values: [principal] };
  // Some rule that matches the subject and allows it with a non-NONE object, before any rule that
  // denies the subject on every object.
  for (const rule of rules) {
    if (!matches(subject, rule.subjects)) continue;
    if (!allows(subject, rule.subjects)) {
      if (rule.objects.type !== "SOME") return false;
      continue;
    }
    if (rule.objects.type !== "NONE") return true;
    return false;
  }
  return acls.permissive;
}
