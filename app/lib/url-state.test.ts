import { describe, expect, it } from "vitest";
import { AGENTS_URL, EVENTS_URL, TASKS_URL, agentsQuery, eventsQuery, parseState, tasksQuery, toSearch, withSort } from "./url-state";

describe("URL list state", () => {
  it("parses known values and falls back to defaults for missing or invalid ones", () => {
    const s = parseState(TASKS_URL, new URLSearchParams("state=TASK_RUNNING&q=web&sort=bogus&dir=asc&extra=1"));
    expect(s).toEqual({ state: "TASK_RUNNING", framework: undefined, agent: undefined, q: "web", sort: "updated", dir: "asc" });
    expect(parseState(TASKS_URL, { state: "TASK_NOPE" }).state).toBeUndefined();
  });

  it("reads Next's searchParams objects (first value of repeated keys)", () => {
    expect(parseState(AGENTS_URL, { q: ["a", "b"], attr: "rack=r1" })).toMatchObject({ q: "a", attr: "rack=r1", sort: "hostname", dir: "asc" });
  });

  it("serialises without defaults or empty values, and round-trips", () => {
    expect(toSearch(TASKS_URL, { sort: "updated", dir: "desc", q: "" })).toBe("");
    const search = toSearch(TASKS_URL, { state: "active", q: "web 1", sort: "name", dir: "asc" });
    expect(search).toBe("?state=active&q=web+1&sort=name&dir=asc");
    expect(parseState(TASKS_URL, new URLSearchParams(search))).toMatchObject({ state: "active", q: "web 1", sort: "name", dir: "asc" });
  });

  it("keeps lists as comma-separated known values", () => {
    const s = parseState(EVENTS_URL, new URLSearchParams("kind=operator,bogus,agent,operator"));
    expect(s.kind).toEqual(["operator", "agent"]);
    expect(toSearch(EVENTS_URL, s)).toBe("?kind=operator%2Cagent");
    expect(eventsQuery(s).kinds).toEqual(["operator", "agent"]);
    expect(eventsQuery(parseState(EVENTS_URL, {})).kinds).toBeUndefined();
  });

  it("clamps long strings", () => {
    expect(parseState(AGENTS_URL, { q: "x".repeat(1000) }).q).toHaveLength(256);
  });

  it("flips the direction when sorting by the same column again", () => {
    expect(withSort({ sort: "name", dir: "asc" }, "name")).toEqual({ sort: "name", dir: "desc" });
    expect(withSort({ sort: "name", dir: "desc" }, "cpus", "desc")).toEqual({ sort: "cpus", dir: "desc" });
  });

  it("maps URL state to the tRPC inputs", () => {
    expect(agentsQuery(parseState(AGENTS_URL, { attr: "rack=a", q: "sim" }))).toEqual({ state: undefined, role: undefined, attribute: "rack=a", text: "sim", sort: "hostname", dir: "asc" });
    expect(tasksQuery(parseState(TASKS_URL, { framework: "f1", agent: "a1" }))).toMatchObject({ frameworkId: "f1", agentId: "a1", sort: "updated", dir: "desc" });
  });
});
