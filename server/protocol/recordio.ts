// RecordIO framing used by every Mesos v1 streaming endpoint:
//   record = <decimal byte length> "\n" <bytes>
// Chunk boundaries of the transport are unrelated to record boundaries.

/** Frames one record. The result is written to the socket in a single write. */
export function encodeRecord(data: string | Buffer): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return Buffer.concat([Buffer.from(`${body.length}\n`, "ascii"), body]);
}

export class RecordIOError extends Error {}

/** Incremental decoder: push transport chunks, receive whole records. */
export class RecordIODecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private expected: number | null = null;

  constructor(private readonly maxRecordBytes = 64 * 1024 * 1024) {}

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const records: Buffer[] = [];
    for (;;) {
      if (this.expected === null) {
        const nl = this.buffer.indexOf(10);
        if (nl < 0) {
          if (this.buffer.length > 20) throw new RecordIOError("RecordIO length prefix too long");
          break;
        }
        const digits = this.buffer.subarray(0, nl).toString("ascii").trim();
        this.buffer = this.buffer.subarray(nl + 1);
        if (digits === "") continue; // tolerate empty lines
        if (!/^\d+$/.test(digits)) throw new RecordIOError(`Invalid RecordIO length '${digits}'`);
        const size = Number(digits);
        if (size > this.maxRecordBytes) throw new RecordIOError(`RecordIO record of ${size} bytes exceeds the limit`);
        this.expected = size;
      }
      if (this.buffer.length < this.expected) break;
      records.push(this.buffer.subarray(0, this.expected));
      this.buffer = this.buffer.subarray(this.expected);
      this.expected = null;
    }
    return records;
  }
}
