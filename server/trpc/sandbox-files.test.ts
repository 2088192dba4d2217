import { describe, expect, it } from "vitest";
import { decodeChunk, safeRelativePath, utf8Prefix } from "./sandbox-files";

describe("sandbox byte helpers", () => {
  it("cuts a byte range before a split multi-byte character", () => {
    const euro = Buffer.from("a€", "utf8"); // 61 e2 82 ac
    expect(utf8Prefix(euro)).toBe(4);
    expect(utf8Prefix(euro.subarray(0, 3))).toBe(1);
    expect(utf8Prefix(euro.subarray(0, 2))).toBe(1);
    expect(utf8Prefix(Buffer.from("😀", "utf8").subarray(0, 3))).toBe(0);
    expect(utf8Prefix(Buffer.from("abc"))).toBe(3);
  });

  it("decodes whole characters; at end of file invalid bytes become U+FFFD", () => {
    const b = Buffer.from("x€", "utf8").subarray(0, 3);
    expect(decodeChunk(b, false)).toEqual({ text: "x", bytes: 1 });
    expect(decodeChunk(b, true).text).toBe("x\ufffd");
  });

  it("keeps paths inside the sandbox", () => {
    expect(safeRelativePath("/stdout")).toBe("stdout");
    expect(safeRelativePath("a/./b//c/")).toBe("a/b/c");
    expect(safeRelativePath("../etc/passwd")).toBeNull();
    expect(safeRelativePath("a/../../b")).toBeNull();
  });
});
