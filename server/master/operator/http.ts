// HTTP helpers shared by the operator endpoints: the leader gate, method checks, JSON answers
// (with Mesos's `jsonp` wrapping for legacy endpoints) and large documents written in slices.
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendRawJson, sendText } from "../../http/util";
import type { Master } from "../master";
import type { Piece, Pieces } from "./render/state";
import { writePieces } from "./sliced-writer";

/** Non-leading masters cannot answer (no leader detection yet: 503, as Mesos with no leader). */
export function leaderGate(m: Master, res: ServerResponse): boolean {
  if (m.isLeading) return false;
  sendText(res, 503, m.phase === "recovering" ? "Master has not finished recovery" : "No leader elected");
  return true;
}

/** 405 unless the method is one of `allowed`. */
export function methodGate(req: IncomingMessage, res: ServerResponse, allowed: string[]): boolean {
  if (allowed.includes(req.method ?? "")) return false;
  sendText(res, 405, `Expecting one of { ${allowed.map((a) => `'${a}'`).join(", ")} }, but received '${req.method}'`, { Allow: allowed.join(", ") });
  return true;
}

const JSONP_NAME = /^[A-Za-z_$][\w$.]*$/;

/** A small JSON answer; `?jsonp=cb` wraps it as `cb(<json>);` (text/javascript). */
export function sendJsonText(res: ServerResponse, json: string, query?: URLSearchParams, status = 200): void {
  const jsonp = query?.get("jsonp");
  if (jsonp && JSONP_NAME.test(jsonp)) {
    const body = Buffer.from(`${jsonp}(${json});`, "latin1");
    res.writeHead(status, { "Content-Type": "text/javascript", "Content-Length": String(body.length) });
    res.end(body);
    return;
  }
  sendRawJson(res, status, json);
}

/** A large JSON document from pieces, written in slices (chunked), with optional jsonp. */
export function sendJsonPieces(res: ServerResponse, pieces: Pieces, query?: URLSearchParams): Promise<void> {
  const jsonp = query?.get("jsonp");
  if (jsonp && JSONP_NAME.test(jsonp)) {
    return writePieces(res, 200, { "Content-Type": "text/javascript" }, wrap(`${jsonp}(`, pieces, ");"));
  }
  return writePieces(res, 200, { "Content-Type": "application/json" }, pieces);
}

export function* wrap(prefix: string, pieces: Pieces, suffix: string): Generator<Piece> {
  yield prefix;
  for (let r = pieces.next(); !r.done; r = pieces.next()) yield r.value;
  yield suffix;
}
