"use client";
// A list of timeline entries (newest first): time, kind, what happened, who asked and why, the
// result, with links to the task, agent or framework involved. All text is rendered as text.
import { AppLink } from "./shell/app-link";
import { agentHref, formatDateTime, frameworkHref, shortId, taskHref } from "../format";
import type { TimelineEntry } from "../../server/master/timeline";

export function TimelineList({ entries, testId, empty, compact }: { entries: TimelineEntry[]; testId?: string; empty?: string; compact?: boolean }) {
  return (
    <ol className={`timeline${compact ? " compact" : ""}`} data-testid={testId}>
      {entries.length === 0 && <li className="muted">{empty ?? "Nothing yet"}</li>}
      {entries.map((e) => (
        <li key={e.seq} data-kind={e.kind} data-action={e.action} data-result={e.result}>
          <time dateTime={new Date(e.time).toISOString()} title={formatDateTime(e.time)} suppressHydrationWarning>{formatDateTime(e.time).slice(compact ? 11 : 5)}</time>
          <span className={`kind ${e.kind}`}>{e.kind}</span>
          <span className="what">
            <span className="summary">{e.summary}</span>
            {e.kind === "operator" && (
              <span className="who">
                {e.summary.includes(`by ${e.principal}`) ? null : <> by <b>{e.principal ?? "unknown"}</b></>}
                {e.reason ? <> — <q>{e.reason}</q></> : null}
                {e.result ? <span className={`state ${e.result === "ok" ? "ok" : "bad"}`}>{e.result}</span> : null}
              </span>
            )}
            {!compact && (
              <span className="refs">
                {e.taskId && e.frameworkId && <AppLink href={taskHref(e.frameworkId, e.taskId)}>task {e.taskId}</AppLink>}
                {e.agentId && <AppLink href={agentHref(e.agentId)}>agent {shortId(e.agentId)}</AppLink>}
                {e.frameworkId && <AppLink href={frameworkHref(e.frameworkId)}>framework {shortId(e.frameworkId)}</AppLink>}
              </span>
            )}
          </span>
        </li>
      ))}
    </ol>
  );
}
