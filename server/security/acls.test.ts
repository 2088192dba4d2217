import { describe, expect, it } from "vitest";
import { AclError, aclAllows, aclMayEver, parseAcls } from "./acls";

describe("ACLs (Mesos local-authorizer semantics)", () => {
  const acls = parseAcls({
    permissive: false,
    register_frameworks: [
      { principals: { values: ["alice"] }, roles: { values: ["eng"] } },
      { principals: { values: ["bob"] }, roles: { type: "NONE" } },
      { principals: { type: "ANY" }, roles: { values: ["public"] } },
    ],
    teardown_frameworks: [{ principals: { values: ["ops"] }, framework_principals: { type: "ANY" } }],
    update_weights: [{ principals: { type: "NONE" }, roles: { type: "ANY" } }],
  });

  it("first matching rule decides; values must contain the object", () => {
    expect(aclAllows(acls, "alice", "register_frameworks", "eng")).toBe(true);
    expect(aclAllows(acls, "alice", "register_frameworks", "public")).toBe(true); // rule 3 (ANY principal)
    expect(aclAllows(acls, "alice", "register_frameworks", "prod")).toBe(false); // nothing matches → permissive false
    expect(aclAllows(acls, "bob", "register_frameworks", "public")).toBe(false); // rule 2 matches first and denies
    expect(aclAllows(acls, "carol", "register_frameworks", "public")).toBe(true);
  });

  it("an unauthenticated request (subject ANY) matches only ANY/NONE subjects", () => {
    expect(aclAllows(acls, undefined, "register_frameworks", "public")).toBe(true);
    expect(aclAllows(acls, undefined, "register_frameworks", "eng")).toBe(false);
    expect(aclAllows(acls, undefined, "teardown_frameworks", "x")).toBe(false);
  });

  it("object ANY (no particular object) is allowed only by ANY objects", () => {
    expect(aclAllows(acls, "ops", "teardown_frameworks")).toBe(true);
    expect(aclAllows(acls, "alice", "register_frameworks")).toBe(false);
  });

  it("principals NONE matches everybody and denies", () => {
    expect(aclAllows(acls, "ops", "update_weights", "eng")).toBe(false);
    expect(aclAllows(acls, undefined, "update_weights")).toBe(false);
  });

  it("permissive applies when no rule matches; absent permissive means true", () => {
    expect(aclAllows(acls, "ops", "kill_tasks", "root")).toBe(false);
    const open = parseAcls({ view_flags: [{ principals: { values: ["x"] }, flags: { type: "NONE" } }] });
    expect(aclAllows(open, "y", "view_flags")).toBe(true);
    expect(aclAllows(open, "x", "view_flags")).toBe(false);
  });

  it("mayEver tells whether a control should be offered", () => {
    expect(aclMayEver(acls, "alice", "register_frameworks")).toBe(true);
    expect(aclMayEver(acls, "ops", "update_weights")).toBe(false);
    expect(aclMayEver(acls, "ops", "teardown_frameworks")).toBe(true);
    expect(aclMayEver(acls, "alice", "teardown_frameworks")).toBe(false);
  });

  it("refuses malformed ACLs (typos must not open access)", () => {
    expect(() => parseAcls({ register_framework: [] })).toThrow(AclError);
    expect(() => parseAcls({ run_tasks: [{ principals: { values: ["a"] }, roles: { type: "ANY" } }] })).toThrow(/unknown field 'roles'/);
    expect(() => parseAcls({ run_tasks: [{ principals: { type: "SOME" } }] })).toThrow(AclError);
    expect(() => parseAcls({ permissive: "no" })).toThrow(AclError);
    expect(() => parseAcls([])).toThrow(AclError);
  });
});
