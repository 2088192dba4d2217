// Small presentational pieces shared by pages (no hooks: usable from server and client components).
import { formatAmount, formatPercent, stateLabel, stateTone } from "../format";

export function StateBadge({ value, label }: { value: string; label?: string }) {
  return <span className={`state ${stateTone(value)}`} data-state={value}>{label ?? stateLabel(value)}</span>;
}

/** "used / total" with a thin usage bar. */
export function Usage({ name, used, total }: { name: string; used: number; total: number }) {
  const pct = total > 0 ? Math.min(100, (100 * used) / total) : 0;
  return (
    <span className="usage" title={`${formatAmount(name, used)} of ${formatAmount(name, total)} (${formatPercent(used, total)})`}>
      <span className="usage-text">{formatAmount(name, used)} / {formatAmount(name, total)}</span>
      <span className="usage-bar" aria-hidden><span style={{ width: `${pct}%` }} /></span>
    </span>
  );
}

/** A definition list of label → value pairs. */
export function Facts({ items, testId }: { items: [string, React.ReactNode][]; testId?: string }) {
  return (
    <dl className="facts" data-testid={testId}>
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Unavailable({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <section className="unavailable" data-testid={testId ?? "unavailable"}>
      <h2>{title}</h2>
      <p>{children}</p>
    </section>
  );
}
