// Windowing arithmetic for the virtualized tables: which rows are on screen and which server
// pages hold them. Pure.

export interface RowWindow {
  /** First and last (inclusive) row index to render; last < first when there are no rows. */
  first: number;
  last: number;
}

export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan = 8): RowWindow {
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: -1 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total - 1, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first: Math.min(first, total - 1), last: Math.max(last, Math.min(first, total - 1)) };
}

/** Page indexes (of `pageSize` rows) covering rows first..last. */
export function pagesFor(w: RowWindow, pageSize: number): number[] {
  if (w.last < w.first) return [0];
  const out: number[] = [];
  for (let p = Math.floor(w.first / pageSize); p <= Math.floor(w.last / pageSize); p++) out.push(p);
  return out;
}

/** Scroll position that brings row `index` into view (unchanged when it already is). */
export function scrollToRow(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}

/** Rows per server page for the virtualized tables (also what server components prefetch). */
export const PAGE_SIZE = 100;
