// The status update journal: ONE append-only file per agent,
// `meta/slaves/<agent>/task.updates`, holding the update streams of every task of checkpointing
// frameworks (Mesos keeps one `task.updates` file per task; one file makes an update one
// write(2) instead of open/append/close per task — the difference at 1,000 tasks).
//
// Format: JSON lines `{"framework_id","task_id","update":StatusUpdateMessage}` or
// `{"framework_id","task_id","ack":"<uuid>"}`, in the order they happened. Appends are
// synchronous writes to an open descriptor: a record is in the page cache (survives an agent
// crash) before the update is forwarded. A torn last line (crash mid-write) is ignored.
// Compaction: once the file holds many more records than the open streams need, it is rewritten
// (temp file + rename) with only what recovery needs of each open stream.
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { StatusUpdateMessage } from "../protocol/internal";
import { parseJsonBody, toWireJson } from "../protocol/json";
import { CheckpointError, type UpdateRecord } from "./checkpoint";

export const JOURNAL_FILE = "task.updates";

const JournalLine = z.union([
  z.object({ framework_id: z.string(), task_id: z.string(), update: StatusUpdateMessage }),
  z.object({ framework_id: z.string(), task_id: z.string(), ack: z.string() }),
]);

export interface StreamRecords {
  frameworkId: string;
  taskId: string;
  records: UpdateRecord[];
}

const keyOf = (frameworkId: string, taskId: string) => `${frameworkId}\u0000${taskId}`;

/** Reads a journal: streams in order of first appearance. Absent file → empty. */
export function readJournal(file: string): Map<string, StreamRecords> {
  const out = new Map<string, StreamRecords>();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw err;
  }
  const lines = text.split("\n");
  lines.pop(); // "" after the last newline, or a torn final line
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let parsed: ReturnType<typeof JournalLine.safeParse>;
    try {
      parsed = JournalLine.safeParse(parseJsonBody(line));
    } catch (err) {
      throw new CheckpointError(file, `line ${i + 1}: ${(err as Error).message}`);
    }
    if (!parsed.success) throw new CheckpointError(file, `line ${i + 1}: ${parsed.error.message}`);
    const { framework_id, task_id } = parsed.data;
    const key = keyOf(framework_id, task_id);
    let stream = out.get(key);
    if (stream === undefined) out.set(key, (stream = { frameworkId: framework_id, taskId: task_id, records: [] }));
    stream.records.push("update" in parsed.data ? { update: parsed.data.update } : { ack: parsed.data.ack });
  }
  return out;
}

export function journalRecords(journal: Map<string, StreamRecords>, frameworkId: string, taskId: string): UpdateRecord[] {
  return journal.get(keyOf(frameworkId, taskId))?.records ?? [];
}

export class UpdateJournal {
  private fd: number | undefined;
  private appendedSinceCompaction = 0;
  private nextCheckAt: number;
  private compactionScheduled = false;

  constructor(
    readonly file: string,
    /** What compaction keeps: the records of every open stream. */
    private readonly live: () => Iterable<StreamRecords>,
    private readonly minRecordsBeforeCompaction = 20_000,
  ) {
    this.nextCheckAt = minRecordsBeforeCompaction;
  }

  /** Opens (creating) the journal for appending. */
  open(): void {
    if (this.fd === undefined) this.fd = openSync(this.file, "a");
  }

  append(frameworkId: string, taskId: string, record: UpdateRecord): void {
    if (this.fd === undefined) this.open();
    writeSync(this.fd!, toWireJson({ framework_id: frameworkId, task_id: taskId, ...record }) + "\n");
    if (++this.appendedSinceCompaction >= this.nextCheckAt && !this.compactionScheduled) {
      this.compactionScheduled = true;
      setImmediate(() => this.compactIfWorthIt());
    }
  }

  /** Rewrites the journal with only the open streams' records (atomically). */
  compact(): void {
    const lines: string[] = [];
    for (const s of this.live()) {
      for (const r of s.records) lines.push(toWireJson({ framework_id: s.frameworkId, task_id: s.taskId, ...r }));
    }
    const tmp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.compact`);
    writeFileSync(tmp, lines.length > 0 ? lines.join("\n") + "\n" : "");
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
    let live = 0;
    for (const s of this.live()) live += s.records.length;
    // Worth it once most of the file is dead records; otherwise look again later.
    if (this.appendedSinceCompaction < 4 * live) {
      this.nextCheckAt = this.appendedSinceCompaction + Math.max(this.minRecordsBeforeCompaction, 4 * live);
      return;
    }
    this.compact();
  }
}
