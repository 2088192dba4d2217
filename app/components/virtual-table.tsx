"use client";
// A virtualized table over server-side pages: the scroll area is as tall as all matching rows,
// only the rows in view (plus a few) are in the DOM, and only the pages holding them are fetched
// (each page one query; pages scrolled away are dropped from the cache). Sticky header with
// sortable columns; keyboard: j/k or arrows move, Enter opens, x selects.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useQueries, type UseQueryOptions } from "@tanstack/react-query";
import { PAGE_SIZE, pagesFor, scrollToRow, visibleRows, type RowWindow } from "../lib/virtual";

export interface Column<R> {
  key: string;
  header: React.ReactNode;
  /** CSS grid track, e.g. "minmax(120px, 2fr)" or "90px". */
  width: string;
  /** Sort key sent to the server when the header is clicked. */
  sort?: string;
  align?: "right";
  render: (row: R) => React.ReactNode;
}

interface Page<R> {
  total: number;
  rows: R[];
}

/**
 * Windowed paging: `options(offset, limit)` builds one page's query options. Returns the total,
 * a row accessor and the callback the table calls when its visible window moves.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function usePagedRows<P extends Page<any>>(options: (offset: number, limit: number) => UseQueryOptions<P, any, P, any>, resetKey: string) {
  type R = P["rows"][number];
  const [pages, setPages] = useState<number[]>([0]);
  useEffect(() => setPages([0]), [resetKey]);
  const results = useQueries({
    queries: pages.map((p) => ({ ...options(p * PAGE_SIZE, PAGE_SIZE), placeholderData: (prev: P | undefined) => prev, gcTime: 30_000 })),
  });
  const lastTotal = useRef<number | undefined>(undefined);
  const byPage = new Map<number, P | undefined>();
  pages.forEach((p, i) => byPage.set(p, results[i]?.data as P | undefined));
  const known = results.find((r) => r.data !== undefined)?.data as P | undefined;
  if (known) lastTotal.current = known.total;
  const onWindow = useCallback((w: RowWindow) => {
    const next = pagesFor(w, PAGE_SIZE);
    setPages((prev) => (prev.length === next.length && prev.every((p, i) => p === next[i]) ? prev : next));
  }, []);
  const getRow = (index: number): R | undefined => byPage.get(Math.floor(index / PAGE_SIZE))?.rows[index % PAGE_SIZE];
  return {
    total: lastTotal.current,
    first: known,
    getRow,
    onWindow,
    loading: results.some((r) => r.isPending),
    fetching: results.some((r) => r.isFetching),
    error: results.find((r) => r.error)?.error as Error | undefined,
  };
}

export interface VirtualTableProps<R> {
  columns: Column<R>[];
  total: number;
  getRow: (index: number) => R | undefined;
  rowKey: (row: R, index: number) => string;
  onWindow: (w: RowWindow) => void;
  rowHeight?: number;
  /** CSS height of the scroll area. */
  height?: string;
  sort?: { key: string; dir: "asc" | "desc" };
  onSort?: (key: string) => void;
  onOpen?: (row: R) => void;
  selected?: (row: R) => boolean;
  onToggle?: (row: R) => void;
  rowAttrs?: (row: R) => Record<string, string>;
  empty?: React.ReactNode;
  label: string;
  testId?: string;
}

const HEADER_HEIGHT = 34;

export function VirtualTable<R>({ columns, total, getRow, rowKey, onWindow, rowHeight = 36, height = "calc(100vh - 250px)", sort, onSort, onOpen, selected, onToggle, rowAttrs, empty, label, testId }: VirtualTableProps<R>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  const [active, setActive] = useState(-1);
  const template = useMemo(() => columns.map((c) => c.width).join(" "), [columns]);
  const w = visibleRows(view.top, view.height - HEADER_HEIGHT, rowHeight, total);

  useEffect(() => onWindow(w), [w.first, w.last, onWindow]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const update = () => setView({ top: el.scrollTop, height: el.clientHeight });
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    el.addEventListener("scroll", update, { passive: true });
    return () => {
      ro.disconnect();
      el.removeEventListener("scroll", update);
    };
  }, []);

  const move = (to: number) => {
    const el = scroller.current;
    if (!el || total === 0) return;
    const i = Math.max(0, Math.min(total - 1, to));
    setActive(i);
    el.scrollTop = scrollToRow(i, el.scrollTop, el.clientHeight - HEADER_HEIGHT, rowHeight);
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if ((e.target as HTMLElement).closest("button, a, input")) return;
    const row = active >= 0 ? getRow(active) : undefined;
    if (e.key === "j" || e.key === "ArrowDown") move(active + 1);
    else if (e.key === "k" || e.key === "ArrowUp") move(active - 1);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(total - 1);
    else if (e.key === "PageDown") move(active + Math.floor(view.height / rowHeight));
    else if (e.key === "PageUp") move(active - Math.floor(view.height / rowHeight));
    else if (e.key === "Enter" && row && onOpen) onOpen(row);
    else if (e.key === "x" && row && onToggle) onToggle(row);
    else return;
    e.preventDefault();
  };

  const rows: React.ReactNode[] = [];
  for (let i = w.first; i <= w.last; i++) {
    const row = getRow(i);
    const top = HEADER_HEIGHT + i * rowHeight;
    if (!row) {
      rows.push(<div key={`ph-${i}`} className="vrow placeholder" style={{ top, height: rowHeight, gridTemplateColumns: template }} role="row" aria-rowindex={i + 2}><span className="muted">Loading…</span></div>);
      continue;
    }
    const sel = selected?.(row) ?? false;
    rows.push(
      <div
        key={rowKey(row, i)}
        className={`vrow${i === active ? " active" : ""}${sel ? " selected" : ""}`}
        style={{ top, height: rowHeight, gridTemplateColumns: template }}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={onToggle ? sel : undefined}
        onClick={() => setActive(i)}
        onDoubleClick={() => onOpen?.(row)}
        {...rowAttrs?.(row)}
      >
        {columns.map((c) => (
          <div key={c.key} role="cell" className={c.align === "right" ? "num" : undefined}>{c.render(row)}</div>
        ))}
      </div>,
    );
  }

  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={total + 1} data-testid={testId} data-total={total}>
      <div ref={scroller} className="vscroll" style={{ height }} tabIndex={0} onKeyDown={onKeyDown}>
        <div style={{ height: HEADER_HEIGHT + Math.max(1, total) * rowHeight, position: "relative" }}>
          <div className="vhead" role="row" style={{ gridTemplateColumns: template, height: HEADER_HEIGHT }}>
            {columns.map((c) => (
              <div key={c.key} role="columnheader" className={c.align === "right" ? "num" : undefined} aria-sort={sort && c.sort === sort.key ? (sort.dir === "asc" ? "ascending" : "descending") : undefined}>
                {c.sort && onSort ? (
                  <button type="button" className="sort" onClick={() => onSort(c.sort!)} data-testid={`sort-${c.sort}`}>
                    {c.header}
                    <span aria-hidden className="sort-mark">{sort?.key === c.sort ? (sort.dir === "asc" ? " ▲" : " ▼") : ""}</span>
                  </button>
                ) : (
                  c.header
                )}
              </div>
            ))}
          </div>
          {total === 0 ? <div className="vempty" style={{ top: HEADER_HEIGHT }}>{empty ?? "Nothing to show"}</div> : rows}
        </div>
      </div>
    </div>
  );
}
