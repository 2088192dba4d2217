// `plateau local` (what `npm start` runs): a master with the dashboard plus N local agents as
// child processes, each with its own work_dir under the data folder. Ctrl-C stops everything:
// the agents kill their tasks and exit, then the master stops. Agents watch their stdin pipe, so
// even a SIGKILLed parent leaves no orphans behind.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FlagError, parseFlags, renderHelp, type FlagSpecs, type FlagValue } from "./flags";
import { MASTER_FLAGS } from "./master-flags";
import { launchMaster } from "./master-cli";
import { ProcessLog } from "./log";

export const LOCAL_FLAGS: FlagSpecs = {
  ip: { type: "string", default: "127.0.0.1", help: "Address for the master and the agents (loopback by default)." },
  port: { type: "int", default: 5050, help: "Master port (dashboard, Mesos APIs, tRPC)." },
  data_dir: { type: "string", default: ".plateau", help: "Folder for the registry, logs and the agents' work dirs." },
  agents: { type: "int", default: 2, help: "Number of local agents to start." },
  agent_port: { type: "int", default: 5051, help: "Port of the first agent; the others take the next ports." },
  agent_resources: { type: "string", placeholder: "resources", help: "--resources for every agent (default: auto-detected)." },
  registry: { type: "string", placeholder: "url", help: "Registry (default: SQLite at <data_dir>/master/registry.db)." },
  dashboard: { type: "bool", default: true, help: "Serve the dashboard." },
  allocation_interval: MASTER_FLAGS.allocation_interval!,
  insecure: { type: "bool", default: false, help: "Allow a non-loopback --ip without authentication (master and agents say so loudly)." },
};

const BIN = fileURLToPath(new URL("../../bin/plateau.mjs", import.meta.url));

interface LocalAgent {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

function spawnAgent(index: number, values: Record<string, FlagValue>, log: ProcessLog): LocalAgent {
  const name = `agent-${index + 1}`;
  const args = [
    BIN,
    "agent",
    `--master=${values.ip}:${values.port}`,
    `--ip=${values.ip}`,
    `--port=${Number(values.agent_port) + index}`,
    `--work_dir=${path.resolve(String(values.data_dir), name)}`,
    "--exit_on_stdin_eof",
    ...(values.agent_resources ? [`--resources=${values.agent_resources}`] : []),
    ...(values.insecure === true ? ["--insecure"] : []),
  ];
  // Own process group: a terminal Ctrl-C reaches only this process, which then stops the agents
  // in order (tasks first). The stdin pipe ties each agent's life to ours.
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
  const relay = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line) stream.write(`${name} | ${line}\n`);
  };
  child.stdout!.on("data", relay(process.stdout));
  child.stderr!.on("data", relay(process.stderr));
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      log.info(`${name} exited (${signal ?? `code ${code}`})`);
      resolve();
    });
  });
  return { name, child, exited };
}

export async function runLocalCli(argv: string[]): Promise<void> {
  let values: Record<string, FlagValue>;
  try {
    const parsed = parseFlags(argv, LOCAL_FLAGS);
    if (parsed.help) {
      console.log(renderHelp("Usage: plateau local [flags]\n\nStarts a master (with the dashboard) and local agents: the embedded default of 'npm start'.", LOCAL_FLAGS));
      return;
    }
    values = parsed.values;
  } catch (err) {
    if (err instanceof FlagError) {
      console.error(`${err.message}\n\nSee 'plateau local --help'.`);
      process.exit(1);
    }
    throw err;
  }
  const dataDir = path.resolve(String(values.data_dir));
  const masterValues = parseFlags(
    [
      `--ip=${values.ip}`,
      `--port=${values.port}`,
      `--work_dir=${path.join(dataDir, "master")}`,
      `--allocation_interval=${Number(values.allocation_interval)}ms`,
      `--dashboard=${values.dashboard !== false}`,
      ...(values.registry ? [`--registry=${values.registry}`] : []),
      ...(values.insecure === true ? ["--insecure"] : []),
    ],
    MASTER_FLAGS,
    {},
  ).values;
  const log = new ProcessLog("local");
  const master = await launchMaster(masterValues);
  const agents = Array.from({ length: Number(values.agents) }, (_, i) => spawnAgent(i, values, log));
  log.info(`Plateau is up: dashboard and Mesos APIs on http://${values.ip}:${values.port}, ${agents.length} agents. Ctrl-C stops everything.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`Received ${signal}: stopping agents (their tasks are killed) and the master`);
    for (const a of agents) a.child.stdin?.end();
    const deadline = setTimeout(() => {
      for (const a of agents) if (a.child.exitCode === null) a.child.kill("SIGKILL");
    }, 20_000);
    await Promise.all(agents.map((a) => a.exited));
    clearTimeout(deadline);
    await master.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGHUP", () => void shutdown("SIGHUP"));
}
