// A throwaway standalone ZooKeeper server for tests and benchmarks: Debian's `zookeeper` package
// (/usr/share/java/zookeeper.jar) run by `java` with its own zoo.cfg in a temp dir, on a free
// loopback port, with a small tickTime so short session timeouts are allowed (ZooKeeper clamps a
// session timeout into [2, 20] × tickTime unless min/maxSessionTimeout say otherwise). Ready
// once it answers the `ruok` four-letter word with `imok`. Needs the Debian package (npm test
// installs it).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort, waitUntil } from "../ports";

export interface TestZooKeeper {
  port: number;
  /** `zk://127.0.0.1:<port><chroot>` */
  url(chroot?: string): string;
  /** Runs a four-letter-word command (e.g. "ruok", "srvr"). */
  command(word: string): Promise<string>;
  /** SIGSTOP / SIGCONT the server (a ZooKeeper outage without losing its data). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const JAVA_DIR = "/usr/share/java";
/** The jars a standalone server needs (the whole /usr/share/java is slow to scan). */
const CLASSPATH_JARS = ["zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-simple.jar"];

export function zooKeeperInstalled(): boolean {
  return fs.existsSync(path.join(JAVA_DIR, "zookeeper.jar")) && fs.existsSync("/usr/bin/java");
}

function classpath(): string {
  const jars = CLASSPATH_JARS.map((j) => path.join(JAVA_DIR, j));
  return jars.every((j) => fs.existsSync(j)) ? jars.join(":") : `${path.join(JAVA_DIR, "zookeeper.jar")}:${JAVA_DIR}/*`;
}

export function fourLetterWord(port: number, word: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let out = "";
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to '${word}' within ${timeoutMs} ms`)), timeoutMs);
    socket.on("connect", () => socket.write(word));
    socket.on("data", (c: Buffer) => (out += c.toString("utf8")));
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

export async function startTestZooKeeper(opts: { tickTimeMs?: number; maxSessionTimeoutMs?: number } = {}): Promise<TestZooKeeper> {
  if (!zooKeeperInstalled()) throw new Error("ZooKeeper is not installed (Debian package 'zookeeper'); `npm test` installs it");
  const tick = opts.tickTimeMs ?? 200;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plateau-zk-"));
  const port = await freePort();
  const config = [
    `tickTime=${tick}`,
    `dataDir=${path.join(dir, "data")}`,
    `clientPort=${port}`,
    "clientPortAddress=127.0.0.1",
    "admin.enableServer=false",
    `minSessionTimeout=${2 * tick}`,
    `maxSessionTimeout=${opts.maxSessionTimeoutMs ?? 60_000}`,
    "maxClientCnxns=0",
    "4lw.commands.whitelist=ruok,srvr,stat,mntr,cons",
    "",
  ].join("\n");
  fs.mkdirSync(path.join(dir, "data"));
  fs.writeFileSync(path.join(dir, "zoo.cfg"), config);
  const child: ChildProcess = spawn("java", ["-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-Dzookeeper.jmx.log4j.disable=true", "-cp", classpath(), "org.apache.zookeeper.server.quorum.QuorumPeerMain", path.join(dir, "zoo.cfg")], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  const keep = (c: Buffer) => {
    log.push(c.toString("utf8"));
    if (log.length > 200) log.shift();
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`zookeeper exited: ${log.join("").slice(-2000)}`);
      return (await fourLetterWord(port, "ruok", 500)).startsWith("imok");
    }, 30_000, "ZooKeeper to answer ruok", 100);
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    url: (chroot = "/plateau") => `zk://127.0.0.1:${port}${chroot}`,
    command: (word) => fourLetterWord(port, word),
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGCONT");
        child.kill("SIGTERM");
      }
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
