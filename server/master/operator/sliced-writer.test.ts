// The sliced writer: output equals the document, slices respect backpressure, the event loop
// turns between slices, and a client that leaves stops the rendering.
import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import type { Piece } from "./render/state";
import { collect, writePieces } from "./sliced-writer";

class FakeResponse extends EventEmitter {
  chunks: Buffer[] = [];
  status = 0;
  ended = false;
  destroyed = false;
  /** write() answers false every `pressureEvery` writes; 'drain' follows on the next turn. */
  constructor(private readonly pressureEvery = 0) {
    super();
  }
  writeHead(status: number) {
    this.status = status;
    return this;
  }
  write(chunk: Buffer | string, encoding?: BufferEncoding): boolean {
    this.chunks.push(typeof chunk === "string" ? Buffer.from(chunk, encoding) : Buffer.from(chunk));
    if (this.pressureEvery > 0 && this.chunks.length % this.pressureEvery === 0) {
      setImmediate(() => this.emit("drain"));
      return false;
    }
    return true;
  }
  end() {
    this.ended = true;
  }
  text() {
    return Buffer.concat(this.chunks).toString("latin1");
  }
}

function* doc(n: number, size: number): Generator<Piece> {
  yield '{"items":[';
  yield { items: Array.from({ length: n }, (_, i) => i), render: (i: unknown) => `{"i":${i as number},"pad":"${"x".repeat(size)}"}` };
  yield '],"big":"';
  yield "y".repeat(3000);
  yield '"}';
}

describe("writePieces", () => {
  it("writes exactly the document, in slices no larger than asked (unless one piece is larger)", async () => {
    const res = new FakeResponse();
    await writePieces(res as unknown as ServerResponse, 200, {}, doc(500, 40), { sliceBytes: 1024 });
    expect(res.ended).toBe(true);
    expect(res.text()).toBe(collect(doc(500, 40)));
    expect(JSON.parse(res.text()).items).toHaveLength(500);
    expect(Math.max(...res.chunks.map((c) => c.length))).toBeLessThanOrEqual(3000);
    expect(res.chunks.length).toBeGreaterThan(20);
  });

  it("waits for 'drain' under backpressure and still writes everything", async () => {
    const res = new FakeResponse(2);
    await writePieces(res as unknown as ServerResponse, 200, {}, doc(300, 100), { sliceBytes: 2048 });
    expect(JSON.parse(res.text()).items).toHaveLength(300);
  });

  it("lets the event loop turn between slices", async () => {
    const res = new FakeResponse();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await writePieces(res as unknown as ServerResponse, 200, {}, doc(20_000, 200), { sliceBytes: 64 * 1024 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });

  it("stops when the client goes away", async () => {
    const res = new FakeResponse();
    let rendered = 0;
    function* endless(): Generator<Piece> {
      yield "[";
      yield { items: Array.from({ length: 100_000 }, (_, i) => i), render: (i: unknown) => (rendered++, String(i)) };
      yield "]";
    }
    setImmediate(() => (res.destroyed = true));
    await writePieces(res as unknown as ServerResponse, 200, {}, endless(), { sliceBytes: 1024 });
    expect(rendered).toBeLessThan(100_000);
    expect(res.ended).toBe(false);
  });
});

describe("writePieces with arena fragments", () => {
  it("writes contiguous fragments without copying, drops the last separator, mixes with text", async () => {
    const { Arena } = await import("./render/arena");
    const arena = new Arena(64 * 1024);
    const slots = Array.from({ length: 2000 }, (_, i) => arena.put(`{"n":${i},"pad":"${"z".repeat(50)}"}`));
    const render = (i: unknown) => ((i as number) % 500 === 7 ? `{"n":${i as number},"text":true}` : slots[i as number]!);
    function* doc(): Generator<Piece> {
      yield "[";
      yield { items: Array.from({ length: 2000 }, (_, i) => i), render };
      yield "]";
    }
    const res = new FakeResponse();
    await writePieces(res as unknown as ServerResponse, 200, {}, doc(), { sliceBytes: 32 * 1024 });
    const parsed = JSON.parse(res.text()) as { n: number; text?: boolean }[];
    expect(parsed.map((x) => x.n)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(parsed.filter((x) => x.text)).toHaveLength(4);
    expect(res.text()).toBe(collect(doc()));
  });
});

describe("Arena", () => {
  it("copies live fragments forward once enough has been reallocated", async () => {
    const { Arena } = await import("./render/arena");
    const arena = new Arena(1024);
    let slot = arena.put("first");
    const keep = arena.put("kept");
    for (let i = 0; i < 100; i++) slot = arena.put(`v${i}`.padEnd(200, "x"), slot);
    const moved = arena.current(keep);
    expect(moved).not.toBe(keep);
    expect(moved.generation).toBeGreaterThan(keep.generation);
    expect(Arena.text(moved)).toBe("kept");
    expect(Arena.text(slot)).toBe("v99".padEnd(200, "x"));
  });
});

describe("defragmentation", () => {
  it("moves scattered fragments together, so the next document is written in a few large writes", async () => {
    const { Arena } = await import("./render/arena");
    const arena = new Arena(1024 * 1024);
    // Two lists rendered interleaved (as tasks of two frameworks launched alternately).
    const a: import("./render/arena").Slot[] = [];
    const b: import("./render/arena").Slot[] = [];
    for (let i = 0; i < 3000; i++) {
      a.push(arena.put(`{"a":${i},"pad":"${"p".repeat(40)}"}`));
      b.push(arena.put(`{"b":${i},"pad":"${"q".repeat(40)}"}`));
    }
    const mover = {
      follows: (after: { chunk: Buffer; end: number }, slot: import("./render/arena").Slot) => arena.wouldFollow(after, slot),
      move: (i: unknown, slot: import("./render/arena").Slot) => (a[i as number] = arena.copy(slot)),
    };
    function* doc(): Generator<Piece> {
      yield "[";
      yield { items: Array.from({ length: 3000 }, (_, i) => i), render: (i: unknown) => a[i as number]!, mover };
      yield "]";
    }
    const first = new FakeResponse();
    await writePieces(first as unknown as ServerResponse, 200, {}, doc(), { sliceBytes: 64 * 1024 });
    const second = new FakeResponse();
    await writePieces(second as unknown as ServerResponse, 200, {}, doc(), { sliceBytes: 64 * 1024 });
    expect(second.text()).toBe(first.text());
    expect((JSON.parse(second.text()) as { a: number }[]).map((x) => x.a)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    // ~180 KB: contiguous now, so a handful of slice-sized writes.
    expect(second.chunks.length).toBeLessThanOrEqual(6);
    const third = new FakeResponse();
    await writePieces(third as unknown as ServerResponse, 200, {}, doc(), { sliceBytes: 64 * 1024 });
    expect(third.chunks.length).toBe(second.chunks.length); // nothing moves any more
  });
});

describe("defragmentation leaves contiguous documents alone", () => {
  it("an updated fragment here and there is copied, nothing is moved", async () => {
    const { Arena } = await import("./render/arena");
    const arena = new Arena(1024 * 1024);
    const a = Array.from({ length: 2000 }, (_, i) => arena.put(`{"a":${i}}`));
    for (const i of [10, 500, 501, 1500]) a[i] = arena.put(`{"a":${i},"updated":true}`, a[i]);
    let moves = 0;
    const mover = {
      follows: (after: { chunk: Buffer; end: number }, slot: import("./render/arena").Slot) => arena.wouldFollow(after, slot),
      move: (i: unknown, slot: import("./render/arena").Slot) => (moves++, (a[i as number] = arena.copy(slot))),
    };
    function* doc(): Generator<Piece> {
      yield { items: Array.from({ length: 2000 }, (_, i) => i), render: (i: unknown) => a[i as number]!, mover };
    }
    const res = new FakeResponse();
    await writePieces(res as unknown as ServerResponse, 200, {}, doc());
    expect(moves).toBe(0);
    expect(JSON.parse(`[${res.text()}]`).filter((x: { updated?: boolean }) => x.updated)).toHaveLength(4);
  });
});
