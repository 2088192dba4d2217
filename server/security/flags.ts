// Security flags shared by `plateau master` and `plateau agent`, and the default posture: a
// process binds loopback unless --ip says otherwise, and refuses to serve a non-loopback address
// without credentials unless --insecure is given (then it says so loudly).
import type { FlagSpecs, FlagValue } from "../cli/flags";
import { FlagError } from "../cli/flags";
import { AclError, parseAcls } from "./acls";
import { CredentialsError, parseCredential, parseCredentials, readFlagFile } from "./credentials";
import { Security } from "./security";

export const MASTER_SECURITY_FLAGS: FlagSpecs = {
  credentials: {
    type: "string",
    placeholder: "file",
    help: "Path (or file:// URL) of the principals allowed in: Mesos's JSON\n{\"credentials\":[{\"principal\":\"p\",\"secret\":\"s\"}]} or 'principal secret' lines. With it every\nMesos API, tRPC call and dashboard page needs HTTP Basic, a bearer token or a dashboard session;\nagents must present one of these credentials (agent --credential).",
  },
  acls: {
    type: "string",
    placeholder: "file",
    help: "Path (or file:// URL) of the ACLs (Mesos local-authorizer JSON: ordered rules per action,\nfirst match wins, 'permissive' when none matches). Default: everything is allowed.",
  },
  jwt_secret_key: {
    type: "string",
    placeholder: "file",
    help: "File holding the key that signs bearer tokens and dashboard sessions (share it between the\nmasters of a cluster). Default: a random key per process (sessions end with the process).",
  },
  agent_http_credential: {
    type: "string",
    placeholder: "file",
    help: "Credential (JSON {\"principal\",\"secret\"} or 'principal secret') the master presents to agents\nstarted with --http_credentials when it proxies their sandbox files.",
  },
  session_timeout: { type: "duration", default: "8hrs", help: "Plateau extension: lifetime of a dashboard login session." },
  insecure: {
    type: "bool",
    default: false,
    help: "Serve a non-loopback --ip without --credentials. Everyone who can reach the port can do\neverything; the log and every dashboard page say so.",
  },
};

export function isLoopback(ip: string): boolean {
  return ip === "localhost" || ip === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) || /^::ffff:127\./i.test(ip);
}

function load<T>(flag: string, value: FlagValue, parse: (text: string) => T): T | undefined {
  if (value === undefined || value === "") return undefined;
  try {
    return parse(readFlagFile(String(value), flag));
  } catch (err) {
    if (err instanceof CredentialsError && err.message.startsWith("Failed to load flag")) throw new FlagError(err.message);
    if (err instanceof CredentialsError || err instanceof AclError || err instanceof SyntaxError) throw new FlagError(`Failed to load flag '${flag}': ${err.message}`);
    throw err;
  }
}

/**
 * The master's Security from its flags. Throws FlagError for unreadable/invalid files and for a
 * non-loopback --ip without credentials (unless --insecure).
 */
export function masterSecurityFromFlags(values: Record<string, FlagValue>, warn: (line: string) => void): Security {
  const credentials = load("credentials", values.credentials, parseCredentials);
  const acls = load("acls", values.acls, (text) => parseAcls(JSON.parse(text)));
  const key = load("jwt_secret_key", values.jwt_secret_key, (text) => {
    const k = Buffer.from(text.trim(), "utf8");
    if (k.length < 32) throw new CredentialsError("the key must be at least 32 bytes");
    return k;
  });
  const agentCredential = load("agent_http_credential", values.agent_http_credential, parseCredential);
  const ip = String(values.ip ?? "127.0.0.1");
  const insecure = values.insecure === true;
  checkPosture(ip, credentials !== undefined, insecure, "--credentials", warn);
  return new Security({ credentials, acls, tokenKey: key, insecure: insecure && !isLoopback(ip) && !credentials, sessionTtlMs: values.session_timeout as number | undefined, agentCredential });
}

/** Refuses (FlagError) or warns about serving a non-loopback address without credentials. */
export function checkPosture(ip: string, hasCredentials: boolean, insecure: boolean, credentialFlag: string, warn: (line: string) => void): void {
  if (isLoopback(ip) || hasCredentials) return;
  if (!insecure) {
    const remedy = credentialFlag.startsWith("--") ? `Configure ${credentialFlag}=<file>, or pass --insecure to accept this explicitly.` : "Pass --insecure to accept this explicitly.";
    throw new FlagError(`Refusing to listen on non-loopback address ${ip} without ${credentialFlag}: anyone who can reach it could control the cluster. ${remedy}`);
  }
  const line = `WARNING: INSECURE: listening on ${ip} with no authentication (--insecure). Anyone who can reach this port can control the cluster.`;
  warn("*".repeat(line.length));
  warn(line);
  warn("*".repeat(line.length));
}
