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

/** Bytes [start, end) of a buffer, written as they are. */
export interface Range {
  chunk: Buffer;
  start: number;
  end: number;
}

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

  get waiters(): number {
    return this.waiting.length;
  }

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

/** True while documents are waiting for slice turns (background work should step aside). */
export const slicesBusy = (): boolean => scheduler.waiters > 0;

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
/** Scattered fragments in a row after which the writer starts moving them together. */
const MOVE_AFTER_BREAKS = 8;

/** Writes head, then every piece, then ends the response. Resolves when done or the client left. */
export async function writePieces(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  pieces: Pieces,
  opts: SliceOptions = {},
): Promise<void> {
  res.writeHead(status, headers);
  if (await streamPieces(res, pieces, opts)) res.end();
}

/**
 * Writes every piece (without ending the response); resolves true when all were written, false
 * if the client went away. Pieces: text, lists (rendered as the writer goes), and byte ranges.
 */
export async function streamPieces(res: ServerResponse, pieces: Pieces, opts: SliceOptions = {}): Promise<boolean> {
  const sliceBytes = opts.sliceBytes ?? DEFAULT_SLICE_BYTES;
  const sliceMs = opts.sliceMs ?? DEFAULT_SLICE_MS;
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
    } else if (!("items" in piece)) {
      await commitRun();
      run = { chunk: piece.chunk, start: piece.start, end: piece.end };
      await commitRun();
    } else {
      const { items, render, counter, mover } = piece as ListPiece<unknown>;
      const last = items.length - 1;
      // Defragmentation: after MOVE_AFTER_BREAKS fragments in a row that were not next to each
      // other, the writer moves fragments behind one another (one copy each, as it would have
      // copied them into the slice anyway) until it meets a region that was already contiguous.
      let breaks = 0;
      let moving = false;
      let prevChunk: Buffer | null = null;
      let prevEnd = -1;
      for (let i = 0; i <= last; i++) {
        if (res.destroyed) return false;
        let item = render(items[i]);
        if (typeof item === "string") {
          await commitRun();
          await put(i < last ? item + "," : item);
          prevChunk = null;
          if ((i & 127) === 127 && performance.now() - started > sliceMs) await flush();
          continue;
        }
        if (counter) counter.bytes += item.end - item.start;
        const trim = i === last ? 1 : 0; // fragments carry their separator
        const wasContiguous = prevChunk === item.chunk && prevEnd === item.start;
        prevChunk = item.chunk;
        prevEnd = item.end;
        if (run !== null && run.chunk === item.chunk && run.end === item.start) {
          run.end = item.end - trim;
          breaks = 0;
        } else if (moving && !wasContiguous && mover !== undefined) {
          if (run !== null && mover.follows(run, item)) {
            item = mover.move(items[i], item);
            run.end = item.end - trim;
          } else {
            await commitRun();
            item = mover.move(items[i], item);
            run = { chunk: item.chunk, start: item.start, end: item.end - trim };
          }
        } else {
          breaks = wasContiguous ? 0 : breaks + 1;
          moving = mover !== undefined && breaks >= MOVE_AFTER_BREAKS;
          await commitRun();
          if (moving) item = mover!.move(items[i], item);
          run = { chunk: item.chunk, start: item.start, end: item.end - trim };
        }
        if (run.end - run.start >= sliceBytes) await commitRun();
        if (res.destroyed) return false;
        if ((i & 127) === 127 && performance.now() - started > sliceMs) {
          await commitRun();
          await flush();
          if (res.destroyed) return false;
        }
      }
      await commitRun();
    }
    if (res.destroyed) return false;
    if (performance.now() - started > sliceMs) {
      await flush();
      if (res.destroyed) return false;
    }
  }
  if (res.destroyed) return false;
  if (used > 0) {
    const lastSlice = buf;
    res.write(lastSlice.subarray(0, used), () => releaseSlice(lastSlice));
  } else releaseSlice(buf);
  return true;
}

/** Drains pieces into one string (small documents, tests). */
export function collect(pieces: Pieces): string {
  return resolvePieces(pieces)
    .parts.map((p) => (typeof p === "string" ? p : p.chunk.toString("latin1", p.start, p.end)))
    .join("");
}

/**
 * Renders every piece now: text and byte ranges, separators included (a range covers a run of
 * consecutive fragments), with the total length. Used where the document must be fixed at one
 * instant (the SUBSCRIBE snapshot) or its length known in advance (RecordIO).
 */
export function resolvePieces(pieces: Pieces): { parts: (string | Range)[]; length: number } {
  const parts: (string | Range)[] = [];
  let length = 0;
  const add = (p: string | Range) => {
    parts.push(p);
    length += typeof p === "string" ? p.length : p.end - p.start;
  };
  for (let r = pieces.next(); !r.done; r = pieces.next()) {
    const piece = r.value;
    if (typeof piece === "string" || !("items" in piece)) {
      add(piece);
      continue;
    }
    const { items, render } = piece as ListPiece<unknown>;
    let run: Range | null = null;
    const last = items.length - 1;
    for (let i = 0; i <= last; i++) {
      const item = render(items[i]);
      if (typeof item === "string") {
        if (run) add(run);
        run = null;
        add(i < last ? item + "," : item);
        continue;
      }
      const end = i === last ? item.end - 1 : item.end;
      if (run !== null && run.chunk === item.chunk && run.end === item.start) run.end = end;
      else {
        if (run) add(run);
        run = { chunk: item.chunk, start: item.start, end };
      }
    }
    if (run) add(run);
  }
  return { parts, length };
}
