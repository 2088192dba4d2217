// A minimal WebSocket client for load generators (bench/failover.ts): one TCP socket, the RFC 6455
// opening handshake and text frames, nothing else (no extensions, no fragmentation on send).
//
// Why not the `ws` client: a simulator stands in for thousands of agents on a machine it shares
// with the masters, and `ws` spends ~400 µs of CPU per connection (an http.ClientRequest, a
// random key and a SHA-1 check per handshake, a fresh random mask per frame) — more than the
// master under test spends per agent. Here the handshake request is a constant string, the
// response's status line is checked (101) but its Sec-WebSocket-Accept is not, and a frame that is
// sent many times (an agent's re-registration) is built and masked once with its own random key.
// On the wire these are ordinary masked client frames; the master cannot tell the difference.
import { randomBytes } from "node:crypto";
import net from "node:net";

const HANDSHAKE_KEY = randomBytes(16).toString("base64");

/** A masked client text frame carrying `text` (build once, send as often as needed). */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 65_536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + lengthBytes + 4 + n);
  frame[0] = 0x81; // FIN + text
  let at = 2;
  if (lengthBytes === 0) frame[1] = 0x80 | n;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(n, 2);
    at = 4;
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
    at = 10;
  }
  const mask = randomBytes(4);
  mask.copy(frame, at);
  at += 4;
  for (let i = 0; i < n; i++) frame[at + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

export interface LiteSocketHandlers {
  /** The handshake completed (101). */
  open(): void;
  /** A text message from the server. */
  message(text: string): void;
  /** The connection is gone (for any reason, once). */
  close(): void;
}

/** One client connection to `ws://host:port/path`. */
export class LiteWebSocket {
  private readonly socket: net.Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private upgraded = false;
  private closed = false;

  constructor(host: string, port: number, path: string, private readonly on: LiteSocketHandlers) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on("connect", () => {
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${HANDSHAKE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    this.socket.on("data", (chunk: Buffer) => this.receive(chunk));
    this.socket.on("error", () => this.terminate());
    this.socket.on("close", () => this.terminate());
  }

  /** Sends a prebuilt frame (see clientTextFrame). */
  sendFrame(frame: Buffer): void {
    if (this.upgraded && !this.closed) this.socket.write(frame);
  }

  send(text: string): void {
    this.sendFrame(clientTextFrame(text));
  }

  terminate(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.on.close();
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (!this.upgraded) {
      const end = this.buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const status = this.buffered.toString("latin1", 0, 12);
      if (!status.startsWith("HTTP/1.1 101")) return this.terminate();
      this.upgraded = true;
      this.buffered = this.buffered.subarray(end + 4);
      this.on.open();
    }
    while (!this.closed && this.buffered.length >= 2) {
      const b = this.buffered;
      const opcode = b[0]! & 0x0f;
      let length = b[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + length) return;
      const payload = b.subarray(at, at + length);
      this.buffered = b.subarray(at + length);
      if (opcode === 0x1) this.on.message(payload.toString());
      else if (opcode === 0x8) return this.terminate();
      else if (opcode === 0x9) this.sendControl(0xa, payload); // ping → pong
    }
  }

  private sendControl(opcode: number, payload: Buffer): void {
    const frame = Buffer.alloc(6 + payload.length);
    frame[0] = 0x80 | opcode;
    frame[1] = 0x80 | payload.length; // control payloads are ≤ 125 bytes; zero mask key
    payload.copy(frame, 6);
    this.sendFrame(frame);
  }
}
