// The log viewer's window onto a file: a contiguous byte range [start, end) split into lines,
// each with the byte offset it starts at (for permalinks to exact byte ranges). Grows at the end
// while following, at the start when loading earlier bytes, and is trimmed to a maximum size
// from the side away from the reader. Pure; text arrives decoded on character boundaries.

export interface LogWindow {
  start: number;
  end: number;
  /** lines[i] starts at byte lineStarts[i]; the last line may be partial (no newline yet). */
  lines: string[];
  lineStarts: number[];
}

/** UTF-8 length of a string without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export const emptyWindow = (at = 0): LogWindow => ({ start: at, end: at, lines: [], lineStarts: [] });

export function fromChunk(offset: number, text: string): LogWindow {
  return appendChunk(emptyWindow(offset), offset, text);
}

/** Appends text that starts at byte `offset` (must be the window's end, else the window restarts there). */
export function appendChunk(w: LogWindow, offset: number, text: string): LogWindow {
  if (offset !== w.end) return fromChunk(offset, text);
  if (text === "") return w;
  const parts = text.split("\n");
  const lines = w.lines.slice();
  const starts = w.lineStarts.slice();
  let pos = offset;
  const lastOpen = lines.length > 0 && !endsLine(w);
  parts.forEach((part, i) => {
    if (i === 0 && lastOpen) lines[lines.length - 1] += part;
    else if (i < parts.length - 1 || part !== "") {
      lines.push(part);
      starts.push(pos);
    }
    pos += utf8Length(part) + (i < parts.length - 1 ? 1 : 0);
  });
  // A chunk ending in "\n" closes its last line; remember that by the end offset alone.
  return { start: w.start, end: offset + utf8Length(text), lines, lineStarts: starts };
}

/** True when the window's last line is complete (the byte before `end` is a newline). */
function endsLine(w: LogWindow): boolean {
  if (w.lines.length === 0) return true;
  const last = w.lines.length - 1;
  return w.lineStarts[last]! + utf8Length(w.lines[last]!) < w.end;
}

/** Prepends text that ends exactly at the window's start. */
export function prependChunk(w: LogWindow, text: string): LogWindow {
  const offset = w.start - utf8Length(text);
  if (offset < 0) throw new Error("chunk longer than the bytes before the window");
  const before = fromChunk(offset, text);
  if (w.lines.length === 0) return { ...before, end: w.end };
  const joined = before.lines.length > 0 && !endsLine(before);
  const lines = joined ? [...before.lines.slice(0, -1), before.lines.at(-1)! + w.lines[0]!, ...w.lines.slice(1)] : [...before.lines, ...w.lines];
  const lineStarts = joined ? [...before.lineStarts, ...w.lineStarts.slice(1)] : [...before.lineStarts, ...w.lineStarts];
  return { start: offset, end: w.end, lines, lineStarts };
}

/** Drops whole lines from one side until the window holds at most `maxBytes` (never its last line). */
export function trimWindow(w: LogWindow, maxBytes: number, from: "start" | "end"): LogWindow {
  if (w.end - w.start <= maxBytes || w.lines.length <= 1) return w;
  if (from === "start") {
    let i = 0;
    while (i < w.lines.length - 1 && w.end - w.lineStarts[i + 1]! > maxBytes) i++;
    i++;
    return { start: w.lineStarts[i]!, end: w.end, lines: w.lines.slice(i), lineStarts: w.lineStarts.slice(i) };
  }
  let n = w.lines.length;
  while (n > 1 && w.lineStarts[n - 1]! - w.start > maxBytes) n--;
  n--;
  return { start: w.start, end: w.lineStarts[n]!, lines: w.lines.slice(0, n), lineStarts: w.lineStarts.slice(0, n) };
}

/** Indexes of lines containing `query` (case-insensitive unless asked). */
export function findMatches(lines: readonly string[], query: string, caseSensitive = false): number[] {
  if (!query) return [];
  const q = caseSensitive ? query : query.toLowerCase();
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) if ((caseSensitive ? lines[i]! : lines[i]!.toLowerCase()).includes(q)) out.push(i);
  return out;
}

/** The next (or previous) match after `current`, wrapping around; -1 without matches. */
export function stepMatch(matches: readonly number[], current: number, direction: 1 | -1): number {
  if (matches.length === 0) return -1;
  if (direction === 1) return matches.find((m) => m > current) ?? matches[0]!;
  for (let i = matches.length - 1; i >= 0; i--) if (matches[i]! < current) return matches[i]!;
  return matches[matches.length - 1]!;
}

/** Byte range [from, to) of lines first..last (inclusive), for permalinks. */
export function lineRange(w: LogWindow, first: number, last: number): { offset: number; length: number } {
  const from = w.lineStarts[first] ?? w.start;
  const to = last + 1 < w.lines.length ? w.lineStarts[last + 1]! : w.end;
  return { offset: from, length: Math.max(0, to - from) };
}
