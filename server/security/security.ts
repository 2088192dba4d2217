// A process's security configuration and the per-request identity derived from it.
//
// - Authentication is on when credentials are configured (--credentials). A request then names its
//   principal with HTTP Basic (a principal/secret pair from the file), a bearer token (HS256 JWT,
//   kind "bearer", signed with the process's token key), or — for the dashboard — the session
//   cookie (the same kind of token, kind "session"). Wrong credentials are a 401 even where no
//   credentials are needed. With authentication off every request is anonymous.
// - Authorization is the local authorizer over --acls (./acls.ts); without --acls everything is
//   allowed (Mesos's default). An anonymous request is subject ANY.
// The identity of a request is kept beside it (a WeakMap shared process-wide through globalThis, so
// the dashboard's bundled copy of this module sees the same map) and read by principalOf().
import crypto from "node:crypto";
import type { IncomingMessage } from "node:http";
import { aclAllows, aclMayEver, type AclAction, type Acls } from "./acls";
import { CredentialStore, basicAuthorization, type Credential } from "./credentials";
import { signToken, verifyToken } from "./token";

export const SESSION_COOKIE = "plateau_session";
export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;
export const ANONYMOUS = "anonymous";
/** Request header the master's server sets (after removing any client copy) for the dashboard's server components. */
export const PRINCIPAL_HEADER = "x-plateau-principal";

export interface SecurityOptions {
  /** Who may authenticate; undefined = authentication off. */
  credentials?: Credential[];
  /** The local authorizer's ACLs; undefined = allow everything. */
  acls?: Acls;
  /** Explicitly accepted: serving a non-loopback address without credentials. */
  insecure?: boolean;
  /** Key for bearer and session tokens (--jwt_secret_key); default: random per process. */
  tokenKey?: Buffer;
  sessionTtlMs?: number;
  now?: () => number;
  /** What this master presents to agents' HTTP endpoints (agents started with --http_credentials). */
  agentCredential?: Credential;
}

export type Authentication =
  | { kind: "anonymous" }
  | { kind: "principal"; principal: string; via: "basic" | "bearer" | "session" }
  | { kind: "invalid"; reason: string };

export class Security {
  readonly authEnabled: boolean;
  readonly insecure: boolean;
  readonly sessionTtlMs: number;
  /** `Authorization` header for the master's own calls to agents (the files proxy), if configured. */
  readonly agentAuthorization: string | undefined;
  private readonly store: CredentialStore | null;
  private readonly acls: Acls | null;
  private readonly key: Buffer;
  private readonly now: () => number;

  constructor(options: SecurityOptions = {}) {
    this.store = options.credentials ? new CredentialStore(options.credentials) : null;
    this.authEnabled = this.store !== null;
    this.acls = options.acls ?? null;
    this.insecure = options.insecure ?? false;
    this.key = options.tokenKey ?? crypto.randomBytes(32);
    this.sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    this.now = options.now ?? Date.now;
    this.agentAuthorization = options.agentCredential ? basicAuthorization(options.agentCredential) : undefined;
  }

  get aclsConfigured(): boolean {
    return this.acls !== null;
  }

  /** Checks a principal/secret pair (dashboard login, agents). */
  verifySecret(principal: string, secret: string): boolean {
    return this.store?.verify(principal, secret) ?? false;
  }

  /** Who the request says it is (Authorization header first, then the session cookie). */
  authenticate(req: IncomingMessage): Authentication {
    if (!this.authEnabled) return { kind: "anonymous" };
    const authorization = req.headers.authorization;
    if (authorization !== undefined && authorization !== "") {
      const space = authorization.indexOf(" ");
      const scheme = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
      const value = space < 0 ? "" : authorization.slice(space + 1).trim();
      if (scheme === "basic") {
        let decoded: string;
        try {
          decoded = Buffer.from(value, "base64").toString("utf8");
        } catch {
          return { kind: "invalid", reason: "Malformed Basic credentials" };
        }
        const colon = decoded.indexOf(":");
        if (colon < 0) return { kind: "invalid", reason: "Malformed Basic credentials" };
        const principal = decoded.slice(0, colon);
        if (!this.verifySecret(principal, decoded.slice(colon + 1))) return { kind: "invalid", reason: "Invalid credentials" };
        return { kind: "principal", principal, via: "basic" };
      }
      if (scheme === "bearer") {
        const result = verifyToken(this.key, value, this.now(), "bearer");
        if (!result.ok) return { kind: "invalid", reason: result.reason };
        return { kind: "principal", principal: result.claims.sub, via: "bearer" };
      }
      return { kind: "invalid", reason: `Unsupported authentication scheme '${scheme}'` };
    }
    const session = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (session !== undefined) {
      const principal = this.verifySession(session);
      if (principal !== null) return { kind: "principal", principal, via: "session" };
      // An expired or forged cookie is just no session (the dashboard sends the user to log in).
    }
    return { kind: "anonymous" };
  }

  /** The principal of a session cookie value, or null. */
  verifySession(token: string): string | null {
    if (!this.authEnabled) return null;
    const result = verifyToken(this.key, token, this.now(), "session");
    return result.ok && this.store!.has(result.claims.sub) ? result.claims.sub : null;
  }

  issueSession(principal: string): string {
    return signToken(this.key, { sub: principal, kind: "session", iat: Math.floor(this.now() / 1000), exp: Math.floor((this.now() + this.sessionTtlMs) / 1000) });
  }

  /** A bearer token for a principal (issued to a logged-in operator or by `plateau token`). */
  issueBearer(principal: string, ttlMs: number): string {
    return signToken(this.key, { sub: principal, kind: "bearer", iat: Math.floor(this.now() / 1000), exp: Math.floor((this.now() + ttlMs) / 1000) });
  }

  authorize(principal: string | undefined, action: AclAction, object?: string): boolean {
    if (!this.acls) return true;
    return aclAllows(this.acls, principal, action, object);
  }

  mayEver(principal: string | undefined, action: AclAction): boolean {
    if (!this.acls) return true;
    return aclMayEver(this.acls, principal, action);
  }
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

// Per-request identity -------------------------------------------------------------------------

export interface RequestIdentity {
  /** Authenticated principal; undefined when anonymous. */
  principal: string | undefined;
  security: Security;
}

const IDENTITIES_KEY = Symbol.for("plateau.requestIdentities");
const PROCESS_KEY = Symbol.for("plateau.processSecurity");
const OPEN = new Security();

function identities(): WeakMap<object, RequestIdentity> {
  const g = globalThis as Record<symbol, unknown>;
  let map = g[IDENTITIES_KEY] as WeakMap<object, RequestIdentity> | undefined;
  if (!map) g[IDENTITIES_KEY] = map = new WeakMap();
  return map;
}

export function setRequestIdentity(req: object, identity: RequestIdentity): void {
  identities().set(req, identity);
}

export function requestIdentity(req: object): RequestIdentity {
  return identities().get(req) ?? { principal: undefined, security: processSecurity() };
}

/** The name the timeline records: the authenticated principal or "anonymous". */
export function principalName(req: object): string {
  return requestIdentity(req).principal ?? ANONYMOUS;
}

function activeSecurities(): Security[] {
  const g = globalThis as Record<symbol, unknown>;
  let list = g[PROCESS_KEY] as Security[] | undefined;
  if (!list) g[PROCESS_KEY] = list = [];
  return list;
}

/**
 * The security of this process's master server, for code that has no request at hand (the
 * dashboard's server components, the files proxy). A process normally serves one master; tests
 * may serve several, and the most recently started one still running wins.
 */
export function addProcessSecurity(security: Security): () => void {
  activeSecurities().push(security);
  return () => {
    const list = activeSecurities();
    const i = list.lastIndexOf(security);
    if (i >= 0) list.splice(i, 1);
  };
}

export function processSecurity(): Security {
  return activeSecurities().at(-1) ?? OPEN;
}
