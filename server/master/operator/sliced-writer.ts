// Writes a large JSON document, produced as a sequence of ASCII text pieces, to an HTTP response
// in slices: pieces are copied (latin1 = their bytes) into a slice buffer of `sliceBytes`; a full
// slice is written with one `write`, and the writer then waits for the socket to drain
// (backpressure) and for its next turn. Turns are handed out by one scheduler for the whole
// process, one slice per event-loop iteration, round-robin among the documents being written:
// however many large responses are in flight, the event loop is never held for more than one
// slice (≤ `sliceMs` of rendering), so other requests — /master/health, scheduler calls, agent
// messages — are served between slices. The response is chunked (no Content-Length).
import type { ServerResponse } from "node:http";
import type { ListPiece, Pieces } from "./render/state";

export interface SliceOptions {
  /** Bytes gathered before a slice is written. */
  sliceBytes?: number;
  /** Rendering time after which a slice is written even if not full. */
  sliceMs?: number;
}

const DEFAULT_SLICE_BYTES = 1024 * 1024;
const DEFAULT_SLICE_MS = 8;

function drainOrClose(res: ServerResponse): Promise<void> {
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

/** Hands out turns, one per event-loop iteration (setImmediate), first come first served. */
class SliceScheduler {
  private readonly waiting: (() => void)[] = [];
  private pumping = false;

  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.pumping) {
        this.pumping = true;
        setImmediate(this.pump);
      }
    });
  }

  private readonly pump = (): void => {
    this.waiting.shift()?.();
    if (this.waiting.length > 0) setImmediate(this.pump);
    else this.pumping = false;
  };
}

const scheduler = new SliceScheduler();

/** Waits for the next slice turn (also used by the SUBSCRIBE snapshot writer). */
export const nextSliceTurn = (): Promise<void> => scheduler.turn();

/**
 * Slice buffers, reused once the socket has taken their bytes (the write callback): a large
 * document does not allocate (and the collector does not account) hundreds of MB of buffers.
 */
const freeSlices: Buffer[] = [];
const MAX_FREE_SLICES = 64;

function takeSlice(size: number): Buffer {
  const b = freeSlices.pop();
  return b !== undefined && b.length === size ? b : Buffer.allocUnsafeSlow(size);
}

function releaseSlice(b: Buffer): void {
  if (freeSlices.length < MAX_FREE_SLICES) freeSlices.push(b);
}

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
  let buf = takeSlice(sliceBytes);
  let used = 0;
  /** Sends what is buffered (and `extra`, a piece too big for a slice); waits for the socket. */
  const flush = async (extra?: string) => {
    let ok = true;
    if (used > 0) {
      const full = buf;
      ok = res.write(full.subarray(0, used), () => releaseSlice(full));
      buf = takeSlice(sliceBytes); // the socket holds the previous one until its callback
      used = 0;
    }
    if (extra !== undefined) ok = res.write(extra, "latin1") && ok;
    if (!ok) await drainOrClose(res);
    await scheduler.turn();
  };
  let started = performance.now();
  /** Copies one string into the slice, flushing first when it does not fit. */
  const put = async (text: string): Promise<void> => {
    if (used + text.length > sliceBytes) {
      if (text.length > sliceBytes / 2) return flush(text);
      await flush();
      started = performance.now();
    }
    used += buf.write(text, used, "latin1");
  };
  for (let r = pieces.next(); !r.done; r = pieces.next()) {
    const piece = r.value;
    if (typeof piece === "string") await put(piece);
    else {
      const { items, render } = piece as ListPiece<unknown>;
      for (let i = 0; i < items.length; i++) {
        const text = render(items[i]);
        const sep = i > 0 ? 1 : 0;
        if (used + sep + text.length > sliceBytes) {
          const big = sep + text.length > sliceBytes / 2;
          await flush(big ? (sep ? "," + text : text) : undefined);
          if (res.destroyed) return;
          started = performance.now();
          if (big) continue;
        }
        if (sep) buf[used++] = 44; // ","
        used += buf.write(text, used, "latin1");
        if ((i & 127) === 127 && performance.now() - started > sliceMs) {
          await flush();
          if (res.destroyed) return;
          started = performance.now();
        }
      }
    }
    if (res.destroyed) return;
    if (performance.now() - started > sliceMs) {
      await flush();
      if (res.destroyed) return;
      started = performance.now();
    }
  }
  if (used > 0 && !res.destroyed) {
    const last = buf;
    res.write(last.subarray(0, used), () => releaseSlice(last));
  } else releaseSlice(buf);
  res.end();
}

/** Drains pieces into one string (small documents, RecordIO records that need their length). */
export function collect(pieces: Pieces): string {
  return collectParts(pieces).join("");
}

/** Drains pieces into strings (list pieces rendered now, comma-separated). */
export function collectParts(pieces: Pieces): string[] {
  const parts: string[] = [];
  for (let r = pieces.next(); !r.done; r = pieces.next()) {
    const piece = r.value;
    if (typeof piece === "string") {
      parts.push(piece);
      continue;
    }
    const { items, render } = piece as ListPiece<unknown>;
    for (let i = 0; i < items.length; i++) parts.push(i === 0 ? render(items[i]) : "," + render(items[i]));
  }
  return parts;
}
