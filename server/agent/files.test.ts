import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FilesError, SandboxFiles, checkVirtualPath, modeString } from "./files";
import type { ExecutorRecord } from "./state";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-files-"));
  dirs.push(root);
  const work = path.join(root, "work");
  const runs = path.join(work, "slaves", "A", "frameworks", "F", "executors", "E", "runs");
  const sandbox = path.join(runs, "c1");
  fs.mkdirSync(path.join(sandbox, "sub"), { recursive: true });
  fs.writeFileSync(path.join(sandbox, "out.txt"), "0123456789");
  fs.writeFileSync(path.join(root, "secret.txt"), "SECRET");
  fs.mkdirSync(`${sandbox}-evil`);
  fs.writeFileSync(path.join(`${sandbox}-evil`, "x.txt"), "SECRET");
  fs.symlinkSync(path.join(root, "secret.txt"), path.join(sandbox, "escape"));
  fs.symlinkSync("sub", path.join(sandbox, "ok-link"));
  const executor = { frameworkId: "F", executorId: "E", containerId: "c1", directory: sandbox } as ExecutorRecord;
  const files = new SandboxFiles(work, () => "A", (fw, ex, run) => (fw === "F" && ex === "E" && (run === "c1" || run === "latest") ? executor : undefined));
  return { files, sandbox, executor };
}

const status = async (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => (e instanceof FilesError ? e.status : 500));

describe("sandbox files", () => {
  it("refuses unclean paths before looking at the disk", () => {
    for (const bad of ["relative/x", "/a/../b", "/a/./b", "/a\\b", "/a\u0000b", "/a/%2e%2e/b", "/a%2Fb", "/a/%252e"]) {
      expect(() => checkVirtualPath(bad), bad).toThrow(FilesError);
    }
    expect(checkVirtualPath("//frameworks//F/")).toEqual(["frameworks", "F"]);
  });

  it("serves a sandbox at its real path and at /frameworks/<fw>/executors/<ex>/runs/latest", async () => {
    const { files, sandbox } = setup();
    expect((await files.read(`${sandbox}/out.txt`, 2, 3)).data.toString()).toBe("234");
    const listing = await files.list("/frameworks/F/executors/E/runs/latest");
    expect(listing.map((f) => f.path)).toEqual(["escape", "ok-link", "out.txt", "sub"].map((n) => `/frameworks/F/executors/E/runs/latest/${n}`));
    expect(modeString(listing.find((f) => f.path.endsWith("escape"))!.mode)).toMatch(/^l/); // described as the link, not the target
    expect(modeString(listing.find((f) => f.path.endsWith("ok-link"))!.mode)).toMatch(/^d/); // inside: followed
    expect((await files.read(`${path.dirname(sandbox)}/latest/out.txt`, 0, 100)).size).toBe(10);
  });

  it("confines every path to the sandbox: symlinks out, sibling prefixes, unknown runs", async () => {
    const { files, sandbox, executor } = setup();
    expect(await status(files.read(`${sandbox}/escape`, 0, 10))).toBe(403);
    expect(await status(files.list(`${sandbox}-evil`))).toBe(404);
    expect(await status(files.read(`${sandbox}-evil/x.txt`, 0, 10))).toBe(404);
    expect(await status(files.read(`${path.dirname(sandbox)}/c2/out.txt`, 0, 10))).toBe(404);
    expect(await status(files.read("/etc/passwd", 0, 10))).toBe(404);
    expect(await status(files.read(`${sandbox}/sub`, 0, 10))).toBe(400);
    executor.sandboxRemoved = true;
    expect(await status(files.read(`${sandbox}/out.txt`, 0, 10))).toBe(404);
  });
});
