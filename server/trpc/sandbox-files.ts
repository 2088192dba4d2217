// What the sandbox pages need from the master: a task's sandbox as a small file API (browse,
// read a byte range). The master gains it with the agents' files API and the master-side files
// proxy (issue #4); until the handle offers `sandboxFiles`, sandboxes are "not available in this
// build". Also the byte helpers the log viewer relies on (pure, unit-tested).
import type { MasterHandle } from "../master/handle";

export interface SandboxEntry {
  /** Path relative to the sandbox root, "/"-separated, no leading slash. */
  path: string;
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
  mode?: string;
}

export interface SandboxFiles {
  /** Lists a directory (relative path, "" = the sandbox root). */
  list(path: string): Promise<SandboxEntry[]>;
  /** Up to `length` bytes at `offset`; `size` is the file's current size. */
  read(path: string, offset: number, length: number): Promise<{ size: number; data: Buffer }>;
  /** A URL (on this master) that downloads the file, if downloads are supported. */
  downloadUrl?(path: string): string;
}

interface SandboxCapable {
  sandboxFiles(frameworkId: string, taskId: string): Promise<SandboxFiles | null>;
}

export const SANDBOX_UNAVAILABLE =
  "Sandbox browsing is not available in this build: it needs the agents' files API and the master's files proxy (issue #4).";

/** The handle's sandbox access, or null when this build has none. */
export function sandboxCapability(handle: MasterHandle): SandboxCapable | null {
  const h = handle as unknown as Partial<SandboxCapable>;
  return typeof h.sandboxFiles === "function" ? (h as SandboxCapable) : null;
}

/**
 * Length of the longest prefix of `buf` that ends on a UTF-8 character boundary (a multi-byte
 * character cut by a byte range is left for the next read). At most 3 bytes are dropped.
 */
export function utf8Prefix(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Decodes a byte range for display: whole characters only; invalid bytes become U+FFFD. */
export function decodeChunk(buf: Buffer, atEof: boolean): { text: string; bytes: number } {
  const bytes = atEof ? buf.length : utf8Prefix(buf);
  return { text: new TextDecoder("utf-8", { fatal: false }).decode(buf.subarray(0, bytes)), bytes };
}

/** Normalises a relative sandbox path; null if it tries to leave the sandbox. */
export function safeRelativePath(p: string): string | null {
  const parts: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") return null;
    parts.push(part);
  }
  return parts.join("/");
}
