// Text forms of agent resources and attributes (agent-executor.md §4.1).
//   resources:  "cpus:4;mem:1024.5;ports:[31000-32000,33000-33100];disks:{a,b};cpus(eng):2"
//               or a JSON array of Resource objects (either reservation format)
//   attributes: "rack:r12;zone:us-east-1a;ssd:1" (';' or newline separated)
// Spaces inside values are removed (as Mesos's value parser does); names and roles are trimmed.
import { z } from "zod";
import { parseJsonBody } from "../protocol/json";
import { Resource, type Attribute } from "../protocol/mesos";
import { normalizeResource } from "./format";
import { itemsOf, toWireList } from "./list";
import { validateRole } from "./roles";
import { validateResource } from "./validate";

export class ResourcesParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResourcesParseError";
  }
}

type ParsedValue =
  | { type: "SCALAR"; value: number; text: string }
  | { type: "RANGES"; ranges: { begin: number; end: number }[] }
  | { type: "SET"; items: string[] }
  | { type: "TEXT"; value: string };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const RANGE = /^(\d+)-(\d+)$/;

/**
 * Parses one value: "[b-e,...]" ranges, "{a,...}" set, a number (scalar) or else text.
 * `what` names the thing for error messages. Throws on malformed ranges / sets.
 */
function parseValue(raw: string, what: string): ParsedValue {
  const text = raw.replace(/\s+/g, "");
  const bad = (why?: string) => new ResourcesParseError(`Bad value for ${what}: '${raw.trim()}'${why ? ` (${why})` : ""}`);
  if (text.startsWith("[")) {
    if (!text.endsWith("]")) throw bad("missing ']'");
    const inner = text.slice(1, -1);
    const ranges = inner === "" ? [] : inner.split(",").map((part) => parseRange(part, bad));
    const sorted = [...ranges].sort((a, b) => a.begin - b.begin);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.begin <= sorted[i - 1]!.end) throw bad("overlapping ranges");
    }
    return { type: "RANGES", ranges };
  }
  if (text.startsWith("{")) {
    if (!text.endsWith("}")) throw bad("missing '}'");
    const items = text.slice(1, -1).split(",").filter((s) => s !== "");
    if (new Set(items).size !== items.length) throw bad("duplicate set items");
    return { type: "SET", items };
  }
  if (NUMBER.test(text)) return { type: "SCALAR", value: Number(text), text };
  return { type: "TEXT", value: text };
}

function parseRange(part: string, bad: (why?: string) => Error): { begin: number; end: number } {
  const m = RANGE.exec(part);
  if (!m) throw bad(`malformed range '${part}'`);
  const begin = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end)) throw bad("range bound too large");
  if (begin > end) throw bad(`range begin > end in '${part}'`);
  return { begin, end };
}

/** Splits "name(role)" into its parts; the role defaults to `defaultRole`. */
function parseHead(head: string, token: string, defaultRole: string): { name: string; role: string } {
  const open = head.indexOf("(");
  if (open < 0) {
    if (head.includes(")")) throw new ResourcesParseError(`Bad resource '${token}': mismatched parentheses`);
    return { name: head.trim(), role: defaultRole };
  }
  const close = head.indexOf(")");
  if (close < open || head.slice(close + 1).trim() !== "" || head.indexOf("(", open + 1) >= 0) {
    throw new ResourcesParseError(`Bad resource '${token}': mismatched parentheses`);
  }
  return { name: head.slice(0, open).trim(), role: head.slice(open + 1, close).trim() };
}

function parseTextEntry(token: string, defaultRole: string): Resource {
  const colon = token.indexOf(":");
  if (colon < 0 || token.indexOf(":", colon + 1) >= 0) {
    throw new ResourcesParseError(`Bad resource '${token}': expected 'name[(role)]:value'`);
  }
  const { name, role } = parseHead(token.slice(0, colon), token, defaultRole);
  if (name === "") throw new ResourcesParseError(`Bad resource '${token}': empty resource name`);
  const roleError = validateRole(role);
  if (roleError !== null) throw new ResourcesParseError(`Bad role for resource '${name}': ${roleError}`);
  const valueText = token.slice(colon + 1);
  const value = parseValue(valueText, `resource '${name}'`);
  const resource: Resource = { name, type: "SCALAR" };
  switch (value.type) {
    case "SCALAR":
      if (!Number.isFinite(value.value)) throw bad(name, valueText, "scalar must be finite");
      if (value.value < 0) throw bad(name, valueText, "scalar must not be negative");
      resource.scalar = { value: value.value };
      break;
    case "RANGES":
      resource.type = "RANGES";
      resource.ranges = { range: value.ranges };
      break;
    case "SET":
      resource.type = "SET";
      resource.set = { item: value.items };
      break;
    case "TEXT":
      throw bad(name, valueText);
  }
  if (role !== "*") resource.reservations = [{ type: "STATIC", role }];
  return resource;
}

function bad(name: string, valueText: string, why?: string): ResourcesParseError {
  return new ResourcesParseError(`Bad value for resource '${name}': '${valueText.trim()}'${why ? ` (${why})` : ""}`);
}

function parseJsonResources(text: string, defaultRole: string): Resource[] {
  let json: unknown;
  try {
    json = parseJsonBody(text);
  } catch (err) {
    throw new ResourcesParseError(`Bad JSON resources: ${(err as Error).message}`);
  }
  const result = z.array(Resource).safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new ResourcesParseError(`Bad JSON resources${where}: ${issue?.message ?? "invalid"}`);
  }
  return result.data.map((r) => {
    const unassigned = r.role === undefined && r.reservation === undefined && (r.reservations ?? []).length === 0;
    const withRole = unassigned && defaultRole !== "*" ? { ...r, role: defaultRole } : r;
    const error = validateResource(withRole);
    if (error !== null) throw new ResourcesParseError(`Invalid resource '${r.name}': ${error}`);
    return normalizeResource(withRole);
  });
}

/**
 * Validated, normalized (refined-format) resources in input order, not yet merged.
 * Throws ResourcesParseError.
 */
export function parseResourceList(text: string, defaultRole = "*"): Resource[] {
  const roleError = validateRole(defaultRole);
  if (roleError !== null) throw new ResourcesParseError(`Bad default role: ${roleError}`);
  if (text.trimStart().startsWith("[")) return parseJsonResources(text, defaultRole);
  const out: Resource[] = [];
  for (const raw of text.split(";")) {
    const token = raw.trim();
    if (token === "") continue;
    out.push(parseTextEntry(token, defaultRole));
  }
  return out;
}

/**
 * Parses the agent `--resources` text (or JSON array). Entries with the same name, role and
 * type are merged (scalars add, ranges/sets union); empty values are dropped. The result is in
 * the refined format with scalars rounded to 3 decimals. Throws ResourcesParseError.
 */
export function parseResources(text: string, defaultRole = "*"): Resource[] {
  return toWireList(itemsOf(parseResourceList(text, defaultRole)));
}

/** Parses the agent `--attributes` text. Throws ResourcesParseError. */
export function parseAttributes(text: string): Attribute[] {
  const out: Attribute[] = [];
  for (const raw of text.split(/[;\n]/)) {
    const token = raw.trim();
    if (token === "") continue;
    const colon = token.indexOf(":");
    const name = colon < 0 ? "" : token.slice(0, colon).trim();
    const valueText = colon < 0 ? "" : token.slice(colon + 1);
    if (name === "" || valueText.trim() === "") {
      throw new ResourcesParseError(`Invalid attribute key:value pair '${token}'`);
    }
    out.push(attributeOf(name, parseValue(valueText, `attribute '${name}'`)));
  }
  return out;
}

function attributeOf(name: string, value: ParsedValue): Attribute {
  switch (value.type) {
    case "RANGES":
      return { name, type: "RANGES", ranges: { range: value.ranges } };
    case "SET":
      throw new ResourcesParseError(`Bad value for attribute '${name}': SET values are not allowed`);
    case "SCALAR":
      if (Number.isFinite(value.value) && value.value >= 0) return { name, type: "SCALAR", scalar: { value: value.value } };
      return { name, type: "TEXT", text: { value: value.text } };
    case "TEXT":
      return { name, type: "TEXT", text: { value: value.value } };
  }
}
