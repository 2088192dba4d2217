"use client";
// The log viewer: shows a byte window of a sandbox file, follows it as it grows through a tRPC
// subscription that tails the file on the master (no page polling), pauses while the reader is
// scrolled up, jumps to head/tail, loads earlier bytes, searches with next/previous, wraps lines,
// downloads, and links to an exact byte range. Log contents are rendered as text, never HTML.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC, useTRPCClient } from "../../../trpc/client";
import { appendChunk, emptyWindow, findMatches, fromChunk, lineRange, prependChunk, stepMatch, trimWindow, type LogWindow } from "../../../lib/log-buffer";
import { formatBytes, taskHref } from "../../../format";
import { errorText } from "../../../components/confirm";
import { useMasterBase } from "../../../lib/masters";

const CHUNK = 64 * 1024;
const MAX_WINDOW = 2 * 1024 * 1024;
type Mode = "follow" | "paused" | "static";

function Marked({ text, query }: { text: string; query: string }) {
  if (!query) return <>{text}</>;
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, at)) {
    parts.push(text.slice(at, i), <mark key={i}>{text.slice(i, i + q.length)}</mark>);
    at = i + q.length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

export function LogViewer({ frameworkId, taskId, path, range }: { frameworkId: string; taskId: string; path: string; range?: { offset: number; length: number } }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const base = useMasterBase();
  const scroller = useRef<HTMLDivElement>(null);
  const [win, setWin] = useState<LogWindow>(emptyWindow());
  const [size, setSize] = useState(0);
  const [mode, setMode] = useState<Mode>(range ? "static" : "follow");
  const [followFrom, setFollowFrom] = useState<number | null>(null);
  const [wrap, setWrap] = useState(false);
  const [query, setQuery] = useState("");
  const [current, setCurrent] = useState(-1);
  const [sel, setSel] = useState<{ first: number; last: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [downloadUrl, setDownloadUrl] = useState<string>();
  const [copied, setCopied] = useState(false);
  const keepBottom = useRef(false);
  const ids = { frameworkId, taskId, path };

  const read = useCallback((input: { offset?: number; length?: number; fromEnd?: boolean }) => client.sandbox.read.query({ ...ids, ...input }), [client, frameworkId, taskId, path]); // eslint-disable-line react-hooks/exhaustive-deps

  const loadTail = useCallback(async () => {
    const r = await read({ fromEnd: true, length: CHUNK });
    setWin(fromChunk(r.offset, r.text));
    setSize(r.size);
    setDownloadUrl(r.downloadUrl);
    setFollowFrom(r.end);
    setMode("follow");
    keepBottom.current = true;
  }, [read]);

  // First load: the permalinked range, or the tail (then follow).
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        if (range) {
          const r = await read({ offset: range.offset, length: Math.min(range.length, 256 * 1024) });
          if (cancelled) return;
          const w = fromChunk(r.offset, r.text);
          setWin(w);
          setSize(r.size);
          setDownloadUrl(r.downloadUrl);
          setSel(w.lines.length > 0 ? { first: 0, last: w.lines.length - 1 } : null);
        } else await loadTail();
      } catch (err) {
        if (!cancelled) setError(errorText(err));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [frameworkId, taskId, path]); // eslint-disable-line react-hooks/exhaustive-deps

  useSubscription(
    trpc.sandbox.tail.subscriptionOptions(
      { ...ids, offset: followFrom ?? 0 },
      {
        enabled: mode === "follow" && followFrom !== null,
        onData: (chunk) => {
          setSize(chunk.size);
          if (chunk.truncated) setWin(fromChunk(chunk.offset, chunk.text));
          else setWin((w) => trimWindow(appendChunk(w, chunk.offset, chunk.text), MAX_WINDOW, "start"));
          keepBottom.current = true;
        },
        onError: (err) => setError(errorText(err)),
      },
    ),
  );

  // Following: stay at the bottom as lines arrive.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && keepBottom.current) {
      el.scrollTop = el.scrollHeight;
      keepBottom.current = false;
    }
  }, [win]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
    if (mode === "follow" && !atBottom) setMode("paused");
    else if (mode === "paused" && atBottom) {
      setFollowFrom(win.end);
      setMode("follow");
    }
  };

  const jumpHead = async () => {
    try {
      const r = await read({ offset: 0, length: CHUNK });
      setWin(fromChunk(0, r.text));
      setSize(r.size);
      setMode("static");
      requestAnimationFrame(() => scroller.current && (scroller.current.scrollTop = 0));
    } catch (err) {
      setError(errorText(err));
    }
  };

  const loadEarlier = async () => {
    if (win.start === 0) return;
    const el = scroller.current;
    const before = el?.scrollHeight ?? 0;
    const from = Math.max(0, win.start - CHUNK);
    try {
      const r = await read({ offset: from, length: win.start - from });
      if (mode === "follow") setMode("paused");
      setWin((w) => trimWindow(prependChunk(w, r.text), MAX_WINDOW, "end"));
      requestAnimationFrame(() => el && (el.scrollTop += el.scrollHeight - before));
    } catch (err) {
      setError(errorText(err));
    }
  };

  const loadLater = async () => {
    try {
      const r = await read({ offset: win.end, length: CHUNK });
      setSize(r.size);
      setWin((w) => trimWindow(appendChunk(w, r.offset, r.text), MAX_WINDOW, "start"));
    } catch (err) {
      setError(errorText(err));
    }
  };

  const matches = useMemo(() => findMatches(win.lines, query), [win.lines, query]);
  const step = (dir: 1 | -1) => {
    const next = stepMatch(matches, current, dir);
    setCurrent(next);
    if (next >= 0) {
      if (mode === "follow") setMode("paused");
      document.getElementById(`log-line-${next}`)?.scrollIntoView({ block: "center" });
    }
  };

  const selectLine = (i: number, extend: boolean) => {
    const next = extend && sel ? { first: Math.min(sel.first, i), last: Math.max(sel.last, i) } : { first: i, last: i };
    setSel(next);
    if (mode === "follow") setMode("paused");
  };

  const permalink = () => {
    if (!sel) return null;
    const r = lineRange(win, sel.first, sel.last);
    return `${taskHref(frameworkId, taskId, "/sandbox")}&path=${encodeURIComponent(path)}&offset=${r.offset}&length=${r.length}`;
  };

  const copyLink = async () => {
    const link = permalink();
    if (!link) return;
    window.history.replaceState(null, "", link);
    await navigator.clipboard?.writeText(window.location.href).catch(() => {});
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  const downloadLoaded = () => {
    const blob = new Blob([win.lines.join("\n")], { type: "text/plain" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${path.split("/").pop() ?? "log"}-${win.start}-${win.end}.txt`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  return (
    <section className="log" data-testid="log-viewer" data-mode={mode}>
      <div className="log-bar">
        <span className={`state ${mode === "follow" ? "ok" : mode === "paused" ? "warn" : "muted"}`} data-testid="log-mode">
          {mode === "follow" ? "following" : mode === "paused" ? "paused (scrolled up)" : "not following"}
        </span>
        <button type="button" onClick={jumpHead} data-testid="log-head">⤒ Head</button>
        <button type="button" onClick={() => void loadTail()} data-testid="log-tail">⤓ Tail &amp; follow</button>
        <button type="button" onClick={() => setMode(mode === "follow" ? "static" : "follow")} disabled={mode !== "follow" && followFrom === null} data-testid="log-pause">
          {mode === "follow" ? "Pause" : "Follow"}
        </button>
        <label className="check"><input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} data-testid="log-wrap" /> Wrap</label>
        <span className="log-search">
          <input type="search" placeholder="Search loaded text" value={query} onChange={(e) => (setQuery(e.target.value), setCurrent(-1))} onKeyDown={(e) => e.key === "Enter" && (e.preventDefault(), step(e.shiftKey ? -1 : 1))} aria-label="Search the log" data-testid="log-search" />
          <button type="button" onClick={() => step(-1)} disabled={matches.length === 0} aria-label="Previous match">↑</button>
          <button type="button" onClick={() => step(1)} disabled={matches.length === 0} aria-label="Next match" data-testid="log-next">↓</button>
          <span className="muted" data-testid="log-matches">{query ? `${matches.length === 0 ? 0 : matches.indexOf(current) + 1}/${matches.length}` : ""}</span>
        </span>
        <button type="button" onClick={copyLink} disabled={!sel} title="Select lines in the gutter (shift-click extends)" data-testid="log-permalink">{copied ? "Link copied" : "Link to selection"}</button>
        {downloadUrl ? <a className="button" href={`${base}${downloadUrl}`} download data-testid="log-download">Download</a> : <button type="button" onClick={downloadLoaded} data-testid="log-download">Download loaded</button>}
      </div>
      <p className="sub" data-testid="log-range">
        Bytes {win.start.toLocaleString("en-US")}–{win.end.toLocaleString("en-US")} of {formatBytes(size)}
        {win.start > 0 && <> · <button type="button" className="link" onClick={loadEarlier} data-testid="log-earlier">load earlier bytes</button></>}
        {mode === "static" && win.end < size && <> · <button type="button" className="link" onClick={loadLater}>load later bytes</button></>}
      </p>
      {error && <p className="error" role="alert">{error}</p>}
      <div ref={scroller} className={`log-lines${wrap ? " wrap" : ""}`} onScroll={onScroll} tabIndex={0} data-testid="log-lines">
        {win.lines.map((line, i) => (
          <div key={win.lineStarts[i]} id={`log-line-${i}`} className={`ll${sel && i >= sel.first && i <= sel.last ? " sel" : ""}${i === current ? " hit" : ""}`}>
            <button type="button" className="ln" onClick={(e) => selectLine(i, e.shiftKey)} title={`byte ${win.lineStarts[i]}`} aria-label={`Select line at byte ${win.lineStarts[i]}`}>
              {win.lineStarts[i]}
            </button>
            <span className="lt"><Marked text={line} query={query} /></span>
          </div>
        ))}
        {win.lines.length === 0 && !error && <p className="muted empty">{size === 0 ? "The file is empty." : "Loading…"}</p>}
      </div>
    </section>
  );
}
