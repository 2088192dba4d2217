// Version information for /version, GET_VERSION and /master/state: the Mesos API version Plateau
// implements, plus build facts of this checkout (git commit/branch when it is a git checkout;
// "build" time = when this process loaded the sources, since Plateau runs from source).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../registry/migrate";

export interface VersionInfo {
  version: string;
  build_date: string;
  /** seconds since epoch */
  build_time: number;
  build_user: string;
  git_sha?: string;
  git_branch?: string;
  git_tag?: string;
}

function readGit(root: string): { sha?: string; branch?: string } {
  try {
    const head = fs.readFileSync(path.join(root, ".git", "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return { sha: head };
    const ref = head.slice(5);
    const branch = ref.replace(/^refs\/heads\//, "");
    const loose = path.join(root, ".git", ref);
    if (fs.existsSync(loose)) return { sha: fs.readFileSync(loose, "utf8").trim(), branch };
    const packed = fs.readFileSync(path.join(root, ".git", "packed-refs"), "utf8");
    const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
    return { sha: line?.split(" ")[0], branch };
  } catch {
    return {};
  }
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return "";
  }
}

const loadedAt = new Date();
const pad = (n: number) => String(n).padStart(2, "0");

export function versionInfo(version: string): VersionInfo {
  const git = readGit(projectRoot());
  const d = loadedAt;
  const info: VersionInfo = {
    version,
    build_date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
    build_time: Math.floor(d.getTime() / 1000),
    build_user: userName(),
  };
  if (git.sha) info.git_sha = git.sha;
  if (git.branch) info.git_branch = git.branch;
  return info;
}
