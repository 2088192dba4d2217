// String-building helpers for the state renderers. Every fragment produced here is ASCII-only
// JSON (non-ASCII escaped as \uXXXX, like toWireJson), so its byte length equals its length and
// fragments can be concatenated and written as latin1 without re-encoding.
import { toWireJson } from "../../../protocol/json";

/** A JSON value as wire text. */
export const j = toWireJson;

/** `{"value":"<id>"}` */
export function idJson(value: string): string {
  return `{"value":${j(value)}}`;
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
