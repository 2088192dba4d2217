// /files/browse, /files/read, /files/download, /files/debug over the master's virtual files
// (operator-api.md §5.4; Mesos src/files/files.cpp).
import path from "node:path";
import { sendText } from "../../../http/util";
import { FilesError, legacyFileInfo, MAX_READ_BYTES } from "../files";
import { sendJsonText } from "../http";
import { j } from "../render/json";
import type { Handler } from "./endpoints";
import type { OperatorCall } from "../call";
import { authorizeOperatorCall } from "../../../security/operator-gate";

function filesError(res: Parameters<Handler>[2], err: unknown): void {
  if (err instanceof FilesError) return sendText(res, err.status, err.message);
  throw err;
}

export const browse: Handler = async (ctx, req, res, query) => {
  const p = query.get("path");
  if (p === null) return sendText(res, 400, "Expecting 'path=value' in query.");
  if (!authorizeOperatorCall(ctx.m, { type: "READ_FILE", read_file: { path: p, offset: 0 } } as OperatorCall, req, res)) return;
  try {
    const entries = await ctx.files.list(p);
    sendJsonText(res, j(entries.map(legacyFileInfo)), query);
  } catch (err) {
    filesError(res, err);
  }
};

function parseInteger(text: string | null, name: string): number | undefined | string {
  if (text === null) return undefined;
  if (!/^-?\d+$/.test(text.trim())) return `Failed to parse ${name}: '${text}' is not a number`;
  return Number(text);
}

/** `{"offset": n, "data": "<raw text>"}`; offset -1 (default) answers the file size. */
export const read: Handler = async (ctx, req, res, query) => {
  const p = query.get("path");
  if (p === null) return sendText(res, 400, "Expecting 'path=value' in query.");
  if (!authorizeOperatorCall(ctx.m, { type: "READ_FILE", read_file: { path: p, offset: 0 } } as OperatorCall, req, res)) return;
  const offset = parseInteger(query.get("offset"), "offset") ?? -1;
  const length = parseInteger(query.get("length"), "length") ?? -1;
  if (typeof offset === "string") return sendText(res, 400, offset);
  if (typeof length === "string") return sendText(res, 400, length);
  if (offset < -1) return sendText(res, 400, `Negative offset provided: ${offset}`);
  if (length < -1) return sendText(res, 400, `Negative length provided: ${length}`);
  try {
    if (offset === -1) {
      const { size } = await ctx.files.read(p, 0, 0);
      return sendJsonText(res, j({ offset: size, data: "" }), query);
    }
    const { data } = await ctx.files.read(p, offset, length === -1 ? MAX_READ_BYTES : length);
    sendJsonText(res, j({ offset, data: data.toString("latin1") }), query);
  } catch (err) {
    filesError(res, err);
  }
};

const CONTENT_TYPES: Record<string, string> = { ".json": "application/json", ".txt": "text/plain", ".log": "text/plain", ".html": "text/html" };

export const download: Handler = async (ctx, req, res, query) => {
  const p = query.get("path");
  if (p === null) return sendText(res, 400, "Expecting 'path=value' in query.");
  if (!authorizeOperatorCall(ctx.m, { type: "READ_FILE", read_file: { path: p, offset: 0 } } as OperatorCall, req, res)) return;
  try {
    const [entry] = await ctx.files.list(p);
    if (!entry || entry.isDirectory || entry.path !== path.posix.normalize("/" + p).replace(/\/$/, "")) return sendText(res, 400, "Cannot download a directory");
    const base = path.posix.basename(entry.path);
    res.writeHead(200, {
      "Content-Type": CONTENT_TYPES[path.extname(base)] ?? "application/octet-stream",
      "Content-Disposition": `attachment; filename=${base}`,
    });
    // Streamed in read-sized chunks up to the size seen at the start (a log keeps growing).
    for (let offset = 0; offset < entry.size && !res.destroyed; ) {
      const { data } = await ctx.files.read(p, offset, Math.min(MAX_READ_BYTES, entry.size - offset));
      if (data.length === 0) break;
      offset += data.length;
      if (!res.write(data)) await new Promise((resolve) => { res.once("drain", resolve); res.once("close", resolve); });
    }
    res.end();
  } catch (err) {
    filesError(res, err);
  }
};

export const debug: Handler = (ctx, _req, res, query) => sendJsonText(res, j(ctx.files.debug()), query);
