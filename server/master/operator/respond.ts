// Answers of /api/v1 calls: `{"type":"<CALL>","<call>":{…}}`, empty 200/202, and domain errors
// translated once to HTTP status codes.
import type { ServerResponse } from "node:http";
import { sendEmpty, sendRawJson, sendText } from "../../http/util";
import { CommandError } from "../errors";
import type { Pieces } from "./render/state";
import { writePieces } from "./sliced-writer";
import { wrap } from "./http";

/** A response message whose body is already JSON text. */
export function respondJson(res: ServerResponse, type: string, bodyJson: string): void {
  sendRawJson(res, 200, `{"type":"${type}","${type.toLowerCase()}":${bodyJson}}`);
}

/** A large response message written in slices. */
export function respondPieces(res: ServerResponse, type: string, body: Pieces): Promise<void> {
  return writePieces(res, 200, { "Content-Type": "application/json" }, wrap(`{"type":"${type}","${type.toLowerCase()}":`, body, "}"));
}

export const ok = (res: ServerResponse) => sendEmpty(res, 200);
export const accepted = (res: ServerResponse) => sendEmpty(res, 202);

const STATUS: Record<CommandError["code"], number> = { NOT_FOUND: 404, BAD_REQUEST: 400, CONFLICT: 409, FORBIDDEN: 403 };

/** Sends a CommandError as its HTTP status; rethrows anything else. */
export function sendCommandError(res: ServerResponse, err: unknown): void {
  if (err instanceof CommandError) return sendText(res, STATUS[err.code], err.message);
  throw err;
}
