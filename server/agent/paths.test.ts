import { describe, expect, it } from "vitest";
import * as paths from "./paths";

const run = { agentId: "M-S0", frameworkId: "fw-1", executorId: "t1", containerId: "c-9" };

describe("paths", () => {
  it("lays out sandboxes as Mesos does", () => {
    expect(paths.sandboxDir("/w", run)).toBe("/w/slaves/M-S0/frameworks/fw-1/executors/t1/runs/c-9");
    expect(paths.latestRunLink("/w", run)).toBe("/w/slaves/M-S0/frameworks/fw-1/executors/t1/runs/latest");
    expect(paths.latestAgentLink("/w")).toBe("/w/slaves/latest");
  });

  it("lays out checkpoints under meta/ and runtime files under the runtime dir", () => {
    expect(paths.bootIdPath("/w")).toBe("/w/meta/boot_id");
    expect(paths.metaLatestAgentLink("/w")).toBe("/w/meta/slaves/latest");
    expect(paths.agentInfoPath("/w", "M-S0")).toBe("/w/meta/slaves/M-S0/slave.info");
    expect(paths.agentJournalPath("/w", "a1")).toBe("/w/meta/slaves/a1/checkpoints");
    expect(paths.runtimeContainerDir("/run/p", "c-9")).toBe("/run/p/containers/c-9");
    expect(paths.RUN_FILES.forkedPid).toBe("pids/forked.pid");
  });

  it("refuses ids that are not a single safe path component", () => {
    for (const bad of ["..", ".", "a/b", "", "x\u0000"]) {
      expect(() => paths.sandboxDir("/w", { ...run, executorId: bad })).toThrow(paths.InvalidIdError);
    }
    expect(() => paths.metaAgentDir("/w", "../../etc")).toThrow(/Invalid agent id/);
    expect(() => paths.runtimeContainerDir("/run/p", "..")).toThrow(paths.InvalidIdError);
  });
});
