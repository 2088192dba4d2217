// String-building helpers for the state renderers. Every fragment produced here is ASCII-only
// JSON (non-ASCII escaped as \uXXXX, like toWireJson), so its byte length equals its length and
// fragments can be concatenated and written as latin1 without re-encoding.
import { toWireJson } from "../../../protocol/json";

/** A JSON value as wire text. */
export const j = toWireJson;

const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;

/** A JSON string literal (fast path for the common plain-ASCII text). */
export function str(s: string): string {
  return NEEDS_ESCAPE.test(s) ? j(s) : `"${s}"`;
}

/** A JSON number (non-finite numbers have no JSON form: null, as JSON.stringify writes). */
export function num(n: number): string {
  return Number.isFinite(n) ? String(n) : "null";
}

/** Labels as a JSON array of `{key, value?}`. */
export function labelsArray(labels: readonly { key: string; value?: string }[]): string {
  let out = "[";
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (i > 0) out += ",";
    out += l.value === undefined ? `{"key":${str(l.key)}}` : `{"key":${str(l.key)},"value":${str(l.value)}}`;
  }
  return out + "]";
}

/** An object of numbers and strings (e.g. a resource summary) as JSON, keys in order. */
export function flatObject(o: Readonly<Record<string, number | string>>): string {
  let out = "{";
  let first = true;
  for (const key in o) {
    const v = o[key]!;
    out += `${first ? "" : ","}${str(key)}:${typeof v === "number" ? num(v) : str(v)}`;
    first = false;
  }
  return out + "}";
}

/** `{"value":"<id>"}` */
export function idJson(value: string): string {
  return `{"value":${str(value)}}`;
}

/** ms since epoch → Mesos seconds (double). */
export function secs(ms: number): number {
  return ms / 1000;
}

/** ms since epoch → `{"nanoseconds":…}` (TimeInfo). */
export function timeInfo(ms: number): string {
  return `{"nanoseconds":${Math.round(ms * 1e6)}}`;
}

/** `,"key":<json>` when value is defined, else "". */
export function optField(key: string, value: unknown): string {
  return value === undefined ? "" : `,"${key}":${j(value)}`;
}

/** Joins pre-rendered JSON values into an array text. */
export function arrayOf(values: readonly string[]): string {
  return `[${values.join(",")}]`;
}

/**
 * Returns `s` as a flat (sequential) string. Strings built by concatenation are trees of parts
 * in V8; a cached fragment is read many times, so it is flattened once (converting a string to
 * a number flattens it in place).
 */
export function flat(s: string): string {
  void Number(s);
  return s;
}
