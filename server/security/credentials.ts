// Credentials in Mesos's formats. The master's --credentials file (and the agent's
// --http_credentials) is JSON `{"credentials": [{"principal": "p", "secret": "s"}, ...]}` or text
// with one `principal secret` pair per line; an agent's --credential (what it presents to the
// master) is one JSON `{"principal": "p", "secret": "s"}` or one `principal secret` line. Flag
// values may be a path or a `file://` URL, as in Mesos.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { safeEqual } from "./token";

export interface Credential {
  principal: string;
  secret: string;
}

export class CredentialsError extends Error {}

export function readFlagFile(value: string, flag: string): string {
  const file = value.startsWith("file://") ? fileURLToPath(value) : value;
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new CredentialsError(`Failed to load flag '${flag}': cannot read ${file}: ${(err as Error).message}`);
  }
}

function checkCredential(raw: unknown, where: string): Credential {
  if (typeof raw !== "object" || raw === null) throw new CredentialsError(`${where}: expected {"principal", "secret"}`);
  const { principal, secret } = raw as { principal?: unknown; secret?: unknown };
  if (typeof principal !== "string" || principal === "") throw new CredentialsError(`${where}: 'principal' must be a non-empty string`);
  if (typeof secret !== "string" || secret === "") throw new CredentialsError(`${where}: 'secret' must be a non-empty string (there are no default or empty passwords)`);
  if (principal.includes(":")) throw new CredentialsError(`${where}: a principal cannot contain ':' (HTTP Basic separates it from the secret)`);
  return { principal, secret };
}

function textPairs(text: string): Credential[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((line, i) => {
      const [principal, secret, ...rest] = line.split(/\s+/);
      if (rest.length > 0 || !secret) throw new CredentialsError(`line ${i + 1}: expected 'principal secret'`);
      return checkCredential({ principal, secret }, `line ${i + 1}`);
    });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CredentialsError(`Invalid JSON: ${(err as Error).message}`);
  }
}

/** The master's credentials list. Duplicated principals and empty lists are refused. */
export function parseCredentials(text: string): Credential[] {
  const trimmed = text.trim();
  let list: Credential[];
  if (trimmed.startsWith("{")) {
    const creds = (parseJson(trimmed) as { credentials?: unknown }).credentials;
    if (!Array.isArray(creds)) throw new CredentialsError("Expected {\"credentials\": [{\"principal\": …, \"secret\": …}, …]}");
    list = creds.map((c, i) => checkCredential(c, `credentials[${i}]`));
  } else {
    list = textPairs(trimmed);
  }
  if (list.length === 0) throw new CredentialsError("No credentials given");
  const seen = new Set<string>();
  for (const c of list) {
    if (seen.has(c.principal)) throw new CredentialsError(`Principal '${c.principal}' is listed twice`);
    seen.add(c.principal);
  }
  return list;
}

/** One credential (an agent's --credential). */
export function parseCredential(text: string): Credential {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    return checkCredential(parseJson(trimmed), "credential");
  }
  const pairs = textPairs(trimmed);
  if (pairs.length !== 1) throw new CredentialsError("Expected exactly one 'principal secret' pair");
  return pairs[0]!;
}

/** Principal → secret, checked in constant time per candidate. */
export class CredentialStore {
  private readonly secrets = new Map<string, string>();

  constructor(list: Credential[]) {
    for (const c of list) this.secrets.set(c.principal, c.secret);
  }

  get size(): number {
    return this.secrets.size;
  }

  has(principal: string): boolean {
    return this.secrets.has(principal);
  }

  verify(principal: string, secret: string): boolean {
    const expected = this.secrets.get(principal);
    // Compare against something even for unknown principals, so timing does not tell them apart.
    const ok = safeEqual(secret, expected ?? "\u0000unknown-principal\u0000");
    return expected !== undefined && ok;
  }
}

/** `Authorization: Basic …` value for a credential. */
export function basicAuthorization(c: Credential): string {
  return `Basic ${Buffer.from(`${c.principal}:${c.secret}`, "utf8").toString("base64")}`;
}
