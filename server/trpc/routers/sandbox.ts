// A task's sandbox: browse its files, read byte ranges of a log, and follow a log as it grows
// (a subscription that tails the file through the master: the browser never polls).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { MasterHandle } from "../../master/handle";
import { masterProcedure, router, visibilityOf, type Context } from "../init";
import { sleep } from "../changes";
import { SANDBOX_UNAVAILABLE, decodeChunk, safeRelativePath, sandboxCapability, type SandboxFiles } from "../sandbox-files";

const TaskRef = { frameworkId: z.string().min(1).max(512), taskId: z.string().min(1).max(512) };
const RelPath = z.string().max(4096);
/** Largest range one read returns (the master's files API caps a read at 64 KiB; we ask for more in steps). */
const MAX_READ = 256 * 1024;
const TAIL_POLL_MS = 400;

async function filesFor(ctx: Context & { handle: MasterHandle }, frameworkId: string, taskId: string): Promise<SandboxFiles> {
  const handle = ctx.handle;
  // access_sandboxes (object: the task's user) when ACLs are configured.
  const vis = visibilityOf(ctx);
  if (vis && !vis.sandbox(frameworkId, taskId)) throw new TRPCError({ code: "FORBIDDEN", message: `Principal '${ctx.principal}' is not authorized to access the sandbox of task ${taskId}` });
  const cap = sandboxCapability(handle);
  if (!cap) throw new TRPCError({ code: "NOT_IMPLEMENTED", message: SANDBOX_UNAVAILABLE });
  const files = await cap.sandboxFiles(frameworkId, taskId);
  if (!files) throw new TRPCError({ code: "NOT_FOUND", message: `No sandbox for task ${taskId} (the task or its agent is gone)` });
  return files;
}

function relPath(p: string): string {
  const safe = safeRelativePath(p);
  if (safe === null) throw new TRPCError({ code: "BAD_REQUEST", message: `Path '${p}' leaves the sandbox` });
  return safe;
}

/** Reads [offset, offset+length) in steps; `length` -1 means "the last `tail` bytes". */
async function readRange(files: SandboxFiles, path: string, offset: number, length: number) {
  let size = (await files.read(path, 0, 0)).size;
  const start = Math.min(offset, size);
  const want = Math.min(length, MAX_READ, size - start);
  const parts: Buffer[] = [];
  let got = 0;
  while (got < want) {
    const r = await files.read(path, start + got, want - got);
    size = r.size;
    if (r.data.length === 0) break;
    parts.push(r.data);
    got += r.data.length;
  }
  const buf = Buffer.concat(parts);
  const { text, bytes } = decodeChunk(buf, start + buf.length >= size);
  return { offset: start, end: start + bytes, size, text };
}

export const sandboxRouter = router({
  /** Whether sandboxes can be browsed in this build (and why not). */
  capability: masterProcedure.query(({ ctx }) => (sandboxCapability(ctx.handle) ? { available: true as const } : { available: false as const, reason: SANDBOX_UNAVAILABLE })),

  browse: masterProcedure.input(z.object({ ...TaskRef, path: RelPath.default("") })).query(async ({ ctx, input }) => {
    const files = await filesFor(ctx, input.frameworkId, input.taskId);
    const path = relPath(input.path);
    const entries = await files.list(path);
    return { path, entries: entries.map((e) => ({ ...e, downloadUrl: e.isDirectory ? undefined : files.downloadUrl?.(e.path) })) };
  }),

  /** Bytes [offset, offset+length) of a file (offset past the end answers the tail; `fromEnd` reads the last `length` bytes). */
  read: masterProcedure
    .input(z.object({ ...TaskRef, path: RelPath, offset: z.number().int().min(0).default(0), length: z.number().int().min(0).max(MAX_READ).default(64 * 1024), fromEnd: z.boolean().default(false) }))
    .query(async ({ ctx, input }) => {
      const files = await filesFor(ctx, input.frameworkId, input.taskId);
      const path = relPath(input.path);
      let offset = input.offset;
      if (input.fromEnd) offset = Math.max(0, (await files.read(path, 0, 0)).size - input.length);
      return { path, downloadUrl: files.downloadUrl?.(path), ...(await readRange(files, path, offset, input.length)) };
    }),

  /** Follows a file from `offset`: yields each new range as it is written (and the size when it shrinks). */
  tail: masterProcedure
    .input(z.object({ ...TaskRef, path: RelPath, offset: z.number().int().min(0) }))
    .subscription(async function* ({ ctx, input, signal }) {
      const files = await filesFor(ctx, input.frameworkId, input.taskId);
      const path = relPath(input.path);
      let offset = input.offset;
      while (!signal?.aborted) {
        const chunk = await readRange(files, path, offset, MAX_READ).catch(() => null);
        if (chunk && chunk.size < offset) {
          offset = 0; // truncated or rotated: start over
          yield { ...chunk, truncated: true };
        } else if (chunk && chunk.end > offset) {
          offset = chunk.end;
          yield { ...chunk, truncated: false };
          continue;
        }
        await sleep(TAIL_POLL_MS, signal);
      }
    }),
});
