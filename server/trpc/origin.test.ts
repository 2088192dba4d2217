import { describe, expect, it } from "vitest";
import { csrfProblem, originHost } from "./origin";

describe("mutation origin checks", () => {
  const peers = (h: string) => h === "10.0.0.2:5050";
  it("requires the custom header", () => {
    expect(csrfProblem({ host: "m:5050" }, peers)).toMatch(/x-plateau-csrf/);
  });
  it("accepts same-origin, peer masters, and clients that send no Origin", () => {
    expect(csrfProblem({ host: "m:5050", csrf: "1", origin: "http://m:5050" }, peers)).toBeNull();
    expect(csrfProblem({ host: "m:5050", csrf: "1", origin: "http://10.0.0.2:5050" }, peers)).toBeNull();
    expect(csrfProblem({ host: "m:5050", csrf: "1" }, peers)).toBeNull();
  });
  it("refuses other origins", () => {
    expect(csrfProblem({ host: "m:5050", csrf: "1", origin: "http://evil.example" }, peers)).toMatch(/evil.example/);
    expect(csrfProblem({ host: "m:5050", csrf: "1", origin: "null" }, peers)).toMatch(/not accepted/);
    expect(csrfProblem({ host: "m:5050", csrf: "1", origin: "http://m:5051" }, peers)).not.toBeNull();
  });
  it("reads host:port from origins", () => {
    expect(originHost("http://a.b:80")).toBe("a.b");
    expect(originHost("https://a.b:8443")).toBe("a.b:8443");
    expect(originHost("file:///x")).toBeNull();
  });
});
