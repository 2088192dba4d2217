// ZooKeeper URLs as Mesos writes them: `zk://host1:2181,host2:2181/path`,
// `zk://user:password@hosts/path` (digest credentials), or `file:///path/to/file` holding such a
// URL (one line).
import fs from "node:fs";
import type { ZkServer } from "./client";

export interface ZkUrl {
  servers: ZkServer[];
  /** The group's znode path, e.g. `/mesos` (no trailing slash). */
  path: string;
  /** `user:password` for the digest scheme, if given. */
  digest?: string;
}

export class ZkUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZkUrlError";
  }
}

export function isZkUrl(text: string): boolean {
  return /^(zk|file):\/\//.test(text.trim());
}

export function parseZkUrl(text: string): ZkUrl {
  let url = text.trim();
  if (url.startsWith("file://")) {
    const file = url.slice("file://".length);
    try {
      url = fs.readFileSync(file, "utf8").trim();
    } catch (err) {
      throw new ZkUrlError(`Failed to read the ZooKeeper URL from ${file}: ${(err as Error).message}`);
    }
    if (url.startsWith("file://")) throw new ZkUrlError(`${file} must contain a zk:// URL, not another file:// URL`);
  }
  const m = /^zk:\/\/(?:([^@/]+)@)?([^/]+)(\/.*)?$/.exec(url);
  if (!m) throw new ZkUrlError(`Expecting a ZooKeeper URL like zk://host:2181/path, got '${text}'`);
  const [, credentials, hosts, rawPath] = m;
  const servers = hosts!.split(",").map((h) => {
    const hm = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h.trim());
    if (!hm) throw new ZkUrlError(`Invalid ZooKeeper server '${h}' in '${text}'`);
    const port = hm[2] === undefined ? 2181 : Number(hm[2]);
    if (!(port > 0 && port < 65536)) throw new ZkUrlError(`Invalid port in ZooKeeper server '${h}'`);
    return { host: hm[1]!.replace(/^\[|\]$/g, ""), port };
  });
  const path = (rawPath ?? "/").replace(/\/+$/, "") || "/";
  if (path === "/") throw new ZkUrlError(`The ZooKeeper URL '${text}' needs a path, e.g. zk://127.0.0.1:2181/plateau`);
  if (credentials !== undefined && !credentials.includes(":")) throw new ZkUrlError("ZooKeeper credentials must be written user:password");
  return { servers, path, ...(credentials !== undefined ? { digest: credentials } : {}) };
}

/** The URL without credentials (safe to log and to show). */
export function redactZkUrl(url: ZkUrl): string {
  return `zk://${url.servers.map((s) => `${s.host.includes(":") ? `[${s.host}]` : s.host}:${s.port}`).join(",")}${url.path}`;
}
