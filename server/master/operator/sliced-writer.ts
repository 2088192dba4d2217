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
import { pieceText } from "./render/cache";

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

/** Runs of arena bytes shorter than this are copied into the slice buffer rather than written. */
const MIN_ZERO_COPY_RUN = 16 * 1024;

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
  let started = performance.now();
  /** Consecutive arena fragments that are also consecutive in memory: written without copying. */
  let run: { chunk: Buffer; start: number; end: number } | null = null;

  /** Sends what is buffered (and `extra`); waits for the socket, then for the next turn. */
  const flush = async (extra?: string | Buffer) => {
    let ok = true;
    if (used > 0) {
      const full = buf;
      ok = res.write(full.subarray(0, used), () => releaseSlice(full));
      buf = takeSlice(sliceBytes); // the socket holds the previous one until its callback
      used = 0;
    }
    if (extra !== undefined) ok = (typeof extra === "string" ? res.write(extra, "latin1") : res.write(extra)) && ok;
    if (!ok) await drainOrClose(res);
    await scheduler.turn();
    started = performance.now();
  };
  /** Copies text into the slice, flushing first when it does not fit. */
  const put = async (text: string): Promise<void> => {
    if (used + text.length > sliceBytes) {
      if (text.length > sliceBytes / 2) return flush(text);
      await flush();
    }
    used += buf.write(text, used, "latin1");
  };
  const commitRun = async (): Promise<void> => {
    if (run === null) return;
    const r = run;
    run = null;
    const length = r.end - r.start;
    if (length >= MIN_ZERO_COPY_RUN) return flush(r.chunk.subarray(r.start, r.end));
    if (used + length > sliceBytes) await flush();
    r.chunk.copy(buf, used, r.start, r.end);
    used += length;
  };

  for (let next = pieces.next(); !next.done; next = pieces.next()) {
    const piece = next.value;
    if (typeof piece === "string") {
      await put(piece);
    } else {
      const { items, render, counter } = piece as ListPiece<unknown>;
      const last = items.length - 1;
      for (let i = 0; i <= last; i++) {
        const item = render(items[i]);
        if (typeof item === "string") {
          await commitRun();
          await put(i < last ? item + "," : item);
        } else {
          if (counter) counter.bytes += item.end - item.start;
          const end = i === last ? item.end - 1 : item.end; // fragments carry their separator
          if (run !== null && run.chunk === item.chunk && run.end === item.start) run.end = end;
          else {
            await commitRun();
            run = { chunk: item.chunk, start: item.start, end };
          }
          if (run.end - run.start >= sliceBytes) await commitRun();
        }
        if (res.destroyed) return;
        if ((i & 127) === 127 && performance.now() - started > sliceMs) {
          await commitRun();
          await flush();
          if (res.destroyed) return;
        }
      }
      await commitRun();
    }
    if (res.destroyed) return;
    if (performance.now() - started > sliceMs) {
      await flush();
      if (res.destroyed) return;
    }
  }
  if (used > 0 && !res.destroyed) {
    const lastSlice = buf;
    res.write(lastSlice.subarray(0, used), () => releaseSlice(lastSlice));
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
    for (let i = 0; i < items.length; i++) {
      const text = pieceText(render(items[i]));
      parts.push(i === 0 ? text : "," + text);
    }
  }
  return parts;
}
