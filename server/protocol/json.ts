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
 * Checks the nesting depth of a JSON text without parsing it (strings are skipped correctly),
 * so that `JSON.parse` never sees a document deeper than `maxDepth`.
 */
export function checkJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) throw new JsonInputError(`JSON nesting exceeds the maximum depth of ${maxDepth}`);
    } else if (c === 125 || c === 93) depth--;
  }
}

/**
 * Recursively removes object keys (and array elements) whose value is null (Mesos treats null as
 * absent). In place: meant for what JSON.parse just returned — copying every object of a large
 * message (an agent re-registering with its tasks) only fed the garbage collector.
 */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) {
    let nulls = 0;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v === null) nulls++;
      else if (typeof v === "object") dropNulls(v);
    }
    if (nulls > 0) {
      let w = 0;
      for (let i = 0; i < value.length; i++) if (value[i] !== null) value[w++] = value[i];
      value.length = w;
    }
    return value;
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const k in record) {
      const v = record[k];
      if (v === null) delete record[k];
      else if (typeof v === "object") dropNulls(v);
    }
  }
  return value;
}

/** Parses an API request body: depth-limited, nulls dropped. Throws JsonInputError. */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  checkJsonDepth(text, maxDepth);
  try {
    return dropNulls(JSON.parse(text));
  } catch (err) {
    throw new JsonInputError((err as Error).message);
  }
}
