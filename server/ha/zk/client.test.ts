// ZkClient against a scripted ZooKeeper server on loopback: handshake, pings, watches, and the
// session-loss rule (a disconnection longer than the session timeout is a lost session).
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ZkClient, type ZkSessionState } from "./client";
import { JuteReader, JuteWriter, PacketSplitter } from "./jute";
import { decodeConnectRequest, encodeConnectResponse, encodeReplyHeader, OpCode, Xid, type ConnectRequest } from "./protocol";

interface ScriptedServer {
  port: number;
  connects: ConnectRequest[];
  /** Stop answering anything (the connection stays open). */
  silent: boolean;
  /** Answer the next handshakes with a zero timeout (session expired). */
  expireSessions: boolean;
  sockets: net.Socket[];
  notify(path: string): void;
  close(): Promise<void>;
}

async function scriptedServer(timeoutMs: number): Promise<ScriptedServer> {
  const state: ScriptedServer = {
    port: 0, connects: [], silent: false, expireSessions: false, sockets: [],
    notify(path) {
      const w = encodeReplyHeader(new JuteWriter(), { xid: Xid.notification, zxid: -1n, err: 0 }).int(4).int(3).string(path);
      for (const s of state.sockets) s.write(w.packet());
    },
    close: () => new Promise<void>((r) => {
      for (const s of state.sockets) s.destroy();
      server.close(() => r());
    }),
  };
  const server = net.createServer((socket) => {
    state.sockets.push(socket);
    socket.on("close", () => state.sockets.splice(state.sockets.indexOf(socket), 1));
    socket.on("error", () => {});
    const splitter = new PacketSplitter();
    let handshaken = false;
    socket.on("data", (chunk: Buffer) => {
      for (const packet of splitter.push(chunk)) {
        if (state.silent) continue;
        if (!handshaken) {
          handshaken = true;
          const req = decodeConnectRequest(packet);
          state.connects.push(req);
          const expired = state.expireSessions && req.sessionId !== 0n;
          socket.write(encodeConnectResponse({ protocolVersion: 0, timeOutMs: expired ? 0 : timeoutMs, sessionId: req.sessionId || 0x42n, passwd: Buffer.alloc(16, 1), readOnly: false }));
          continue;
        }
        const r = new JuteReader(packet);
        const xid = r.int();
        const type = r.int();
        const w = encodeReplyHeader(new JuteWriter(), { xid, zxid: xid === Xid.ping ? 0n : 100n, err: 0 });
        if (type === OpCode.getChildren) w.vector(["json.info_0000000001"], (ww, s) => ww.string(s));
        socket.write(w.packet());
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  state.port = (server.address() as net.AddressInfo).port;
  return state;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function connect(timeoutMs: number) {
  const server = await scriptedServer(timeoutMs);
  const states: { state: ZkSessionState; at: number }[] = [];
  const client = new ZkClient({ servers: [{ host: "127.0.0.1", port: server.port }], sessionTimeoutMs: timeoutMs });
  client.onState((state) => states.push({ state, at: performance.now() }));
  cleanups.push(() => server.close(), () => client.close());
  await waitFor(() => client.state === "connected");
  return { server, client, states };
}

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("ZkClient", () => {
  it("opens a session and keeps it alive with pings across several timeouts", async () => {
    const { server, client } = await connect(300);
    expect(client.sessionId).toBe(0x42n);
    expect(server.connects[0]).toMatchObject({ sessionId: 0n, timeOutMs: 300 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(client.state).toBe("connected");
    expect(client.leaseValid()).toBe(true);
    expect(await client.getChildren("/plateau")).toEqual(["json.info_0000000001"]);
  });

  it("treats a silent server as lost: disconnected after 2/3 of the timeout, expired once the lease ends", async () => {
    const { server, client, states } = await connect(300);
    await client.getChildren("/plateau");
    const lastAnswered = performance.now();
    server.silent = true;
    await waitFor(() => client.state === "expired", 2000);
    const disconnected = states.find((s) => s.state === "disconnected")!;
    const expired = states.find((s) => s.state === "expired")!;
    expect(disconnected.at - lastAnswered).toBeGreaterThanOrEqual(150);
    expect(expired.at - lastAnswered).toBeLessThan(300 + 150);
    expect(client.leaseValid()).toBe(false);
    await expect(client.getChildren("/plateau")).rejects.toThrow(/CONNECTIONLOSS/);
  });

  it("reconnects to the same session after a dropped connection", async () => {
    const { server, client, states } = await connect(600);
    for (const s of server.sockets) s.destroy();
    await waitFor(() => states.filter((s) => s.state === "connected").length === 2);
    expect(server.connects[1]).toMatchObject({ sessionId: 0x42n, passwd: Buffer.alloc(16, 1) });
    expect(client.leaseValid()).toBe(true);
  });

  it("reports expiry when the server refuses the session on reconnection", async () => {
    const { server, client } = await connect(600);
    server.expireSessions = true;
    for (const s of server.sockets) s.destroy();
    await waitFor(() => client.state === "expired");
    expect(client.leaseValid()).toBe(false);
  });

  it("fires a one-shot children watch on notification", async () => {
    const { server, client } = await connect(600);
    const events: string[] = [];
    await client.getChildren("/plateau", (e) => events.push(`${e.type} ${e.path}`));
    server.notify("/plateau");
    server.notify("/plateau");
    await waitFor(() => events.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual(["childrenChanged /plateau"]);
  });
});
