// Checkpoint file primitives. Contract: a checkpoint file is either absent or complete —
// whole-file checkpoints are written to a temp file in the same directory and renamed over the
// target (rename is atomic on POSIX); `task.updates` is an append-only journal of JSON lines
// whose reader ignores a torn last line. No fsync: checkpoints survive an agent crash (the page
// cache outlives the process) but not necessarily a host crash, which kills the tasks anyway.
import { randomBytes } from "node:crypto";
import { promises as fsp, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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

/**
 * Synchronous atomic write, for the launch path: a handful of tiny files per task written
 * without a threadpool round trip each. The temp name needs no randomness: synchronous writes
 * of one process cannot interleave.
 */
export function writeFileAtomicSync(file: string, data: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export const writeJsonAtomicSync = (file: string, value: unknown) => writeFileAtomicSync(file, toWireJson(value));

/** Points `link` at `target`: created if absent, else replaced atomically (synchronous). */
export function linkLatestSync(target: string, link: string): void {
  try {
    symlinkSync(target, link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const tmp = `${link}.tmp`;
    rmSync(tmp, { force: true });
    symlinkSync(target, tmp);
    renameSync(tmp, link);
  }
}

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

// ---- status update journal records (see journal.ts) ----

export const UpdateRecord = z.union([z.object({ update: StatusUpdateMessage }), z.object({ ack: z.string() })]);
export type UpdateRecord = z.infer<typeof UpdateRecord>;
