// /files/browse, /files/read, /files/download, /files/debug on the agent (operator-api.md §5.4;
// Mesos src/files/files.cpp) over the sandboxes of files.ts.
import path from "node:path";
import { sendText } from "../http/util";
import { FilesError, MAX_READ_BYTES, legacyFileInfo, type SandboxFiles } from "./files";
import { getJson, sendJsonBody, type Request, type Route } from "./http";
import type { ExecutorRecord } from "./state";

function filesError(r: Request, err: unknown): void {
  if (err instanceof FilesError) return sendText(r.res, err.status, err.message);
  throw err;
}

function parseInteger(text: string | null, name: string): number | undefined | string {
  if (text === null) return undefined;
  if (!/^-?\d+$/.test(text.trim())) return `Failed to parse ${name}: '${text}' is not a number`;
  return Number(text);
}

const CONTENT_TYPES: Record<string, string> = { ".json": "application/json", ".txt": "text/plain", ".log": "text/plain", ".html": "text/html" };

export function filesRoutes(files: SandboxFiles, executors: () => Iterable<ExecutorRecord>): Record<string, Route> {
  const get = (handle: (r: Request, p: string) => Promise<void>): Route => ({
    methods: ["GET", "HEAD"],
    async handle(r) {
      const p = r.query.get("path");
      if (p === null) return sendText(r.res, 400, "Expecting 'path=value' in query.");
      try {
        await handle(r, p);
      } catch (err) {
        filesError(r, err);
      }
    },
  });

  return {
    "/files/browse": get(async (r, p) => sendJsonBody(r.res, 200, (await files.list(p)).map(legacyFileInfo), r.query)),

    /** `{"offset": n, "data": "<raw bytes>"}`; offset -1 (default) answers the file size. */
    "/files/read": get(async (r, p) => {
      const offset = parseInteger(r.query.get("offset"), "offset") ?? -1;
      const length = parseInteger(r.query.get("length"), "length") ?? -1;
      if (typeof offset === "string") return sendText(r.res, 400, offset);
      if (typeof length === "string") return sendText(r.res, 400, length);
      if (offset < -1) return sendText(r.res, 400, `Negative offset provided: ${offset}`);
      if (length < -1) return sendText(r.res, 400, `Negative length provided: ${length}`);
      if (offset === -1) {
        const { size } = await files.read(p, 0, 0);
        return sendJsonBody(r.res, 200, { offset: size, data: "" }, r.query);
      }
      const { data } = await files.read(p, offset, length === -1 ? MAX_READ_BYTES : length);
      sendJsonBody(r.res, 200, { offset, data: data.toString("latin1") }, r.query);
    }),

    "/files/download": get(async (r, p) => {
      const entry = await files.stat(p);
      if (entry.isDirectory) return sendText(r.res, 400, "Cannot download a directory");
      const base = path.posix.basename(entry.path);
      r.res.writeHead(200, {
        "Content-Type": CONTENT_TYPES[path.extname(base)] ?? "application/octet-stream",
        "Content-Disposition": `attachment; filename=${base}`,
      });
      // Streamed in read-sized chunks up to the size seen at the start (a log keeps growing).
      for (let offset = 0; offset < entry.size && !r.res.destroyed; ) {
        const { data } = await files.read(p, offset, Math.min(MAX_READ_BYTES, entry.size - offset));
        if (data.length === 0) break;
        offset += data.length;
        if (!r.res.write(data)) await new Promise((resolve) => { r.res.once("drain", resolve); r.res.once("close", resolve); });
      }
      r.res.end();
    }),

    "/files/debug": getJson(() => ({ status: 200, body: files.debug(executors()) })),
  };
}
