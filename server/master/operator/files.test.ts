// Virtual files: /master/log attached, reads capped at 16 pages, unknown paths 404, modes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AttachedFile, FilesError, MAX_READ_BYTES, VirtualFiles, legacyFileInfo, modeString, v1FileInfo } from "./files";

function attachedLog(content: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-files-"));
  const file = path.join(dir, "master.log");
  fs.writeFileSync(file, content);
  const files = new VirtualFiles();
  files.mount("/master/log", new AttachedFile("/master/log", file));
  return { files, file };
}

describe("VirtualFiles", () => {
  it("lists an attached file as itself and reads byte ranges", async () => {
    const { files, file } = attachedLog("line one\nline two\n");
    const [entry] = await files.list("/master/log");
    expect(entry).toMatchObject({ path: "/master/log", size: 18, isDirectory: false });
    expect(v1FileInfo(entry!)).toMatchObject({ path: "/master/log", size: 18, mode: fs.statSync(file).mode });
    expect((v1FileInfo(entry!).mtime as { nanoseconds: number }).nanoseconds).toBeGreaterThan(0);
    expect(legacyFileInfo(entry!).mode).toMatch(/^-[rwx-]{9}$/);
    expect((await files.read("/master/log", 5, 3)).data.toString()).toBe("one");
    expect(await files.read("/master/log", 100, 10)).toEqual({ size: 18, data: Buffer.alloc(0) });
    expect((await files.read("//master/log/", 0, 4)).data.toString()).toBe("line");
  });

  it("caps one read at 16 pages", async () => {
    const { files } = attachedLog("x".repeat(MAX_READ_BYTES * 2));
    expect((await files.read("/master/log", 0, MAX_READ_BYTES * 2)).data.length).toBe(MAX_READ_BYTES);
  });

  it("answers 404 for paths nothing is mounted at", async () => {
    const { files } = attachedLog("x");
    await expect(files.list("/frameworks/x/executors/y/runs/latest")).rejects.toMatchObject({ status: 404 });
    await expect(files.read("/master/log2", 0, 1)).rejects.toBeInstanceOf(FilesError);
  });
});

describe("modeString", () => {
  it("renders st_mode as ls does", () => {
    expect(modeString(0o100644)).toBe("-rw-r--r--");
    expect(modeString(0o040755)).toBe("drwxr-xr-x");
    expect(modeString(33188)).toBe("-rw-r--r--");
  });
});
