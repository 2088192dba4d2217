"use client";
// The command palette (Ctrl/⌘-K): finds agents, frameworks and tasks by id or name on the master
// and runs actions — open a page, kill a task, tear down a framework, pause live updates, switch
// the theme. Arrow keys move, Enter runs, Escape closes. Also the global keyboard shortcuts:
// "g" then a page's letter navigates, "/" focuses the page's filter, "?" lists the keys.
import { useCan } from "../../lib/use-auth";
import { useEffect, useMemo, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/client";
import { agentHref, frameworkHref, shortId, stateLabel, taskHref } from "../../format";
import { hrefOn, useMasterBase } from "../../lib/masters";
import { useLive } from "../live";
import { KillTaskDialog, TeardownDialog, type TaskRef } from "../actions";
import { PAGES } from "./nav";
import { applyTheme } from "./theme";

const OPEN_EVENT = "plateau-palette";
export const openPalette = () => window.dispatchEvent(new Event(OPEN_EVENT));

interface Item {
  key: string;
  group: string;
  label: string;
  detail?: string;
  run: () => void;
}

const TERMINAL = new Set(["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"]);

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function CommandPalette() {
  const trpc = useTRPC();
  const router = useRouter();
  const base = useMasterBase();
  const { live, setLive } = useLive();
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const [sel, setSel] = useState(0);
  const [kill, setKill] = useState<TaskRef | null>(null);
  const [teardown, setTeardown] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const query = useDebounced(q.trim(), 120);
  const { data: hits = [] } = useQuery(trpc.cluster.search.queryOptions({ q: query, limit: 6 }, { enabled: open && query.length > 0, placeholderData: (prev) => prev }));

  const go = (path: string) => {
    if (base) window.location.href = hrefOn(base, path);
    else router.push(path);
  };

  const canTeardown = useCan("TEARDOWN");
  const canKill = useCan("KILL_TASK");
  const items = useMemo<Item[]>(() => {
    const needle = q.trim().toLowerCase();
    const out: Item[] = [];
    for (const h of query ? hits : []) {
      if (h.kind === "agent") out.push({ key: `a:${h.id}`, group: "Agents", label: h.label || h.id, detail: `${shortId(h.id)} · ${h.state}`, run: () => go(agentHref(h.id)) });
      if (h.kind === "framework") {
        out.push({ key: `f:${h.id}`, group: "Frameworks", label: h.label, detail: `${shortId(h.id)} · ${h.state}`, run: () => go(frameworkHref(h.id)) });
        if (h.state !== "completed" && canTeardown) out.push({ key: `ft:${h.id}`, group: "Actions", label: `Tear down ${h.label}…`, detail: shortId(h.id), run: () => setTeardown(h.id) });
      }
      if (h.kind === "task") {
        out.push({ key: `t:${h.frameworkId}/${h.id}`, group: "Tasks", label: h.label === h.id ? h.id : `${h.label}`, detail: `${h.id} · ${stateLabel(h.state ?? "")}`, run: () => go(taskHref(h.frameworkId!, h.id)) });
        if (h.state && !TERMINAL.has(h.state) && canKill) out.push({ key: `tk:${h.frameworkId}/${h.id}`, group: "Actions", label: `Kill task ${h.id}…`, detail: h.label, run: () => setKill({ frameworkId: h.frameworkId!, id: h.id, name: h.label, state: h.state }) });
      }
    }
    const statics: Item[] = [
      ...PAGES.map((p) => ({ key: `p:${p.href}`, group: "Pages", label: `Go to ${p.label}`, detail: `g ${p.key}`, run: () => go(p.href) })),
      { key: "x:live", group: "Actions", label: live ? "Pause live updates" : "Resume live updates", run: () => setLive(!live) },
      { key: "x:dark", group: "Actions", label: "Theme: dark", run: () => applyTheme("dark") },
      { key: "x:light", group: "Actions", label: "Theme: light", run: () => applyTheme("light") },
      { key: "x:system", group: "Actions", label: "Theme: follow the system", run: () => applyTheme("system") },
      { key: "x:keys", group: "Actions", label: "Keyboard shortcuts", detail: "?", run: () => setHelp(true) },
    ];
    out.push(...statics.filter((s) => !needle || s.label.toLowerCase().includes(needle)));
    const order = ["Tasks", "Agents", "Frameworks", "Actions", "Pages"];
    return out.sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hits, query, q, live, base, canTeardown, canKill]);

  useEffect(() => setSel(0), [query]);

  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      setSel(0);
      input.current?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);

  // Global keys.
  useEffect(() => {
    const onOpen = () => {
      setQ("");
      setOpen(true);
    };
    let gPending = 0;
    const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        onOpen();
        return;
      }
      if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector("dialog[open]")) return;
      if (e.key === "/") {
        const filter = document.querySelector<HTMLInputElement>("[data-filter]");
        if (filter) {
          e.preventDefault();
          filter.focus();
        }
      } else if (e.key === "?") setHelp(true);
      else if (e.key === "g") gPending = Date.now();
      else if (Date.now() - gPending < 1500) {
        const page = PAGES.find((p) => p.key === e.key);
        gPending = 0;
        if (page) go(page.href);
      }
    };
    window.addEventListener(OPEN_EVENT, onOpen);
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener(OPEN_EVENT, onOpen);
      window.removeEventListener("keydown", onKey);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [base]);

  const run = (item: Item | undefined) => {
    if (!item) return;
    setOpen(false);
    item.run();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "ArrowDown") setSel((s) => Math.min(items.length - 1, s + 1));
    else if (e.key === "ArrowUp") setSel((s) => Math.max(0, s - 1));
    else if (e.key === "Enter") run(items[sel]);
    else return;
    e.preventDefault();
  };

  let lastGroup = "";
  return (
    <>
      <dialog ref={dialog} className="palette" onClose={() => setOpen(false)} aria-label="Command palette" data-testid="palette">
        <input
          ref={input}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Find an agent, framework or task by id or name, or type a command…"
          aria-label="Search"
          autoFocus
          data-testid="palette-input"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={items[sel] ? `pal-${sel}` : undefined}
        />
        <ul id="palette-list" role="listbox">
          {items.length === 0 && <li className="muted empty">No match</li>}
          {items.map((it, i) => {
            const header = it.group !== lastGroup ? <li className="group" role="presentation">{(lastGroup = it.group)}</li> : null;
            return (
              <PaletteRow key={it.key} header={header} id={`pal-${i}`} item={it} selected={i === sel} onHover={() => setSel(i)} onRun={() => run(it)} />
            );
          })}
        </ul>
      </dialog>
      {kill && <KillTaskDialog task={kill} open onClose={() => setKill(null)} />}
      {teardown && <TeardownDialog frameworkId={teardown} open onClose={() => setTeardown(null)} />}
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
    </>
  );
}

/** Last pointer position: rows re-rendered under a still pointer must not steal the selection. */
const pointer = { x: -1, y: -1 };

function PaletteRow({ header, id, item, selected, onHover, onRun }: { header: React.ReactNode; id: string; item: Item; selected: boolean; onHover: () => void; onRun: () => void }) {
  const onMove = (e: React.MouseEvent) => {
    if (e.clientX === pointer.x && e.clientY === pointer.y) return;
    pointer.x = e.clientX;
    pointer.y = e.clientY;
    onHover();
  };
  return (
    <>
      {header}
      <li id={id} role="option" aria-selected={selected} className={selected ? "sel" : undefined} onMouseMove={onMove} onClick={onRun} data-testid="palette-item">
        <span>{item.label}</span>
        {item.detail && <span className="muted">{item.detail}</span>}
      </li>
    </>
  );
}

function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => ref.current?.showModal(), []);
  return (
    <dialog ref={ref} className="confirm" onClose={onClose} aria-label="Keyboard shortcuts">
      <h2>Keyboard shortcuts</h2>
      <table className="keys">
        <tbody>
          <tr><td><kbd>Ctrl</kbd> <kbd>K</kbd></td><td>Search and run commands</td></tr>
          <tr><td><kbd>/</kbd></td><td>Focus the page&apos;s filter</td></tr>
          {PAGES.map((p) => <tr key={p.href}><td><kbd>g</kbd> <kbd>{p.key}</kbd></td><td>{p.label}</td></tr>)}
          <tr><td><kbd>j</kbd> / <kbd>k</kbd> or <kbd>↓</kbd> / <kbd>↑</kbd></td><td>Move in a table</td></tr>
          <tr><td><kbd>Enter</kbd></td><td>Open the selected row</td></tr>
          <tr><td><kbd>x</kbd></td><td>Select the row (tasks: for a bulk kill)</td></tr>
        </tbody>
      </table>
      <div className="actions"><button type="button" onClick={onClose} autoFocus>Close</button></div>
    </dialog>
  );
}
