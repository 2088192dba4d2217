// What a master that is not leading answers (307 / 503), and /master/redirect.
import { describe, expect, it } from "vitest";
import type { MasterInfo } from "../protocol/mesos";
import { gateDecision, NO_LEADER, NOT_RECOVERED, redirectEndpointDecision } from "./gate";

const leader: MasterInfo = { id: "L", ip: 0, port: 5051, pid: "master@10.0.0.2:5051", hostname: "m2.example", version: "1.11.0", address: { hostname: "m2.example", ip: "10.0.0.2", port: 5051 } };

describe("leader gate", () => {
  it("serves when leading", () => {
    expect(gateDecision({ selfId: "L", leading: true, leader }, "/api/v1")).toEqual({ kind: "serve" });
  });

  it("redirects to the leader with host, explicit port, path and query", () => {
    expect(gateDecision({ selfId: "F", leading: false, leader }, "/master/state?jsonp=cb")).toEqual({ kind: "redirect", location: "//m2.example:5051/master/state?jsonp=cb" });
  });

  it("answers 503 without a leader, and while this master is elected but recovering", () => {
    expect(gateDecision({ selfId: "F", leading: false, leader: null }, "/api/v1/scheduler")).toEqual({ kind: "unavailable", message: NO_LEADER });
    expect(gateDecision({ selfId: "L", leading: false, leader }, "/api/v1/scheduler")).toEqual({ kind: "unavailable", message: NOT_RECOVERED });
  });

  it("/master/redirect points at the leader's base URL (even on the leader); deeper paths are 404", () => {
    expect(redirectEndpointDecision({ selfId: "F", leading: false, leader }, "/master/redirect")).toEqual({ kind: "redirect", location: "//m2.example:5051" });
    expect(redirectEndpointDecision({ selfId: "L", leading: true, leader }, "/redirect")).toEqual({ kind: "redirect", location: "//m2.example:5051" });
    expect(redirectEndpointDecision({ selfId: "F", leading: false, leader: null }, "/master/redirect")).toEqual({ kind: "unavailable", message: NO_LEADER });
    expect(redirectEndpointDecision({ selfId: "F", leading: false, leader }, "/master/redirect/x")).toEqual({ kind: "not_found" });
  });
});
