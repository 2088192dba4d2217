// Role names (scheduler-api.md §15): "*" is the default role; otherwise a '/'-separated path of
// components, none empty, ".", "..", "*", none starting with '-', no whitespace or backspace.

const FORBIDDEN_ROLE_CHARS = /[\s\u0008]/;

/** Returns an error message when `role` is not a valid role name, otherwise null. */
export function validateRole(role: string): string | null {
  if (role === "*") return null;
  if (role.length === 0) return "Role name must not be empty";
  for (const component of role.split("/")) {
    if (component.length === 0) {
      return `Role '${role}' must not have a leading or trailing '/' or an empty component ('//')`;
    }
    if (component === "." || component === ".." || component === "*") {
      return `Role '${role}' must not include '${component}' as a component`;
    }
    if (component.startsWith("-")) {
      return `Role component '${component}' of '${role}' must not start with '-'`;
    }
    if (FORBIDDEN_ROLE_CHARS.test(component)) {
      return `Role component '${component}' of '${role}' must not contain whitespace or backspace`;
    }
  }
  return null;
}

/** True when `role` lies strictly below `ancestor` in the role tree ("eng/web" below "eng"). */
export function isStrictSubroleOf(role: string, ancestor: string): boolean {
  return (
    role.length > ancestor.length &&
    role.charCodeAt(ancestor.length) === 47 /* '/' */ &&
    role.startsWith(ancestor)
  );
}

/** True when `role` equals `ancestor` or lies below it. */
export function isSubroleOrSelf(role: string, ancestor: string): boolean {
  return role === ancestor || isStrictSubroleOf(role, ancestor);
}
