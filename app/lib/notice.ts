// Applying a live change notice to rows already in TanStack Query's cache: task rows on screen
// take their new state at once (before the throttled refetch re-sorts and re-counts). Pure.

export interface TaskChangeLike {
  id: string;
  frameworkId: string;
  state: string;
  time?: number;
  message?: string;
}

export interface TaskRowLike {
  id: string;
  frameworkId: string;
  state: string;
  lastStatusTime?: number;
  lastMessage?: string;
}

/** The rows with changes applied; the same array when nothing on it changed. */
export function patchTaskRows<R extends TaskRowLike>(rows: R[], changes: readonly TaskChangeLike[]): R[] {
  if (changes.length === 0 || rows.length === 0) return rows;
  const byKey = new Map(changes.map((c) => [`${c.frameworkId}/${c.id}`, c]));
  let changed = false;
  const out = rows.map((r) => {
    const c = byKey.get(`${r.frameworkId}/${r.id}`);
    if (!c || (c.state === r.state && c.time === r.lastStatusTime)) return r;
    changed = true;
    return { ...r, state: c.state, lastStatusTime: c.time ?? r.lastStatusTime, lastMessage: c.message ?? r.lastMessage };
  });
  return changed ? out : rows;
}

/** Patches a cached page object `{rows}` (returns it unchanged when nothing moved). */
export function patchTaskPage<P extends { rows: R[] }, R extends TaskRowLike>(page: P | undefined, changes: readonly TaskChangeLike[]): P | undefined {
  if (!page) return page;
  const rows = patchTaskRows(page.rows, changes);
  return rows === page.rows ? page : { ...page, rows };
}
