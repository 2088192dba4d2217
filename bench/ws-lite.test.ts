import { once } from "node:events";
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { clientTextFrame, LiteWebSocket } from "./ws-lite";

describe("ws-lite (the benchmark simulators' WebSocket client) against the ws server the master uses", () => {
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  async function server(onConnection: (ws: WebSocket) => void): Promise<number> {
    const http_ = http.createServer();
    const wss = new WebSocketServer({ noServer: true });
    http_.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, onConnection));
    http_.listen(0, "127.0.0.1");
    await once(http_, "listening");
    servers.push(http_);
    return (http_.address() as { port: number }).port;
  }

  it("completes the handshake and carries text frames of every length encoding both ways", async () => {
    const port = await server((ws) => ws.on("message", (data) => ws.send(`echo:${String(data)}`)));
    const texts = ["short", "m".repeat(126), "x".repeat(65_535), "é".repeat(40_000)]; // 7-bit, 16-bit, 16-bit max, 64-bit lengths
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const ws = new LiteWebSocket("127.0.0.1", port, "/internal/agent", {
        open: () => {
          ws.send(texts[0]!);
          for (const t of texts.slice(1)) ws.sendFrame(clientTextFrame(t));
        },
        message: (text) => {
          got.push(text);
          if (got.length === texts.length) resolve();
        },
        close: () => reject(new Error("closed early")),
      });
    });
    expect(got).toEqual(texts.map((t) => `echo:${t}`));
  });

  it("answers pings with pongs and reports the server's close once", async () => {
    let pong: Promise<unknown> = Promise.resolve();
    const port = await server((ws) => {
      pong = once(ws, "pong");
      ws.ping(Buffer.from("hi"));
      ws.on("pong", () => ws.close(1000));
    });
    let closes = 0;
    await new Promise<void>((resolve) => {
      new LiteWebSocket("127.0.0.1", port, "/", { open: () => {}, message: () => {}, close: () => (closes++, resolve()) });
    });
    const [payload] = (await pong) as [Buffer];
    expect(payload.toString()).toBe("hi");
    expect(closes).toBe(1);
  });

  it("gives up on a server that refuses the upgrade", async () => {
    const refusing = http.createServer();
    refusing.on("upgrade", (_req, socket) => socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"));
    refusing.listen(0, "127.0.0.1");
    await once(refusing, "listening");
    servers.push(refusing);
    let opened = false;
    await new Promise<void>((resolve) => {
      new LiteWebSocket("127.0.0.1", (refusing.address() as { port: number }).port, "/", { open: () => (opened = true), message: () => {}, close: resolve });
    });
    expect(opened).toBe(false);
  });
});
