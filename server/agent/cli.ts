// `plateau agent [flags]`: runs one agent in this process until a signal, stdin EOF
// (--exit_on_stdin_eof) or SHUTDOWN_AGENT from the master.
//
// Signals: SIGTERM/SIGINT/SIGHUP stop the agent and leave tasks running for the next agent on
// the same work_dir (unless --kill_tasks_on_shutdown); SIGUSR1 kills all tasks first (as Mesos).
import { FlagError, flagsForDisplay, parseFlags, renderHelp } from "../cli/flags";
import { AGENT_FLAGS, agentOptionsFromFlags } from "./flags";
import { startAgent } from "./index";
import { lineLogger } from "./log";
import { watchParentStdin } from "./parent-watch";

const USAGE =
  "Usage: plateau agent --master=<host:port> --work_dir=<path> [flags]\n\n" +
  "Runs a Plateau agent: registers the machine's resources with the master and runs tasks in\n" +
  "sandboxes under --work_dir. Tasks survive an agent restart and are re-adopted.";

export async function runAgentCli(argv: string[]): Promise<void> {
  let options;
  let killOnSignal = false;
  let exitOnEof = false;
  try {
    const parsed = parseFlags(argv, AGENT_FLAGS);
    if (parsed.help) {
      console.log(renderHelp(USAGE, AGENT_FLAGS));
      return;
    }
    if (parsed.positional.length > 0) throw new FlagError(`Unexpected argument '${parsed.positional[0]}'`);
    options = agentOptionsFromFlags(parsed.values);
    options.flags = flagsForDisplay(AGENT_FLAGS, parsed.values);
    killOnSignal = parsed.values.kill_tasks_on_shutdown === true;
    exitOnEof = parsed.values.exit_on_stdin_eof === true;
  } catch (err) {
    if (err instanceof FlagError) {
      console.error(`${err.message}\n\nSee 'plateau agent --help'.`);
      process.exit(1);
    }
    throw err;
  }

  const log = lineLogger("agent");
  options.log = log;
  let agent;
  try {
    agent = await startAgent(options);
  } catch (err) {
    log.error(`Failed to start the agent: ${(err as Error).message}`);
    process.exit(1);
  }

  let stopping = false;
  const shutdown = (why: string, killTasks: boolean) => {
    if (stopping) return;
    stopping = true;
    log.info(`${why}: stopping the agent${killTasks ? " and killing its tasks" : "; tasks keep running"}`);
    agent.stop({ killTasks }).then(
      () => process.exit(0),
      (err: Error) => {
        log.error(`Failed to stop cleanly: ${err.message}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => shutdown(`Received ${signal}`, killOnSignal));
  process.on("SIGUSR1", () => shutdown("Received SIGUSR1", true));
  if (exitOnEof) watchParentStdin(() => shutdown("Parent process went away (stdin closed)", true));

  const exit = await agent.closed;
  if (exit.reason === "shutdown") {
    log.info(`Agent shut down by the master: ${exit.message}`);
    process.exit(0);
  }
}
