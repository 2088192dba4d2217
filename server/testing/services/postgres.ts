// A throwaway PostgreSQL server for tests: initdb into a temp dir, `postgres` on a free loopback
// port (as the `postgres` system user when running as root, since PostgreSQL refuses root),
// stopped and deleted afterwards. Needs Debian's postgresql package (npm test installs it).
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitUntil } from "../ports";

export interface TestPostgres {
  url(database?: string): string;
  port: number;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export function postgresBinDir(): string | null {
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return null;
  const versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(base, versions[0]!, "bin") : null;
}

function asPostgresUser(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  return ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", cmd, ...args]];
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL is not installed (Debian package 'postgresql'); `npm test` installs it");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-pg-"));
  if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres:postgres", dir]);
  const data = path.join(dir, "data");
  const [initCmd, initArgs] = asPostgresUser(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  execFileSync(initCmd, initArgs, { stdio: "pipe" });
  const port = await freePort();
  const [cmd, args] = asPostgresUser(path.join(bin, "postgres"), ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  child.stderr!.on("data", (c: Buffer) => log.push(c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = (database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  const { default: pg } = await import("pg");
  const query = async (sql: string) => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`postgres exited: ${log.join("")}`);
      await query("SELECT 1");
      return true;
    }, 30_000, "PostgreSQL to accept connections", 100);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    port,
    url,
    createDatabase: (name) => query(`CREATE DATABASE "${name}"`),
    async stop() {
      if (child.exitCode === null) child.kill("SIGINT"); // fast shutdown
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
