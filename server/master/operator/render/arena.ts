// Off-heap storage for cached JSON fragments. Fragments are appended to large buffers ("chunks")
// with a trailing comma, so a run of list elements rendered one after another is one contiguous
// byte range that can be written to a socket as is (zero copy). A fragment that changes is
// appended anew; the old bytes stay until their chunk holds nothing live. When the bytes
// allocated since the last generation exceed twice the live bytes, a new generation starts and
// fragments of older generations are copied forward as they are next used — which also restores
// contiguity — so memory stays within a small multiple of the live fragments.
//
// Chunks grow geometrically (4 MB up to 256 MB, about half of what is allocated so far): V8
// counts buffer memory as "external" and starts a full garbage collection for every 64 MB of
// new external memory, which on a large master heap costs seconds — few large chunks mean few
// collections. (Untouched pages of a chunk are not resident.)
//
// Fragments are ASCII (see ./json.ts): one byte per character, written as latin1.

export interface Slot {
  chunk: Buffer;
  /** [start, end): the fragment's bytes followed by one "," */
  start: number;
  end: number;
  generation: number;
}

const CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_CHUNK_BYTES = 256 * 1024 * 1024;
const COMMA = 44;

export class Arena {
  private chunk: Buffer;
  private used = 0;
  private generation = 0;
  private allocatedSinceGeneration = 0;
  /** Bytes of the current fragment of every entry (maintained by `put` / `release`). */
  private liveBytes = 0;
  private allocatedBytes = 0;

  constructor(private readonly chunkBytes = CHUNK_BYTES) {
    this.chunk = Buffer.allocUnsafeSlow(chunkBytes);
    this.allocatedBytes = chunkBytes;
  }

  private newChunk(): void {
    const size = Math.min(MAX_CHUNK_BYTES, Math.max(this.chunkBytes, 2 ** Math.floor(Math.log2(this.allocatedBytes / 2))));
    this.chunk = Buffer.allocUnsafeSlow(size);
    this.allocatedBytes += size;
    this.used = 0;
  }

  /** Stores `text` (+ ","), replacing `previous` if given. */
  put(text: string, previous?: Slot): Slot {
    const need = text.length + 1;
    let slot: Slot;
    if (need > this.chunkBytes / 4) {
      const own = Buffer.allocUnsafeSlow(need);
      own.write(text, 0, "latin1");
      own[need - 1] = COMMA;
      slot = { chunk: own, start: 0, end: need, generation: this.generation };
    } else {
      if (this.used + need > this.chunk.length) this.newChunk();
      const start = this.used;
      this.chunk.write(text, start, "latin1");
      this.used += need;
      this.chunk[this.used - 1] = COMMA;
      slot = { chunk: this.chunk, start, end: this.used, generation: this.generation };
    }
    this.account(need, previous);
    return slot;
  }

  /** The slot itself, or a copy in the current generation if it belongs to an older one. */
  current(slot: Slot): Slot {
    return slot.generation === this.generation ? slot : this.copy(slot);
  }

  /** Whether a copy of `slot` made now would directly follow `after` (same chunk, adjacent). */
  wouldFollow(after: { chunk: Buffer; end: number }, slot: Slot): boolean {
    return after.chunk === this.chunk && after.end === this.used && this.used + (slot.end - slot.start) <= this.chunk.length;
  }

  /**
   * Copies the fragment to the end of the current chunk. A document traversal moves fragments it
   * finds scattered next to each other, so the next traversal writes them as one byte range.
   */
  copy(slot: Slot): Slot {
    const need = slot.end - slot.start;
    if (need > this.chunkBytes / 4) {
      slot.generation = this.generation;
      return slot;
    }
    if (this.used + need > this.chunk.length) this.newChunk();
    const start = this.used;
    slot.chunk.copy(this.chunk, start, slot.start, slot.end);
    this.used += need;
    this.allocatedSinceGeneration += need;
    return { chunk: this.chunk, start, end: this.used, generation: this.generation };
  }

  /** An entry's fragment is gone (e.g. its owner moved on): no longer live. */
  release(slot: Slot): void {
    this.liveBytes -= slot.end - slot.start;
  }

  /**
   * A complete traversal of everything kept here (a full state document) measured the live
   * bytes: fragments of entities that disappeared without a `release` no longer count.
   */
  observeLive(bytes: number): void {
    this.liveBytes = bytes;
  }

  private account(need: number, previous: Slot | undefined): void {
    this.liveBytes += need - (previous ? previous.end - previous.start : 0);
    this.allocatedSinceGeneration += need;
    if (this.allocatedSinceGeneration > 2 * this.liveBytes + 16 * this.chunkBytes) {
      this.generation++;
      this.allocatedSinceGeneration = 0;
    }
  }

  /** The fragment as text (without its comma). */
  static text(slot: Slot): string {
    return slot.chunk.toString("latin1", slot.start, slot.end - 1);
  }

  get stats(): { liveBytes: number; generation: number } {
    return { liveBytes: this.liveBytes, generation: this.generation };
  }
}
