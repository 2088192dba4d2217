import { describe, expect, it } from "vitest";
import { isStrictSubroleOf, isSubroleOrSelf, validateRole } from "./roles";

describe("validateRole", () => {
  it.each(["*", "eng", "eng/web", "a/b/c", "a.b", "a-b", "a*b", "_x"])("accepts %s", (role) => {
    expect(validateRole(role)).toBeNull();
  });

  it.each([
    ["", /empty/],
    ["/eng", /leading or trailing/],
    ["eng/", /leading or trailing/],
    ["eng//web", /empty component/],
    [".", /'\.'/],
    ["eng/..", /'\.\.'/],
    ["eng/*", /'\*'/],
    ["*/eng", /'\*'/],
    ["-eng", /start with '-'/],
    ["eng/-web", /start with '-'/],
    ["en g", /whitespace/],
    ["eng\tweb", /whitespace/],
    ["eng\u0008", /backspace/],
  ])("rejects %j", (role, message) => {
    expect(validateRole(role)).toMatch(message);
  });
});

describe("role hierarchy", () => {
  it("recognises strict subroles", () => {
    expect(isStrictSubroleOf("eng/web", "eng")).toBe(true);
    expect(isStrictSubroleOf("eng/web/x", "eng")).toBe(true);
    expect(isStrictSubroleOf("eng", "eng")).toBe(false);
    expect(isStrictSubroleOf("engineering", "eng")).toBe(false);
    expect(isStrictSubroleOf("eng", "eng/web")).toBe(false);
  });

  it("isSubroleOrSelf includes the role itself", () => {
    expect(isSubroleOrSelf("eng", "eng")).toBe(true);
    expect(isSubroleOrSelf("eng/web", "eng")).toBe(true);
    expect(isSubroleOrSelf("ops", "eng")).toBe(false);
  });
});
