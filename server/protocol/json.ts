// JSON in and out of the Mesos HTTP APIs.
//
// Output contract: one line, no insignificant whitespace, every non-ASCII code unit written as
// \uXXXX (what Mesos's stout JSON writer does), so a record is pure ASCII and its byte length
// equals its string length.
// Input contract: a bounded nesting depth (hostile bodies cannot exhaust the stack), `null` means
// "absent" (keys holding null are dropped before validation).

const NON_ASCII = /[\u007f-\uffff]/g;

function escapeNonAscii(json: string): string {
  return json.replace(NON_ASCII, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** Serialise for the wire: ASCII-only JSON on one line. */
export function toWireJson(value: unknown): string {
  return escapeNonAscii(JSON.stringify(value));
}

export const MAX_JSON_DEPTH = 200;

export class JsonInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonInputError";
  }
}

/**
 * Removes, in place, object keys (and array elements) whose value is null (Mesos treats null as
 * absent), and throws JsonInputError if the value nests deeper than `maxDepth`. Meant for what
 * JSON.parse just returned: V8's JSON.parse is iterative (a hostile 10⁶-deep document parses
 * without exhausting the stack), and this walk stops at `maxDepth`, so nothing recursive after it
 * (validation, rendering) ever sees a deeper document. One walk does both: copying every object
 * of a large message (an agent re-registering with its tasks), or scanning its text separately
 * for depth, only fed the garbage collector and the CPU.
 */
export function dropNulls(value: unknown, maxDepth = MAX_JSON_DEPTH, depth = 0): unknown {
  if (value === null || typeof value !== "object") return value;
  if (++depth > maxDepth) throw new JsonInputError(`JSON nesting exceeds the maximum depth of ${maxDepth}`);
  if (Array.isArray(value)) {
    let nulls = 0;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v === null) nulls++;
      else if (typeof v === "object") dropNulls(v, maxDepth, depth);
    }
    if (nulls > 0) {
      let w = 0;
      for (let i = 0; i < value.length; i++) if (value[i] !== null) value[w++] = value[i];
      value.length = w;
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const k in record) {
    const v = record[k];
    if (v === null) delete record[k];
    else if (typeof v === "object") dropNulls(v, maxDepth, depth);
  }
  return value;
}

/** Parses an API request body: depth-limited, nulls dropped. Throws JsonInputError. */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JsonInputError((err as Error).message);
  }
  return dropNulls(value, maxDepth);
}

/**
 * Whether two JSON values are equal as JSON (object key order does not matter; a key holding
 * `undefined` counts as absent, as in JSON.stringify). Cheaper than comparing two serialisations.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    keys++;
    if (!sameJson(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) keys--;
  return keys === 0;
}
