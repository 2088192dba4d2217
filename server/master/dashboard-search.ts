// The command palette's search: agents, frameworks and tasks whose id or name contains the query.
import type { Master } from "./master";
import type { Framework } from "./state";
import { allTasks } from "./views";
import { compare } from "./dashboard-sort";

export interface SearchHit {
  kind: "agent" | "framework" | "task";
  id: string;
  /** Hostname / framework name / task name. */
  label: string;
  frameworkId?: string;
  state?: string;
}

/** Up to `limit` hits per kind whose id or name contains `q` (prefix matches first). */
export function search(m: Master, q: string, limit = 6): SearchHit[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return [];
  const rank = (...fields: string[]) => {
    let best = -1;
    for (const f of fields) {
      const i = f.toLowerCase().indexOf(needle);
      if (i === 0) return 0;
      if (i > 0) best = 1;
    }
    return best;
  };
  const pick = <T>(items: Iterable<T>, fields: (t: T) => string[], hit: (t: T) => SearchHit): SearchHit[] => {
    const found: [number, SearchHit][] = [];
    for (const item of items) {
      const r = rank(...fields(item));
      if (r >= 0) found.push([r, hit(item)]);
      if (found.length >= limit * 20) break;
    }
    return found.sort((a, b) => a[0] - b[0] || compare(a[1].label, b[1].label)).slice(0, limit).map(([, h]) => h);
  };
  const frameworks: Framework[] = [...m.frameworks.values(), ...m.completedFrameworks.map((c) => c.framework)];
  return [
    ...pick(m.agents.values(), (a) => [a.id, a.info.hostname], (a) => ({ kind: "agent", id: a.id, label: a.info.hostname, state: a.connection })),
    ...pick(frameworks, (f) => [f.id, f.info.name], (f) => ({ kind: "framework", id: f.id, label: f.info.name, state: m.frameworks.has(f.id) ? f.lifecycle : "completed" })),
    ...pick(allTasks(m), (t) => [t.info.task_id.value, t.info.name], (t) => ({ kind: "task", id: t.info.task_id.value, label: t.info.name, frameworkId: t.frameworkId, state: t.state })),
  ];
}
