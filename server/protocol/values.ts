// Lenient primitives for parsing Mesos v1 JSON, following stout's JSON→protobuf rules:
// 64-bit integers and doubles may arrive as JSON strings, booleans as "true"/"false",
// doubles may be "Infinity"/"-Infinity"; an unknown name in an optional enum is dropped.
import { z } from "zod";

function numberLike(v: unknown): unknown {
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v.trim());
    return Number.isNaN(n) ? v : n;
  }
  return v;
}

function boolLike(v: unknown): unknown {
  if (v === "true") return true;
  if (v === "false") return false;
  return v;
}

/** A double; ±Infinity allowed (used by `limits`), NaN refused. */
export const double = z.preprocess(
  numberLike,
  z.custom<number>((v) => typeof v === "number" && !Number.isNaN(v), { message: "Expected a number" }),
);
/** A (64-bit) integer. Precision beyond 2^53 is not preserved. */
export const int64 = z.preprocess(numberLike, z.number().int());
export const uint64 = z.preprocess(numberLike, z.number().int().nonnegative());
export const uint32 = z.preprocess(numberLike, z.number().int().nonnegative().max(0xffffffff));
export const bool = z.preprocess(boolLike, z.boolean());

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Protobuf `bytes`: standard base64 with padding. */
export const bytes = z.string().regex(BASE64, { message: "Expected base64-encoded bytes" });

/** A required enum: unknown names are an error. */
export function requiredEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values);
}

/** An optional enum: unknown names are silently dropped (the field becomes unset). */
export function optionalEnum<const T extends readonly [string, ...string[]]>(values: T) {
  const set = new Set<string>(values);
  return z.preprocess((v) => (typeof v === "string" && set.has(v) ? v : undefined), z.enum(values).optional());
}

/** `{"value": "<string>"}` — every Mesos *ID type. */
export const Id = z.object({ value: z.string() });
export type Id = z.infer<typeof Id>;

/** `{"nanoseconds": int64}` — TimeInfo and DurationInfo. */
export const Nanos = z.object({ nanoseconds: int64 });
export type Nanos = z.infer<typeof Nanos>;

export const Label = z.object({ key: z.string(), value: z.string().optional() });
export const Labels = z.object({ labels: z.array(Label).optional() });
export type Labels = z.infer<typeof Labels>;

/** Loosely-typed sub-message we keep and echo but do not interpret. */
export const Opaque = z.record(z.string(), z.unknown());

/** Mesos ID validation (common/validation.cpp): non-empty, ≤ 255 chars, not `.`/`..`,
 *  no control characters, no `/` or `\`. Returns an error message or null. */
export function validateIdString(id: string): string | null {
  if (id.length === 0) return "ID must not be empty";
  if (id.length > 255) return "ID must not be greater than 255 characters";
  if (id === "." || id === "..") return "'.' and '..' are disallowed";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(id)) return "'/', '\\' and control characters are disallowed";
  return null;
}
