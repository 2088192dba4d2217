// Mesos-style command-line flags: `--name=value`, `--name value`, `--name` (true), `--no-name`
// (false). Each flag is declared with a type, a default and help text; unknown flags and bad values
// are errors with a message naming the flag. A flag may also come from the environment as
// PLATEAU_<NAME> (upper case), as Mesos reads MESOS_<NAME>.

export type FlagType = "string" | "int" | "number" | "bool" | "duration" | "bytes";

export interface FlagSpec {
  type: FlagType;
  help: string;
  default?: string | number | boolean;
  /** Shown in --help for flags without a default. */
  placeholder?: string;
  aliases?: string[];
}

export type FlagSpecs = Record<string, FlagSpec>;

export type FlagValue = string | number | boolean | undefined;

export class FlagError extends Error {}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6, nsecs: 1e-6, us: 1e-3, usecs: 1e-3, ms: 1, msecs: 1,
  s: 1000, sec: 1000, secs: 1000, m: 60_000, min: 60_000, mins: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, d: 86_400_000, days: 86_400_000, w: 604_800_000, weeks: 604_800_000,
};

/** Parses a Mesos duration ("15secs", "1min", "500ms", "2.5hrs") into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  if (!m) throw new FlagError(`Invalid duration '${text}' (expected e.g. 15secs, 500ms, 1mins)`);
  const unit = DURATION_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) throw new FlagError(`Unknown duration unit in '${text}'`);
  return Number(m[1]) * unit;
}

/** Formats milliseconds the way Mesos prints durations in /flags ("15secs", "1mins"). */
export function formatDuration(ms: number): string {
  if (ms % 604_800_000 === 0 && ms > 0) return `${ms / 604_800_000}weeks`;
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}days`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}hrs`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}mins`;
  if (ms >= 1000) return `${ms / 1000}secs`;
  return `${ms}ms`;
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

export function parseBytes(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) throw new FlagError(`Invalid byte size '${text}' (expected e.g. 64MB)`);
  const unit = BYTE_UNITS[(m[2] || "b").toLowerCase()];
  if (unit === undefined) throw new FlagError(`Unknown byte unit in '${text}'`);
  return Math.round(Number(m[1]) * unit);
}

function convert(name: string, spec: FlagSpec, raw: string | boolean): FlagValue {
  if (spec.type === "bool") {
    if (typeof raw === "boolean") return raw;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    throw new FlagError(`Failed to load flag '${name}': expected true or false, got '${raw}'`);
  }
  if (typeof raw === "boolean") throw new FlagError(`Failed to load flag '${name}': missing value`);
  try {
    switch (spec.type) {
      case "string":
        return raw;
      case "int": {
        if (!/^-?\d+$/.test(raw)) throw new FlagError(`expected an integer, got '${raw}'`);
        return Number(raw);
      }
      case "number": {
        const n = Number(raw);
        if (raw.trim() === "" || Number.isNaN(n)) throw new FlagError(`expected a number, got '${raw}'`);
        return n;
      }
      case "duration":
        return parseDuration(raw);
      case "bytes":
        return parseBytes(raw);
    }
  } catch (err) {
    throw new FlagError(`Failed to load flag '${name}': ${(err as Error).message}`);
  }
}

export interface ParsedFlags {
  values: Record<string, FlagValue>;
  /** Flags the user set explicitly (for GET_FLAGS / --help display). */
  explicit: Set<string>;
  positional: string[];
  help: boolean;
}

export function parseFlags(argv: string[], specs: FlagSpecs, env: Record<string, string | undefined> = process.env): ParsedFlags {
  const byName = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    byName.set(name, name);
    for (const alias of spec.aliases ?? []) byName.set(alias, name);
  }
  const values: Record<string, FlagValue> = {};
  const explicit = new Set<string>();
  const positional: string[] = [];
  let help = false;

  for (const [name, spec] of Object.entries(specs)) {
    const envValue = env[`PLATEAU_${name.toUpperCase()}`];
    if (envValue !== undefined) {
      values[name] = convert(name, spec, envValue);
      explicit.add(name);
    } else if (spec.default !== undefined) {
      values[name] = spec.type === "duration" && typeof spec.default === "string" ? parseDuration(spec.default) : spec.default;
    }
  }

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    let key = (eq >= 0 ? arg.slice(2, eq) : arg.slice(2)).replace(/-/g, "_");
    let raw: string | boolean | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let canonical = byName.get(key);
    if (!canonical && key.startsWith("no_") && eq < 0) {
      canonical = byName.get(key.slice(3));
      if (canonical && specs[canonical]!.type === "bool") raw = false;
      else canonical = undefined;
    }
    if (!canonical) throw new FlagError(`Failed to load unknown flag '${key}'`);
    const spec = specs[canonical]!;
    if (raw === undefined) {
      if (spec.type === "bool") raw = true;
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("--")) throw new FlagError(`Failed to load flag '${key}': missing value`);
        raw = next;
        i++;
      }
    }
    key = canonical;
    values[key] = convert(key, spec, raw);
    explicit.add(key);
  }
  return { values, explicit, positional, help };
}

/** Renders `--help` text: one entry per flag with its type, default and description. */
export function renderHelp(usage: string, specs: FlagSpecs): string {
  const lines = [usage, "", "Flags:"];
  for (const [name, spec] of Object.entries(specs).sort(([a], [b]) => a.localeCompare(b))) {
    const value = spec.type === "bool" ? "" : `=<${spec.placeholder ?? spec.type}>`;
    const def = spec.default !== undefined ? ` (default: ${String(spec.default)})` : "";
    lines.push(`  --${name}${value}${def}`);
    for (const line of spec.help.split("\n")) lines.push(`      ${line}`);
  }
  lines.push("", "Any flag may also be set through the environment as PLATEAU_<FLAG_NAME>.");
  return lines.join("\n");
}

/** Flag values rendered as strings the way Mesos's GET_FLAGS / /flags report them. */
export function flagsForDisplay(specs: FlagSpecs, values: Record<string, FlagValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const v = values[name];
    if (v === undefined) continue;
    out[name] = spec.type === "duration" && typeof v === "number" ? formatDuration(v) : String(v);
  }
  return out;
}
