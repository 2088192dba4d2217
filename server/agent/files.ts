// Sandbox files served by the agent (/files/*, v1 LIST_FILES / READ_FILE; operator-api.md §5.4).
//
// Only sandboxes are reachable, each attached (as Mesos does) at three virtual paths:
//   <work_dir>/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/<container_id>   (real path)
//   <work_dir>/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/latest
//   /frameworks/<fw>/executors/<ex>/runs/latest
// Confinement, in this order: the virtual path must be absolute and clean (no NUL, backslash,
// `.`/`..` segment, or percent-encoded dot, slash, backslash or percent left after the one
// decoding HTTP does — i.e. no double encoding) → it must name a known sandbox (component-wise:
// `runs/abc` never matches `runs/abcdef`) → symlinks are resolved and the result must be the
// sandbox's own real path or lie under it followed by a separator → the file is opened and the
// opened descriptor's real path is checked again (a symlink swapped in meanwhile is caught).
import { promises as fsp, readlinkSync, type Stats } from "node:fs";
import path from "node:path";
import type { ExecutorRecord } from "./state";

export class FilesError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 500,
    message: string,
  ) {
    super(message);
    this.name = "FilesError";
  }
}

/** Mesos caps one read at 16 memory pages. */
export const MAX_READ_BYTES = 16 * 4096;

export interface FileStat {
  path: string;
  nlink: number;
  size: number;
  mtimeMs: number;
  mode: number;
  uid: string;
  gid: string;
  isDirectory: boolean;
}

/** Finds the executor run a virtual path names (container id or `latest`). */
export type SandboxLookup = (frameworkId: string, executorId: string, run: string) => ExecutorRecord | undefined;

const SUSPICIOUS = /%(2e|2f|5c|25|00)/i;

/** Refuses paths that are not absolute and clean. Returns the segments. */
export function checkVirtualPath(virtualPath: string): string[] {
  if (virtualPath.includes("\u0000")) throw new FilesError(400, "Path contains a NUL byte");
  if (virtualPath.includes("\\")) throw new FilesError(400, "Path contains a backslash");
  if (!virtualPath.startsWith("/")) throw new FilesError(400, `Expecting an absolute path, got '${virtualPath}'`);
  if (SUSPICIOUS.test(virtualPath)) throw new FilesError(400, "Path contains percent-encoded characters after decoding (double encoding)");
  const segments = virtualPath.split("/").filter((s) => s !== "");
  if (segments.some((s) => s === "." || s === "..")) throw new FilesError(400, "Path contains '.' or '..' segments");
  return segments;
}

function isWithin(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function statOf(virtualPath: string, st: Stats): FileStat {
  return { path: virtualPath, nlink: st.nlink, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, uid: String(st.uid), gid: String(st.gid), isDirectory: st.isDirectory() };
}

interface Resolved {
  virtual: string;
  real: string;
  root: string;
}

export class SandboxFiles {
  private readonly workSegments: string[];

  constructor(
    private readonly workDir: string,
    private readonly agentId: () => string | undefined,
    private readonly lookup: SandboxLookup,
  ) {
    this.workSegments = path.resolve(workDir).split("/").filter(Boolean);
  }

  /** The sandbox a virtual path is in, and the rest of the path. */
  private attachment(segments: string[]): { executor: ExecutorRecord; rest: string[]; prefix: string[] } {
    const notFound = () => new FilesError(404, "No such file or directory");
    let i = 0;
    if (segments[0] === "frameworks") {
      // /frameworks/<fw>/executors/<ex>/runs/latest
      if (segments.length < 6 || segments[2] !== "executors" || segments[4] !== "runs" || segments[5] !== "latest") throw notFound();
    } else {
      const w = this.workSegments;
      if (segments.length < w.length + 8 || w.some((s, k) => segments[k] !== s)) throw notFound();
      i = w.length;
      if (segments[i] !== "slaves" || segments[i + 1] !== this.agentId() || segments[i + 2] !== "frameworks") throw notFound();
      i += 2;
      if (segments[i + 2] !== "executors" || segments[i + 4] !== "runs") throw notFound();
    }
    const [frameworkId, executorId, run] = [segments[i + 1]!, segments[i + 3]!, segments[i + 5]!];
    const executor = this.lookup(frameworkId, executorId, run);
    if (executor === undefined || executor.directory === "" || executor.sandboxRemoved) throw notFound();
    return { executor, rest: segments.slice(i + 6), prefix: segments.slice(0, i + 6) };
  }

  private async resolve(virtualPath: string): Promise<Resolved> {
    const segments = checkVirtualPath(virtualPath);
    const { executor, rest, prefix } = this.attachment(segments);
    let root: string;
    let real: string;
    try {
      root = await fsp.realpath(executor.directory);
      real = await fsp.realpath(path.join(executor.directory, ...rest));
    } catch {
      throw new FilesError(404, "No such file or directory");
    }
    if (!isWithin(root, real)) throw new FilesError(403, "Path leads outside the sandbox");
    return { virtual: "/" + [...prefix, ...rest].join("/"), real, root };
  }

  /** The path's own entry (directories included). */
  async stat(virtualPath: string): Promise<FileStat> {
    const r = await this.resolve(virtualPath);
    const st = await fsp.stat(r.real).catch(() => undefined);
    if (st === undefined) throw new FilesError(404, "No such file or directory");
    return statOf(r.virtual, st);
  }

  /** Lists a directory (or the file itself), sorted by path. */
  async list(virtualPath: string): Promise<FileStat[]> {
    const r = await this.resolve(virtualPath);
    const st = await fsp.stat(r.real).catch(() => undefined);
    if (st === undefined) throw new FilesError(404, "No such file or directory");
    if (!st.isDirectory()) return [statOf(r.virtual, st)];
    const out: FileStat[] = [];
    for (const name of await fsp.readdir(r.real)) {
      const entry = path.join(r.real, name);
      const target = await fsp.realpath(entry).catch(() => undefined);
      // Entries that lead outside (or nowhere) are described as themselves, never their target.
      const est = target !== undefined && isWithin(r.root, target) ? await fsp.stat(entry).catch(() => undefined) : await fsp.lstat(entry).catch(() => undefined);
      if (est !== undefined) out.push(statOf(`${r.virtual === "/" ? "" : r.virtual}/${name}`, est));
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Reads up to `length` bytes (capped at 64 KiB) at `offset`; `size` is the file's size. */
  async read(virtualPath: string, offset: number, length: number): Promise<{ size: number; data: Buffer }> {
    const r = await this.resolve(virtualPath);
    const handle = await fsp.open(r.real, "r").catch(() => undefined);
    if (handle === undefined) throw new FilesError(404, "No such file or directory");
    try {
      const opened = openedPath(handle.fd);
      if (opened !== undefined && !isWithin(r.root, opened)) throw new FilesError(403, "Path leads outside the sandbox");
      const st = await handle.stat();
      if (st.isDirectory()) throw new FilesError(400, "Cannot read a directory");
      const want = Math.max(0, Math.min(length, MAX_READ_BYTES, st.size - offset));
      if (want === 0) return { size: st.size, data: Buffer.alloc(0) };
      const buffer = Buffer.alloc(want);
      const { bytesRead } = await handle.read(buffer, 0, want, offset);
      return { size: st.size, data: buffer.subarray(0, bytesRead) };
    } finally {
      await handle.close();
    }
  }

  /** Virtual → real path of every attached sandbox (/files/debug). */
  debug(executors: Iterable<ExecutorRecord>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of executors) {
      if (e.directory === "" || e.sandboxRemoved) continue;
      out[e.directory] = e.directory;
      out[path.join(path.dirname(e.directory), "latest")] = e.directory;
      out[`/frameworks/${e.frameworkId}/executors/${e.executorId}/runs/latest`] = e.directory;
    }
    return out;
  }
}

/** The real path of an open descriptor (Linux /proc); undefined where unavailable. */
function openedPath(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** `-rw-r--r--` / `drwxr-xr-x` from st_mode bits (legacy /files/browse). */
export function modeString(mode: number): string {
  const type = (mode & 0o170000) === 0o040000 ? "d" : (mode & 0o170000) === 0o120000 ? "l" : "-";
  const bits = "rwxrwxrwx";
  let out = type;
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : "-";
  return out;
}

/** v1 FileInfo. */
export function v1FileInfo(f: FileStat): Record<string, unknown> {
  return { path: f.path, nlink: f.nlink, size: f.size, mtime: { nanoseconds: Math.round(f.mtimeMs * 1e6) }, mode: f.mode, uid: f.uid, gid: f.gid };
}

/** Legacy /files/browse entry. */
export function legacyFileInfo(f: FileStat): Record<string, unknown> {
  return { path: f.path, nlink: f.nlink, size: f.size, mtime: Math.floor(f.mtimeMs / 1000), mode: modeString(f.mode), uid: f.uid, gid: f.gid };
}
