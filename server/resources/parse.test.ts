import { describe, expect, it } from "vitest";
import { ResourcesParseError, parseAttributes, parseResources } from "./parse";

describe("parseResources: value syntax", () => {
  it("parses scalars, ranges and sets", () => {
    expect(parseResources("cpus:4;mem:1024.5;ports:[31000-32000,33000-33100];disks:{a,b,c}")).toEqual([
      { name: "cpus", type: "SCALAR", scalar: { value: 4 } },
      { name: "mem", type: "SCALAR", scalar: { value: 1024.5 } },
      {
        name: "ports",
        type: "RANGES",
        ranges: { range: [{ begin: 31000, end: 32000 }, { begin: 33000, end: 33100 }] },
      },
      { name: "disks", type: "SET", set: { item: ["a", "b", "c"] } },
    ]);
  });

  it("strips whitespace and ignores empty entries", () => {
    expect(parseResources(" cpus : 4 ; ; mem:1 024 ;ports:[ 1 - 2 , 5-6 ];s:{ a , b };")).toEqual([
      { name: "cpus", type: "SCALAR", scalar: { value: 4 } },
      { name: "mem", type: "SCALAR", scalar: { value: 1024 } },
      { name: "ports", type: "RANGES", ranges: { range: [{ begin: 1, end: 2 }, { begin: 5, end: 6 }] } },
      { name: "s", type: "SET", set: { item: ["a", "b"] } },
    ]);
    expect(parseResources("")).toEqual([]);
  });

  it("accepts scalar forms: decimals, exponent, leading dot", () => {
    expect(parseResources("a:.5;b:1e3;c:2.;d:+3")).toEqual([
      { name: "a", type: "SCALAR", scalar: { value: 0.5 } },
      { name: "b", type: "SCALAR", scalar: { value: 1000 } },
      { name: "c", type: "SCALAR", scalar: { value: 2 } },
      { name: "d", type: "SCALAR", scalar: { value: 3 } },
    ]);
  });

  it("rounds scalars to 3 decimals", () => {
    expect(parseResources("cpus:0.12345")).toEqual([{ name: "cpus", type: "SCALAR", scalar: { value: 0.123 } }]);
  });

  it("drops empty values (zero scalars, empty ranges/sets)", () => {
    expect(parseResources("cpus:0;ports:[];s:{}")).toEqual([]);
  });

  it("merges duplicate same-name same-role entries", () => {
    expect(parseResources("cpus:1;mem:5;cpus:2.5;ports:[1-3];ports:[4-6,10-11];s:{a};s:{a,b}")).toEqual([
      { name: "cpus", type: "SCALAR", scalar: { value: 3.5 } },
      { name: "mem", type: "SCALAR", scalar: { value: 5 } },
      { name: "ports", type: "RANGES", ranges: { range: [{ begin: 1, end: 6 }, { begin: 10, end: 11 }] } },
      { name: "s", type: "SET", set: { item: ["a", "b"] } },
    ]);
  });
});

describe("parseResources: roles", () => {
  it("turns a role into a STATIC reservation (refined format)", () => {
    expect(parseResources("cpus:4;cpus(analytics):2;mem( eng/web ):10")).toEqual([
      { name: "cpus", type: "SCALAR", scalar: { value: 4 } },
      { name: "cpus", type: "SCALAR", scalar: { value: 2 }, reservations: [{ type: "STATIC", role: "analytics" }] },
      { name: "mem", type: "SCALAR", scalar: { value: 10 }, reservations: [{ type: "STATIC", role: "eng/web" }] },
    ]);
  });

  it("treats (*) as unreserved", () => {
    expect(parseResources("cpus(*):1")).toEqual([{ name: "cpus", type: "SCALAR", scalar: { value: 1 } }]);
  });

  it("applies the default role to entries without one", () => {
    expect(parseResources("cpus:1;mem(*):2", "ops")).toEqual([
      { name: "cpus", type: "SCALAR", scalar: { value: 1 }, reservations: [{ type: "STATIC", role: "ops" }] },
      { name: "mem", type: "SCALAR", scalar: { value: 2 } },
    ]);
  });

  it("keeps different roles apart when merging", () => {
    const out = parseResources("cpus(a):1;cpus:1;cpus(a):2");
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({ name: "cpus", type: "SCALAR", scalar: { value: 3 }, reservations: [{ type: "STATIC", role: "a" }] });
  });
});

describe("parseResources: errors", () => {
  const fails = (text: string, message: RegExp | string, defaultRole?: string) => {
    expect(() => parseResources(text, defaultRole)).toThrow(ResourcesParseError);
    expect(() => parseResources(text, defaultRole)).toThrow(message);
  };

  it("rejects text values", () => fails("cpus:abc", "Bad value for resource 'cpus': 'abc'"));
  it("rejects negative scalars", () => fails("cpus:-1", /'cpus': '-1' \(scalar must not be negative\)/));
  it("rejects non-finite scalars", () => fails("cpus:1e999", /must be finite/));
  it("rejects missing values", () => fails("cpus:", "Bad value for resource 'cpus': ''"));
  it("rejects missing ':'", () => fails("cpus4", /expected 'name\[\(role\)\]:value'/));
  it("rejects extra ':'", () => fails("cpus:4:5", /expected/));
  it("rejects an empty name", () => fails(":4", /empty resource name/));
  it("rejects mismatched parentheses", () => {
    fails("cpus(eng:4", /mismatched parentheses/);
    fails("cpus)eng(:4", /mismatched parentheses/);
    fails("cpus(eng)x:4", /mismatched parentheses/);
  });
  it("rejects invalid roles", () => {
    fails("cpus():4", /Bad role for resource 'cpus': Role name must not be empty/);
    fails("cpus(-x):4", /Bad role/);
    fails("cpus(a//b):4", /Bad role/);
    fails("cpus:4", /Bad default role/, "a/");
  });
  it("rejects inverted ranges", () => fails("ports:[10-5]", /range begin > end in '10-5'/));
  it("rejects overlapping ranges in one entry", () => fails("ports:[1-10,5-20]", /overlapping ranges/));
  it("rejects malformed ranges", () => {
    fails("ports:[1-2", /missing '\]'/);
    fails("ports:[5]", /malformed range '5'/);
    fails("ports:[a-b]", /malformed range/);
    fails("ports:[-1-5]", /malformed range/);
  });
  it("rejects malformed and duplicated sets", () => {
    fails("s:{a,b", /missing '\}'/);
    fails("s:{a,a}", /duplicate set items/);
  });
});

describe("parseResources: JSON", () => {
  it("accepts a JSON array in either reservation format", () => {
    const text = JSON.stringify([
      { name: "cpus", type: "SCALAR", scalar: { value: 2 } },
      { name: "mem", type: "SCALAR", scalar: { value: 64 }, role: "eng" },
      { name: "disk", type: "SCALAR", scalar: { value: 8 }, role: "eng", reservation: { principal: "p" } },
      { name: "ports", type: "RANGES", ranges: { range: [{ begin: "1", end: 3 }] } },
    ]);
    expect(parseResources(text)).toEqual([
      { name: "cpus", type: "SCALAR", scalar: { value: 2 } },
      { name: "mem", type: "SCALAR", scalar: { value: 64 }, reservations: [{ type: "STATIC", role: "eng" }] },
      {
        name: "disk",
        type: "SCALAR",
        scalar: { value: 8 },
        reservations: [{ type: "DYNAMIC", role: "eng", principal: "p" }],
      },
      { name: "ports", type: "RANGES", ranges: { range: [{ begin: 1, end: 3 }] } },
    ]);
  });

  it("applies the default role to unassigned JSON resources", () => {
    const text = '[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]';
    expect(parseResources(text, "ops")).toEqual([
      { name: "cpus", type: "SCALAR", scalar: { value: 1 }, reservations: [{ type: "STATIC", role: "ops" }] },
    ]);
  });

  it("reports schema, syntax and validation errors", () => {
    expect(() => parseResources('[{"name":"cpus","type":"TEXT"}]')).toThrow(/Bad JSON resources at 0.type/);
    expect(() => parseResources("[{")).toThrow(/Bad JSON resources/);
    expect(() => parseResources('[{"name":"cpus","type":"SCALAR","scalar":{"value":-1}}]')).toThrow(
      /Invalid resource 'cpus': .*value < 0/,
    );
    expect(() => parseResources('[{"name":"cpus","type":"SCALAR"}]')).toThrow(/'scalar' field must be set/);
  });
});

describe("parseAttributes", () => {
  it("parses TEXT, SCALAR and RANGES values", () => {
    expect(parseAttributes("rack:r12;zone:us-east-1a;ssd:1;ports:[1-5,7-8];weight:0.5")).toEqual([
      { name: "rack", type: "TEXT", text: { value: "r12" } },
      { name: "zone", type: "TEXT", text: { value: "us-east-1a" } },
      { name: "ssd", type: "SCALAR", scalar: { value: 1 } },
      { name: "ports", type: "RANGES", ranges: { range: [{ begin: 1, end: 5 }, { begin: 7, end: 8 }] } },
      { name: "weight", type: "SCALAR", scalar: { value: 0.5 } },
    ]);
  });

  it("splits at the first ':' and accepts newlines as separators", () => {
    expect(parseAttributes("url:http://x:80\n os : linux \r\n")).toEqual([
      { name: "url", type: "TEXT", text: { value: "http://x:80" } },
      { name: "os", type: "TEXT", text: { value: "linux" } },
    ]);
  });

  it("treats negative numbers as TEXT", () => {
    expect(parseAttributes("offset:-3")).toEqual([{ name: "offset", type: "TEXT", text: { value: "-3" } }]);
  });

  it("rejects sets, bad pairs and bad ranges", () => {
    expect(() => parseAttributes("disks:{a,b}")).toThrow(/SET values are not allowed/);
    expect(() => parseAttributes("rack")).toThrow(/Invalid attribute key:value pair 'rack'/);
    expect(() => parseAttributes(":x")).toThrow(ResourcesParseError);
    expect(() => parseAttributes("x:")).toThrow(/Invalid attribute/);
    expect(() => parseAttributes("p:[5-1]")).toThrow(/Bad value for attribute 'p'/);
  });
});
