// The ZooKeeper client protocol records this client speaks (zookeeper.jute, ZooDefs.java):
// session handshake, request/reply headers, and the bodies of create, delete, exists, getData,
// getChildren, ping, closeSession and auth, plus watch notifications.
import { JuteReader, JuteWriter } from "./jute";

export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  getChildren: 8,
  ping: 11,
  closeSession: -11,
  auth: 100,
} as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

/** Reserved xids: watch notifications, pings and auth replies are not matched to a request. */
export const Xid = { notification: -1, ping: -2, auth: -4 } as const;

export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
} as const;
export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode];

/** KeeperException codes (the ones a caller may want to test for by name). */
export const ErrorCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
} as const;

const ERROR_NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

export function errorName(code: number): string {
  return ERROR_NAMES.get(code) ?? `ERROR(${code})`;
}

export const EventType = { None: -1, NodeCreated: 1, NodeDeleted: 2, NodeDataChanged: 3, NodeChildrenChanged: 4 } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Permission bits of an ACL entry. */
export const Perms = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

export interface Acl {
  perms: number;
  scheme: string;
  id: string;
}

/** world:anyone with every permission (ZooDefs.Ids.OPEN_ACL_UNSAFE). */
export const OPEN_ACL: Acl[] = [{ perms: Perms.ALL, scheme: "world", id: "anyone" }];
/** Readable by anyone, everything else for the authenticated creator (what Mesos uses with credentials). */
export const READ_ALL_CREATOR_ALL: Acl[] = [
  { perms: Perms.READ, scheme: "world", id: "anyone" },
  { perms: Perms.ALL, scheme: "auth", id: "" },
];

export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  /** Session id of the owner of an ephemeral node; 0 for persistent nodes. */
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOutMs: number;
  sessionId: bigint;
  passwd: Buffer;
  readOnly: boolean;
}

export interface ConnectResponse {
  protocolVersion: number;
  /** Negotiated session timeout; <= 0 means the session has expired. */
  timeOutMs: number;
  sessionId: bigint;
  passwd: Buffer;
  readOnly: boolean;
}

export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

export function encodeConnectRequest(r: ConnectRequest): Buffer {
  return new JuteWriter().int(r.protocolVersion).long(r.lastZxidSeen).int(r.timeOutMs).long(r.sessionId).buffer(r.passwd).bool(r.readOnly).packet();
}

export function decodeConnectRequest(body: Buffer): ConnectRequest {
  const r = new JuteReader(body);
  const out = { protocolVersion: r.int(), lastZxidSeen: r.long(), timeOutMs: r.int(), sessionId: r.long(), passwd: r.buffer() ?? Buffer.alloc(0), readOnly: false };
  if (r.remaining > 0) out.readOnly = r.bool();
  return out;
}

export function encodeConnectResponse(r: ConnectResponse): Buffer {
  return new JuteWriter().int(r.protocolVersion).int(r.timeOutMs).long(r.sessionId).buffer(r.passwd).bool(r.readOnly).packet();
}

export function decodeConnectResponse(body: Buffer): ConnectResponse {
  const r = new JuteReader(body);
  const out = { protocolVersion: r.int(), timeOutMs: r.int(), sessionId: r.long(), passwd: r.buffer() ?? Buffer.alloc(0), readOnly: false };
  // Servers older than 3.4 do not send the read-only flag.
  if (r.remaining > 0) out.readOnly = r.bool();
  return out;
}

export function decodeReplyHeader(r: JuteReader): ReplyHeader {
  return { xid: r.int(), zxid: r.long(), err: r.int() };
}

export function encodeReplyHeader(w: JuteWriter, h: ReplyHeader): JuteWriter {
  return w.int(h.xid).long(h.zxid).int(h.err);
}

export function decodeStat(r: JuteReader): Stat {
  return {
    czxid: r.long(), mzxid: r.long(), ctime: r.long(), mtime: r.long(),
    version: r.int(), cversion: r.int(), aversion: r.int(),
    ephemeralOwner: r.long(), dataLength: r.int(), numChildren: r.int(), pzxid: r.long(),
  };
}

export function encodeStat(w: JuteWriter, s: Stat): JuteWriter {
  return w.long(s.czxid).long(s.mzxid).long(s.ctime).long(s.mtime).int(s.version).int(s.cversion).int(s.aversion)
    .long(s.ephemeralOwner).int(s.dataLength).int(s.numChildren).long(s.pzxid);
}

export function decodeWatcherEvent(r: JuteReader): WatcherEvent {
  return { type: r.int(), state: r.int(), path: r.string() ?? "" };
}

/** The request bodies, by operation (each encoded after a RequestHeader {xid, type}). */
export type ZkRequest =
  | { op: typeof OpCode.create; path: string; data: Buffer; acl: Acl[]; mode: CreateMode }
  | { op: typeof OpCode.delete; path: string; version: number }
  | { op: typeof OpCode.exists; path: string; watch: boolean }
  | { op: typeof OpCode.getData; path: string; watch: boolean }
  | { op: typeof OpCode.getChildren; path: string; watch: boolean }
  | { op: typeof OpCode.ping }
  | { op: typeof OpCode.closeSession }
  | { op: typeof OpCode.auth; scheme: string; auth: Buffer };

/** One request packet: length, RequestHeader {xid, type}, body. */
export function encodeRequest(xid: number, req: ZkRequest): Buffer {
  const w = new JuteWriter().int(xid).int(req.op);
  switch (req.op) {
    case OpCode.create:
      w.string(req.path).buffer(req.data).vector(req.acl, (ww, a) => ww.int(a.perms).string(a.scheme).string(a.id)).int(req.mode);
      break;
    case OpCode.delete:
      w.string(req.path).int(req.version);
      break;
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
      w.string(req.path).bool(req.watch);
      break;
    case OpCode.auth:
      w.int(0).string(req.scheme).buffer(req.auth);
      break;
    case OpCode.ping:
    case OpCode.closeSession:
      break;
  }
  return w.packet();
}

/** The decoded reply body of a successful request, by operation. */
export type ZkReplyBody =
  | { op: typeof OpCode.create; path: string }
  | { op: typeof OpCode.exists; stat: Stat }
  | { op: typeof OpCode.getData; data: Buffer; stat: Stat }
  | { op: typeof OpCode.getChildren; children: string[] }
  | { op: typeof OpCode.delete | typeof OpCode.ping | typeof OpCode.closeSession | typeof OpCode.auth };

export function decodeReplyBody(op: OpCode, r: JuteReader): ZkReplyBody {
  switch (op) {
    case OpCode.create:
      return { op, path: r.string() ?? "" };
    case OpCode.exists:
      return { op, stat: decodeStat(r) };
    case OpCode.getData:
      return { op, data: r.buffer() ?? Buffer.alloc(0), stat: decodeStat(r) };
    case OpCode.getChildren:
      return { op, children: (r.vector((rr) => rr.string() ?? "") ?? []) };
    case OpCode.delete:
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.auth:
    case OpCode.notification:
      return { op: op === OpCode.notification ? OpCode.ping : op };
  }
}
