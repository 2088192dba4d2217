// `plateau <command>`: the command-line entry point.
const USAGE = `Usage: plateau <command> [flags]

Commands:
  local     Master with the dashboard on 127.0.0.1:5050 plus two local agents (what 'npm start' runs)
  master    Run a master (Mesos v1 scheduler API, tRPC, dashboard on one port)
  agent     Run an agent that registers with a master and runs tasks
  execute   Launch one task through the scheduler API and follow it (like mesos-execute)
  token     Print a bearer token for the Mesos APIs (signed with the masters' --jwt_secret_key)

Run 'plateau <command> --help' for the flags of a command.`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "master":
      return (await import("./master-cli")).runMasterCli(rest);
    case "agent":
      return (await import("../agent/cli")).runAgentCli(rest);
    case "local":
      return (await import("./local")).runLocalCli(rest);
    case "execute":
      return (await import("./execute")).runExecuteCli(rest);
    case "default-executor":
      // Started by an agent for ExecutorInfo.type = DEFAULT (not meant to be run by hand).
      return (await import("../agent/default-executor/main")).runDefaultExecutor(rest);
    case "token":
      return (await import("../security/token-cli")).runTokenCli(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return;
    default:
      console.error(`Unknown command '${command}'.\n\n${USAGE}`);
      process.exit(1);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
