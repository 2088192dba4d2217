// Checkpoint file primitives. Contract: a checkpoint file is either absent or complete —
// whole-file checkpoints are written to a temp file in the same directory and renamed over the
// target (rename is atomic on POSIX); `task.updates` is an append-only journal of JSON lines
// whose reader ignores a torn last line. No fsync: checkpoints survive an agent crash (the page
// cache outlives the process) but not necessarily a host crash, which kills the tasks anyway.
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { StatusUpdateMessage } from "../protocol/internal";
import { parseJsonBody, toWireJson } from "../protocol/json";

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

export const writeJsonAtomic = (file: string, value: unknown) => writeFileAtomic(file, toWireJson(value));

/** Points `link` at `target` (relative targets are resolved from the link's directory), atomically. */
export async function replaceSymlink(target: string, link: string): Promise<void> {
  const tmp = `${link}.${randomBytes(6).toString("hex")}.tmp`;
  await fsp.symlink(target, tmp);
  try {
    await fsp.rename(tmp, link);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

const isNotFound = (err: unknown) => (err as NodeJS.ErrnoException).code === "ENOENT";

/** File text, or undefined when the file does not exist. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, "utf8");
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`Bad checkpoint ${file}: ${reason}`);
    this.name = "CheckpointError";
  }
}

/** A validated JSON checkpoint, undefined when absent; throws CheckpointError when corrupt. */
export async function readJsonCheckpoint<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = parseJsonBody(text);
  } catch (err) {
    throw new CheckpointError(file, (err as Error).message);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new CheckpointError(file, parsed.error.message);
  return parsed.data;
}

/** A small integer file written by the task wrapper: a complete write ends with a newline. */
export async function readIntFile(file: string): Promise<number | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined || !/^\d+\n$/.test(text)) return undefined;
  return Number(text.trim());
}

/** Names of the subdirectories of `dir` (symlinks such as `latest` excluded); [] when absent. */
export async function listDirs(dir: string): Promise<string[]> {
  try {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

// ---- task.updates: one JSON object per line, `{"update": StatusUpdateMessage}` or `{"ack": "<uuid>"}` ----

export const UpdateRecord = z.union([z.object({ update: StatusUpdateMessage }), z.object({ ack: z.string() })]);
export type UpdateRecord = z.infer<typeof UpdateRecord>;

export async function appendUpdateRecord(file: string, record: UpdateRecord): Promise<void> {
  await fsp.appendFile(file, toWireJson(record) + "\n");
}

/**
 * The records of a journal in order. A final line without its newline is a torn write and is
 * dropped; any other unreadable line is a CheckpointError.
 */
export async function readUpdateRecords(file: string): Promise<UpdateRecord[]> {
  const text = await readTextIfExists(file);
  if (text === undefined) return [];
  const lines = text.split("\n");
  lines.pop(); // "" after the last newline, or a torn final line
  const out: UpdateRecord[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let parsed: ReturnType<typeof UpdateRecord.safeParse>;
    try {
      parsed = UpdateRecord.safeParse(parseJsonBody(line));
    } catch (err) {
      throw new CheckpointError(file, `line ${i + 1}: ${(err as Error).message}`);
    }
    if (!parsed.success) throw new CheckpointError(file, `line ${i + 1}: ${parsed.error.message}`);
    out.push(parsed.data);
  }
  return out;
}
