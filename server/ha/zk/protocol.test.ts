// The ZooKeeper wire encoding, byte for byte (zookeeper.jute), and URL parsing.
import { describe, expect, it } from "vitest";
import { JuteReader, JuteWriter, PacketSplitter } from "./jute";
import {
  CreateMode, OPEN_ACL, OpCode, Xid, decodeConnectResponse, decodeReplyBody, decodeReplyHeader, decodeStat, decodeWatcherEvent,
  encodeConnectRequest, encodeConnectResponse, encodeReplyHeader, encodeRequest, encodeStat, errorName,
} from "./protocol";
import { parseZkUrl, redactZkUrl } from "./url";

const hex = (b: Buffer) => b.toString("hex");

describe("jute encoding", () => {
  it("writes big-endian ints and longs, one-byte booleans, length-prefixed strings and buffers", () => {
    const w = new JuteWriter(1).int(-2).long(0x0102030405060708n).bool(true).string("/é").buffer(null).string(null);
    expect(hex(w.bytes())).toBe("fffffffe" + "0102030405060708" + "01" + "00000003" + "2fc3a9" + "ffffffff" + "ffffffff");
    const r = new JuteReader(w.bytes());
    expect([r.int(), r.long(), r.bool(), r.string(), r.buffer(), r.string()]).toEqual([-2, 0x0102030405060708n, true, "/é", null, null]);
    expect(r.remaining).toBe(0);
  });

  it("refuses truncated records and absurd vector lengths", () => {
    expect(() => new JuteReader(Buffer.from("000000", "hex")).int()).toThrow(/truncated/);
    expect(() => new JuteReader(Buffer.from("7fffffff", "hex")).vector((r) => r.int())).toThrow(/cannot fit/);
  });

  it("splits a byte stream into length-prefixed packets across chunk boundaries", () => {
    const a = new JuteWriter().int(7).packet();
    const b = new JuteWriter().string("xy").packet();
    const stream = Buffer.concat([a, b]);
    const splitter = new PacketSplitter();
    expect(splitter.push(stream.subarray(0, 3))).toEqual([]);
    expect(splitter.push(stream.subarray(3, 9)).map(hex)).toEqual(["00000007"]);
    expect(splitter.push(stream.subarray(9)).map(hex)).toEqual(["000000027879"]);
    expect(() => new PacketSplitter().push(Buffer.from("ffffffff", "hex"))).toThrow(/invalid packet length/);
  });
});

describe("ZooKeeper records", () => {
  it("encodes the session handshake (ConnectRequest) as the Java client does", () => {
    const packet = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOutMs: 2000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    // length 45 | protocolVersion | lastZxidSeen | timeOut 2000 | sessionId | passwd (16 zero bytes) | readOnly
    expect(hex(packet)).toBe("0000002d" + "00000000" + "0000000000000000" + "000007d0" + "0000000000000000" + "00000010" + "00".repeat(16) + "00");
  });

  it("decodes a ConnectResponse with and without the read-only flag; timeout 0 means expired", () => {
    const full = encodeConnectResponse({ protocolVersion: 0, timeOutMs: 4000, sessionId: 0x1000045f8bc0000n, passwd: Buffer.alloc(16, 7), readOnly: false });
    const body = full.subarray(4);
    expect(decodeConnectResponse(body)).toEqual({ protocolVersion: 0, timeOutMs: 4000, sessionId: 0x1000045f8bc0000n, passwd: Buffer.alloc(16, 7), readOnly: false });
    expect(decodeConnectResponse(body.subarray(0, body.length - 1)).timeOutMs).toBe(4000);
  });

  it("encodes requests: header {xid, type} then the body", () => {
    expect(hex(encodeRequest(5, { op: OpCode.getChildren, path: "/a", watch: true }))).toBe("0000000f" + "00000005" + "00000008" + "00000002" + "2f61" + "01");
    expect(hex(encodeRequest(Xid.ping, { op: OpCode.ping }))).toBe("00000008" + "fffffffe" + "0000000b");
    expect(hex(encodeRequest(9, { op: OpCode.delete, path: "/x", version: -1 }))).toBe("00000012" + "00000009" + "00000002" + "00000002" + "2f78" + "ffffffff");
    const create = encodeRequest(1, { op: OpCode.create, path: "/m/json.info_", data: Buffer.from("{}"), acl: OPEN_ACL, mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    const r = new JuteReader(create.subarray(4));
    expect([r.int(), r.int(), r.string(), r.buffer()?.toString()]).toEqual([1, 1, "/m/json.info_", "{}"]);
    expect(r.vector((rr) => ({ perms: rr.int(), scheme: rr.string(), id: rr.string() }))).toEqual([{ perms: 31, scheme: "world", id: "anyone" }]);
    expect(r.int()).toBe(3);
    expect(r.remaining).toBe(0);
    const auth = new JuteReader(encodeRequest(Xid.auth, { op: OpCode.auth, scheme: "digest", auth: Buffer.from("u:p") }).subarray(4));
    expect([auth.int(), auth.int(), auth.int(), auth.string(), auth.buffer()?.toString()]).toEqual([-4, 100, 0, "digest", "u:p"]);
  });

  it("decodes replies: header, Stat, children, data, created path, watch events", () => {
    const stat = { czxid: 1n, mzxid: 2n, ctime: 3n, mtime: 4n, version: 5, cversion: 6, aversion: 7, ephemeralOwner: 0x77n, dataLength: 2, numChildren: 0, pzxid: 9n };
    const w = encodeReplyHeader(new JuteWriter(), { xid: 3, zxid: 42n, err: 0 }).buffer(Buffer.from("hi"));
    encodeStat(w, stat);
    const r = new JuteReader(w.bytes());
    expect(decodeReplyHeader(r)).toEqual({ xid: 3, zxid: 42n, err: 0 });
    expect(decodeReplyBody(OpCode.getData, r)).toEqual({ op: OpCode.getData, data: Buffer.from("hi"), stat });
    const children = new JuteWriter().vector(["b", "a"], (ww, s) => ww.string(s));
    expect(decodeReplyBody(OpCode.getChildren, new JuteReader(children.bytes()))).toEqual({ op: OpCode.getChildren, children: ["b", "a"] });
    expect(decodeReplyBody(OpCode.create, new JuteReader(new JuteWriter().string("/m/n_0000000001").bytes()))).toEqual({ op: OpCode.create, path: "/m/n_0000000001" });
    expect(decodeStat(new JuteReader(encodeStat(new JuteWriter(), stat).bytes()))).toEqual(stat);
    expect(decodeWatcherEvent(new JuteReader(new JuteWriter().int(4).int(3).string("/m").bytes()))).toEqual({ type: 4, state: 3, path: "/m" });
    expect(errorName(-101)).toBe("NONODE");
    expect(errorName(-999)).toBe("ERROR(-999)");
  });
});

describe("ZooKeeper URLs", () => {
  it("parses hosts, default port, path and digest credentials", () => {
    expect(parseZkUrl("zk://127.0.0.1:2181/plateau")).toEqual({ servers: [{ host: "127.0.0.1", port: 2181 }], path: "/plateau" });
    const u = parseZkUrl("zk://user:secret@h1,h2:2182/a/b/");
    expect(u).toEqual({ servers: [{ host: "h1", port: 2181 }, { host: "h2", port: 2182 }], path: "/a/b", digest: "user:secret" });
    expect(redactZkUrl(u)).toBe("zk://h1:2181,h2:2182/a/b");
  });

  it("refuses URLs without a path or with bad hosts", () => {
    expect(() => parseZkUrl("zk://127.0.0.1:2181")).toThrow(/needs a path/);
    expect(() => parseZkUrl("http://x/y")).toThrow(/Expecting a ZooKeeper URL/);
    expect(() => parseZkUrl("zk://h:99999/p")).toThrow(/Invalid port/);
    expect(() => parseZkUrl("file:///nonexistent/zk-url")).toThrow(/Failed to read/);
  });
});
