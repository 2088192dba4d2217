// Domain errors raised by the master handle's commands; translated once at the edge (tRPC
// codes in server/trpc/init.ts, HTTP codes in the operator API).
export type CommandErrorCode = "NOT_FOUND" | "BAD_REQUEST" | "CONFLICT" | "FORBIDDEN";

export class CommandError extends Error {
  constructor(
    readonly code: CommandErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "CommandError";
  }
}
