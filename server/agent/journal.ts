// The agent's checkpoints: ONE append-only journal per agent,
// `meta/slaves/<agent>/checkpoints`, instead of Mesos's tree of framework.info / executor.info /
// task.info / task.updates files. Creating a file or directory costs ~1 ms on a busy disk while
// an append to an open file costs microseconds, and launching 1,000 containers would otherwise
// create ~10,000 inodes just for checkpoints.
//
// Records, one JSON object per line, in the order things happened:
//   {"framework": FrameworkInfo}                                a framework (latest wins)
//   {"run": {framework_id, executor: ExecutorInfo, container_id}}   an executor run, before launch
//   {"task": {framework_id, container_id, task: TaskInfo}}      a task given to a run, before launch
//   {"kill": {container_id}}                                    the agent asked the run to die
//   {"retired": {container_id}}                                 the run is over (forget it)
//   {"framework_id", "task_id", "update": StatusUpdateMessage}  a status update (checkpointing frameworks)
//   {"framework_id", "task_id", "ack": "<uuid>"}                its acknowledgement
// Appends are synchronous writes to an open descriptor: a record is in the page cache (it
// survives an agent crash) before the container starts / the update is forwarded. A torn last
// line (crash mid-write) is ignored. Once the file holds many more records than the live state
// needs it is compacted: rewritten (temp file + rename) with only what recovery needs.
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { StatusUpdateMessage } from "../protocol/internal";
import { parseJsonBody, toWireJson } from "../protocol/json";
import { ExecutorInfo, FrameworkInfo, TaskInfo } from "../protocol/mesos";
import { CheckpointError, type UpdateRecord } from "./checkpoint";

const Line = z.union([
  z.object({ framework: FrameworkInfo }),
  z.object({ run: z.object({ framework_id: z.string(), executor: ExecutorInfo, container_id: z.string() }) }),
  z.object({ task: z.object({ framework_id: z.string(), container_id: z.string(), task: TaskInfo }) }),
  z.object({ kill: z.object({ container_id: z.string() }) }),
  z.object({ retired: z.object({ container_id: z.string() }) }),
  z.object({ framework_id: z.string(), task_id: z.string(), update: StatusUpdateMessage }),
  z.object({ framework_id: z.string(), task_id: z.string(), ack: z.string() }),
]);
export type JournalRecord = z.infer<typeof Line>;

export interface StreamRecords {
  frameworkId: string;
  taskId: string;
  records: UpdateRecord[];
}

export interface JournalRun {
  frameworkId: string;
  executor: ExecutorInfo;
  containerId: string;
  tasks: TaskInfo[];
  killRequested: boolean;
}

/** What a journal says, replayed: live runs (not retired), frameworks, update streams. */
export interface JournalState {
  frameworks: Map<string, FrameworkInfo>;
  runs: Map<string, JournalRun>;
  streams: Map<string, StreamRecords>;
}

const streamKey = (frameworkId: string, taskId: string) => `${frameworkId}\u0000${taskId}`;

export function streamRecords(state: JournalState, frameworkId: string, taskId: string): UpdateRecord[] {
  return state.streams.get(streamKey(frameworkId, taskId))?.records ?? [];
}

/** Replays a journal. Absent file → empty. A torn last line is dropped; any other bad line throws CheckpointError. */
export function readJournal(file: string): JournalState {
  const state: JournalState = { frameworks: new Map(), runs: new Map(), streams: new Map() };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return state;
    throw err;
  }
  const lines = text.split("\n");
  lines.pop(); // "" after the last newline, or a torn final line
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let parsed: ReturnType<typeof Line.safeParse>;
    try {
      parsed = Line.safeParse(parseJsonBody(line));
    } catch (err) {
      throw new CheckpointError(file, `line ${i + 1}: ${(err as Error).message}`);
    }
    if (!parsed.success) throw new CheckpointError(file, `line ${i + 1}: ${parsed.error.message}`);
    apply(state, parsed.data);
  }
  return state;
}

function apply(state: JournalState, r: JournalRecord): void {
  if ("framework" in r) {
    if (r.framework.id !== undefined) state.frameworks.set(r.framework.id.value, r.framework);
  } else if ("run" in r) {
    state.runs.set(r.run.container_id, { frameworkId: r.run.framework_id, executor: r.run.executor, containerId: r.run.container_id, tasks: [], killRequested: false });
  } else if ("task" in r) {
    state.runs.get(r.task.container_id)?.tasks.push(r.task.task);
  } else if ("kill" in r) {
    const run = state.runs.get(r.kill.container_id);
    if (run !== undefined) run.killRequested = true;
  } else if ("retired" in r) {
    state.runs.delete(r.retired.container_id);
  } else {
    const key = streamKey(r.framework_id, r.task_id);
    let stream = state.streams.get(key);
    if (stream === undefined) state.streams.set(key, (stream = { frameworkId: r.framework_id, taskId: r.task_id, records: [] }));
    stream.records.push("update" in r ? { update: r.update } : { ack: r.ack });
  }
}

/** What compaction keeps (from the agent's live state). */
export interface JournalSnapshot {
  frameworks: Iterable<FrameworkInfo>;
  runs: Iterable<JournalRun>;
  streams: Iterable<StreamRecords>;
}

export function snapshotRecords(s: JournalSnapshot): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (const framework of s.frameworks) out.push({ framework });
  for (const run of s.runs) {
    out.push({ run: { framework_id: run.frameworkId, executor: run.executor, container_id: run.containerId } });
    for (const task of run.tasks) out.push({ task: { framework_id: run.frameworkId, container_id: run.containerId, task } });
    if (run.killRequested) out.push({ kill: { container_id: run.containerId } });
  }
  for (const stream of s.streams) {
    for (const r of stream.records) out.push({ framework_id: stream.frameworkId, task_id: stream.taskId, ...r });
  }
  return out;
}

export class CheckpointJournal {
  private fd: number | undefined;
  private appendedSinceCompaction = 0;
  private nextCheckAt: number;
  private compactionScheduled = false;

  constructor(
    readonly file: string,
    /** The live state compaction keeps. */
    private readonly live: () => JournalSnapshot,
    private readonly minRecordsBeforeCompaction = 20_000,
  ) {
    this.nextCheckAt = minRecordsBeforeCompaction;
  }

  append(record: JournalRecord): void {
    if (this.fd === undefined) this.fd = openSync(this.file, "a");
    writeSync(this.fd, toWireJson(record) + "\n");
    if (++this.appendedSinceCompaction >= this.nextCheckAt && !this.compactionScheduled) {
      this.compactionScheduled = true;
      setImmediate(() => this.compactIfWorthIt());
    }
  }

  /** Rewrites the journal with only the live state (atomically). */
  compact(): void {
    const records = snapshotRecords(this.live());
    const tmp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.compact`);
    writeFileSync(tmp, records.map((r) => toWireJson(r) + "\n").join(""));
    renameSync(tmp, this.file);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(this.file, "a");
    this.appendedSinceCompaction = 0;
    this.nextCheckAt = this.minRecordsBeforeCompaction;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private compactIfWorthIt(): void {
    this.compactionScheduled = false;
    const live = snapshotRecords(this.live()).length;
    // Worth it once most of the file is dead records; otherwise look again later.
    if (this.appendedSinceCompaction < 4 * live) {
      this.nextCheckAt = this.appendedSinceCompaction + Math.max(this.minRecordsBeforeCompaction, 4 * live);
      return;
    }
    this.compact();
  }
}
