import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CheckpointJournal, readJournal, streamRecords } from "./journal";
import { makeStatusUpdate } from "./status";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const framework = { user: "u", name: "f", id: { value: "F" }, checkpoint: true };
const executor = { executor_id: { value: "T" } };
const task = { name: "t", task_id: { value: "T" }, agent_id: { value: "A" }, command: { value: "true" } };
const update = (state: "TASK_RUNNING" | "TASK_FINISHED") => makeStatusUpdate({ frameworkId: "F", agentId: "A", taskId: "T", state, source: "SOURCE_EXECUTOR" });

describe("checkpoint journal", () => {
  it("replays frameworks, live runs (retired ones forgotten), kills and update streams; ignores a torn last line", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-journal-"));
    dirs.push(dir);
    const file = path.join(dir, "checkpoints");
    const j = new CheckpointJournal(file, () => ({ frameworks: [], runs: [], streams: [] }));
    const running = update("TASK_RUNNING");
    j.append({ framework });
    j.append({ run: { framework_id: "F", executor, container_id: "c1" } });
    j.append({ task: { framework_id: "F", container_id: "c1", task } });
    j.append({ framework_id: "F", task_id: "T", update: running });
    j.append({ framework_id: "F", task_id: "T", ack: running.status.uuid! });
    j.append({ kill: { container_id: "c1" } });
    j.append({ run: { framework_id: "F", executor: { executor_id: { value: "old" } }, container_id: "c0" } });
    j.append({ retired: { container_id: "c0" } });
    j.close();
    fs.appendFileSync(file, '{"framework":{"user":'); // torn write
    const state = readJournal(file);
    expect([...state.frameworks.keys()]).toEqual(["F"]);
    expect([...state.runs.values()]).toEqual([{ frameworkId: "F", executor, containerId: "c1", tasks: [task], killRequested: true }]);
    expect(streamRecords(state, "F", "T")).toEqual([{ update: running }, { ack: running.status.uuid }]);
  });

  it("compacts to the live state", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-journal-"));
    dirs.push(dir);
    const file = path.join(dir, "checkpoints");
    const finished = update("TASK_FINISHED");
    const live = { frameworks: [framework], runs: [{ frameworkId: "F", executor, containerId: "c1", tasks: [task], killRequested: false }], streams: [{ frameworkId: "F", taskId: "T", records: [{ update: finished }] }] };
    const j = new CheckpointJournal(file, () => live);
    for (let i = 0; i < 50; i++) j.append({ run: { framework_id: "F", executor, container_id: `dead-${i}` } });
    j.compact();
    j.append({ kill: { container_id: "c1" } });
    j.close();
    const state = readJournal(file);
    expect([...state.runs.keys()]).toEqual(["c1"]);
    expect(state.runs.get("c1")!.killRequested).toBe(true);
    expect(fs.readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(5);
  });

  it("answers nothing for a work_dir without a journal", () => {
    expect(readJournal("/nonexistent/checkpoints").runs.size).toBe(0);
  });
});
