// Writes a large JSON document, produced as a sequence of ASCII text pieces, to an HTTP response
// in slices: each slice gathers pieces up to `sliceBytes` (or `sliceMs` of rendering), is written
// with one `write`, and the writer then waits for the socket to drain (backpressure) or at least
// for the event loop to run (setImmediate), so other requests — /master/health, scheduler calls,
// agent messages — are served between slices. The response is chunked (no Content-Length).
import type { ServerResponse } from "node:http";
import type { Pieces } from "./render/state";

export interface SliceOptions {
  /** Bytes gathered before a slice is written. */
  sliceBytes?: number;
  /** Rendering time after which a slice is written even if smaller. */
  sliceMs?: number;
}

const DEFAULT_SLICE_BYTES = 512 * 1024;
const DEFAULT_SLICE_MS = 8;

function waitForDrainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Writes head, then every piece, then ends the response. Resolves when done or the client left. */
export async function writePieces(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  pieces: Pieces,
  opts: SliceOptions = {},
): Promise<void> {
  const sliceBytes = opts.sliceBytes ?? DEFAULT_SLICE_BYTES;
  const sliceMs = opts.sliceMs ?? DEFAULT_SLICE_MS;
  res.writeHead(status, headers);
  const batch: string[] = [];
  for (;;) {
    let bytes = 0;
    let done = false;
    const started = performance.now();
    let n = 0;
    while (bytes < sliceBytes) {
      const r = pieces.next();
      if (r.done) {
        done = true;
        break;
      }
      batch.push(r.value);
      bytes += r.value.length;
      if ((++n & 255) === 0 && performance.now() - started > sliceMs) break;
    }
    if (res.destroyed) return;
    if (batch.length > 0) {
      const ok = res.write(batch.length === 1 ? batch[0]! : batch.join(""), "latin1");
      batch.length = 0;
      if (done) break;
      if (!ok) await waitForDrainOrClose(res);
      else await nextTick();
      if (res.destroyed) return;
    }
    if (done) break;
  }
  res.end();
}

/** Drains pieces into one string (small documents, RecordIO records that need their length). */
export function collect(pieces: Pieces): string {
  const parts: string[] = [];
  for (let r = pieces.next(); !r.done; r = pieces.next()) parts.push(r.value);
  return parts.join("");
}
