// ZooKeeper's wire encoding (Apache Jute, "binary archive"): big-endian int32/int64, one-byte
// booleans, length-prefixed UTF-8 strings and byte buffers (length -1 = null), count-prefixed
// vectors. Every packet on the socket is prefixed by its int32 length. Only the records this
// client uses are here (see ./protocol.ts for the request and response bodies).

export class JuteWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initial = 256) {
    this.buf = Buffer.alloc(initial);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  int(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  long(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.len);
    this.len += 8;
    return this;
  }

  bool(v: boolean): this {
    this.ensure(1);
    this.buf.writeUInt8(v ? 1 : 0, this.len);
    this.len += 1;
    return this;
  }

  buffer(v: Buffer | null): this {
    if (v === null) return this.int(-1);
    this.int(v.length);
    this.ensure(v.length);
    v.copy(this.buf, this.len);
    this.len += v.length;
    return this;
  }

  string(v: string | null): this {
    return this.buffer(v === null ? null : Buffer.from(v, "utf8"));
  }

  vector<T>(items: readonly T[] | null, write: (w: this, item: T) => void): this {
    if (items === null) return this.int(-1);
    this.int(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  /** The bytes written so far. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** The bytes written so far, prefixed with their int32 length (one packet). */
  packet(): Buffer {
    const out = Buffer.alloc(4 + this.len);
    out.writeInt32BE(this.len, 0);
    this.buf.copy(out, 4, 0, this.len);
    return out;
  }
}

export class JuteDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JuteDecodeError";
  }
}

export class JuteReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new JuteDecodeError(`truncated record: need ${n} bytes at ${this.pos}, have ${this.buf.length - this.pos}`);
  }

  int(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  long(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    this.need(1);
    return this.buf.readUInt8(this.pos++) !== 0;
  }

  buffer(): Buffer | null {
    const n = this.int();
    if (n < 0) return null;
    this.need(n);
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return v;
  }

  string(): string | null {
    const b = this.buffer();
    return b === null ? null : b.toString("utf8");
  }

  vector<T>(read: (r: this) => T): T[] | null {
    const n = this.int();
    if (n < 0) return null;
    if (n > this.remaining) throw new JuteDecodeError(`vector of ${n} items cannot fit in ${this.remaining} bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this));
    return out;
  }
}

/**
 * Splits a byte stream into length-prefixed packets. `push` returns the complete packets
 * received so far (without their length prefix); a partial packet is kept for the next push.
 */
export class PacketSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPacketBytes = 64 * 1024 * 1024) {}

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    let offset = 0;
    while (this.pending.length - offset >= 4) {
      const len = this.pending.readInt32BE(offset);
      if (len < 0 || len > this.maxPacketBytes) throw new JuteDecodeError(`invalid packet length ${len}`);
      if (this.pending.length - offset - 4 < len) break;
      out.push(this.pending.subarray(offset + 4, offset + 4 + len));
      offset += 4 + len;
    }
    this.pending = offset === 0 ? this.pending : Buffer.from(this.pending.subarray(offset));
    return out;
  }
}
