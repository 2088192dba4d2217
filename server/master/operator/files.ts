// The master's files: virtual paths served by LIST_FILES / READ_FILE and /files/{browse,read,
// download,debug} (operator-api.md §5.4). The master attaches its own log as `/master/log`;
// other providers (agent sandboxes, proxied by issue #4) can be mounted under a path prefix.
// Unknown paths answer 404 with a message.
import fs from "node:fs/promises";
import path from "node:path";

/** One entry as Mesos's FileInfo (v1: mtime in ns, numeric mode; legacy: secs, "-rw-r--r--"). */
export interface FileStat {
  path: string;
  nlink: number;
  size: number;
  mtimeMs: number;
  /** st_mode bits */
  mode: number;
  uid: string;
  gid: string;
  isDirectory: boolean;
}

export class FilesError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 500,
    message: string,
  ) {
    super(message);
    this.name = "FilesError";
  }
}

/** A source of files under a virtual prefix; paths given are virtual (prefix included). */
export interface FileProvider {
  /** Lists a directory, or the file itself as a one-element list; FilesError(404) if absent. */
  list(virtualPath: string): Promise<FileStat[]>;
  /** Reads up to `length` bytes at `offset`; `size` is the whole file's size. */
  read(virtualPath: string, offset: number, length: number): Promise<{ size: number; data: Buffer }>;
  /** Real location, for /files/debug. */
  describe(): Record<string, string>;
}

/** Mesos caps one read at 16 memory pages. */
export const MAX_READ_BYTES = 16 * 4096;

async function statOf(virtualPath: string, real: string): Promise<FileStat> {
  const st = await fs.stat(real);
  const uid = process.getuid?.() === st.uid ? (process.env.USER ?? String(st.uid)) : String(st.uid);
  return { path: virtualPath, nlink: st.nlink, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, uid, gid: String(st.gid), isDirectory: st.isDirectory() };
}

/** A single real file attached at a virtual path (Mesos's `files->attach(path, name)`). */
export class AttachedFile implements FileProvider {
  constructor(
    private readonly virtualPath: string,
    private readonly realPath: string,
  ) {}

  private async stat(virtualPath: string): Promise<FileStat> {
    if (virtualPath !== this.virtualPath) throw new FilesError(404, `No file at '${virtualPath}'`);
    try {
      return await statOf(virtualPath, this.realPath);
    } catch {
      throw new FilesError(404, `File '${virtualPath}' is attached but cannot be found`);
    }
  }

  async list(virtualPath: string): Promise<FileStat[]> {
    return [await this.stat(virtualPath)];
  }

  async read(virtualPath: string, offset: number, length: number): Promise<{ size: number; data: Buffer }> {
    const st = await this.stat(virtualPath);
    if (st.isDirectory) throw new FilesError(400, "Cannot read a directory");
    if (offset >= st.size || length === 0) return { size: st.size, data: Buffer.alloc(0) };
    const handle = await fs.open(this.realPath, "r");
    try {
      const want = Math.min(length, st.size - offset);
      const buffer = Buffer.alloc(want);
      const { bytesRead } = await handle.read(buffer, 0, want, offset);
      return { size: st.size, data: buffer.subarray(0, bytesRead) };
    } finally {
      await handle.close();
    }
  }

  describe(): Record<string, string> {
    return { [this.virtualPath]: this.realPath };
  }
}

/** Virtual path → provider, longest prefix first. */
export class VirtualFiles {
  private readonly mounts = new Map<string, FileProvider>();

  mount(prefix: string, provider: FileProvider): void {
    this.mounts.set(normalize(prefix), provider);
  }

  private provider(virtualPath: string): FileProvider {
    const p = normalize(virtualPath);
    const prefixes = [...this.mounts.keys()].sort((a, b) => b.length - a.length);
    for (const prefix of prefixes) {
      if (p === prefix || p.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) return this.mounts.get(prefix)!;
    }
    throw new FilesError(404, `No file or directory at '${virtualPath}'`);
  }

  async list(virtualPath: string): Promise<FileStat[]> {
    const entries = await this.provider(virtualPath).list(normalize(virtualPath));
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async read(virtualPath: string, offset: number, length: number): Promise<{ size: number; data: Buffer }> {
    return this.provider(virtualPath).read(normalize(virtualPath), offset, Math.min(length, MAX_READ_BYTES));
  }

  debug(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const provider of this.mounts.values()) Object.assign(out, provider.describe());
    return out;
  }
}

function normalize(p: string): string {
  const n = path.posix.normalize("/" + p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
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
