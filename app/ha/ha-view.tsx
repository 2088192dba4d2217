"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { Facts, StateBadge, Unavailable } from "../components/ui";
import { formatAgo, formatDateTime, formatDuration, shortId } from "../format";
import type { ElectionEntry, HaStatus } from "../../server/ha/types";
import { Ago, DateTime, When } from "../components/time";

const addressOf = (m: { address?: { hostname?: string; ip?: string; port: number }; hostname?: string; port?: number }) =>
  `${m.address?.hostname || m.hostname || m.address?.ip || "?"}:${m.address?.port ?? m.port}`;

/** Terms as bars on a time axis, gaps without a leader in between. */
function ElectionTimeline({ elections, now }: { elections: ElectionEntry[]; now: number }) {
  if (elections.length === 0) return <p className="muted">No elections recorded yet.</p>;
  const start = elections[0]!.elected - (elections[0]!.gapMs ?? 0);
  const span = Math.max(1, now - start);
  const x = (t: number) => `${((100 * (t - start)) / span).toFixed(3)}%`;
  const w = (a: number, b: number) => `${Math.max(0.3, (100 * (b - a)) / span).toFixed(3)}%`;
  const palette = ["--allocated", "--ok", "--pending", "--warn", "--offered"];
  const colorOf = new Map<string, string>();
  for (const e of elections) if (!colorOf.has(e.address)) colorOf.set(e.address, palette[colorOf.size % palette.length]!);
  return (
    <div className="election-track" role="img" aria-label={`${elections.length} leadership terms since ${formatDateTime(start)}`} data-testid="election-timeline">
      {elections.map((e, i) => {
        const end = i + 1 < elections.length ? elections[i + 1]!.elected - (elections[i + 1]!.gapMs ?? 0) : now;
        return (
          <span key={`${e.epoch}-${e.masterId}`}>
            {e.gapMs ? <span className="term gap" style={{ left: x(e.elected - e.gapMs), width: w(e.elected - e.gapMs, e.elected) }} title={`No leader for ${formatDuration(e.gapMs)}`} /> : null}
            <span className="term" style={{ left: x(e.elected), width: w(e.elected, end), background: `var(${colorOf.get(e.address)})` }} title={`Epoch ${e.epoch}: ${e.address} led from ${formatDateTime(e.elected)} (${e.reason})`}>
              <span className="term-label">{e.address}</span>
            </span>
          </span>
        );
      })}
      <span className="axis-start"><DateTime ms={start} /></span>
      <span className="axis-end">now</span>
    </div>
  );
}

function Masters({ s }: { s: HaStatus }) {
  const leaderId = s.leader?.id;
  const rows = s.contenders.length > 0 ? s.contenders : [{ sequence: 0, info: s.self }];
  return (
    <table data-testid="masters-table">
      <thead><tr><th>Master</th><th>Address</th><th>Version</th><th>Role</th><th>Sequence</th><th>Elected</th></tr></thead>
      <tbody>
        {rows.map((c) => {
          const info = c.info;
          const isLeader = info?.id === leaderId;
          const isSelf = info?.id === s.self.id;
          const term = [...s.elections].reverse().find((e) => e.masterId === info?.id);
          return (
            <tr key={`${c.sequence}-${info?.id}`} data-leader={isLeader ? "true" : "false"}>
              <td><code title={info?.id}>{info ? shortId(info.id) : "(unreadable)"}</code>{isSelf && <span className="muted"> (this page&apos;s master)</span>}</td>
              <td>{info ? addressOf(info) : "—"}</td>
              <td>{info?.version ?? "—"}</td>
              <td>{isLeader ? <StateBadge value="leading" /> : <StateBadge value="contending" label="standby" />}</td>
              <td>{s.mode === "zookeeper" ? c.sequence : "—"}</td>
              <td>{term ? <When ms={term.elected} /> : "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function HaView() {
  const trpc = useTRPC();
  // Contenders come and go in ZooKeeper without a master event: refresh this small status every 5 s.
  const { data, error } = useQuery(trpc.ha.status.queryOptions(undefined, { refetchInterval: 5_000 }));
  const { data: self } = useQuery(trpc.cluster.master.queryOptions());
  if (error) return <p className="error" role="alert">{error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const s = data.status;
  if (!s) return <Unavailable title="Not available">This master does not report its election state.</Unavailable>;
  const elections = s.elections;
  const lastGap = [...elections].reverse().find((e) => e.gapMs !== undefined);
  return (
    <>
      <div className="grid2">
        <section className="panel">
          <h2>Leader</h2>
          <Facts
            testId="ha-leader"
            items={[
              ["Leader", s.leader ? <span key="l" data-testid="leader-address">{addressOf(s.leader)} <code>{shortId(s.leader.id)}</code></span> : <span key="l" className="state bad">no leader</span>],
              ["Leader version", s.leader?.version ?? "—"],
              ["Epoch", s.epoch !== undefined ? String(s.epoch) : elections.at(-1) ? String(elections.at(-1)!.epoch) : "—"],
              ["Elected", s.electedTime ? <When key="e" ms={s.electedTime} /> : elections.at(-1) ? <Ago key="e" ms={elections.at(-1)!.elected} /> : "—"],
              ["Last gap without a leader", lastGap?.gapMs !== undefined ? formatDuration(lastGap.gapMs) : "none recorded"],
            ]}
          />
        </section>
        <section className="panel">
          <h2>This master</h2>
          <Facts
            testId="ha-self"
            items={[
              ["Mode", s.mode === "zookeeper" ? "ZooKeeper election" : "standalone (no ZooKeeper)"],
              ["Role", <StateBadge key="r" value={s.role} />],
              ["Address", addressOf(s.self)],
              ["Started", self ? <When key="s" ms={self.startTime} /> : "—"],
              ["ZooKeeper session", <span key="z"><StateBadge value={s.session.state} />{s.session.url ? <code> {s.session.url}</code> : null}</span>],
              ["Session id / timeout", s.session.sessionId ? `${s.session.sessionId} / ${formatDuration(s.session.timeoutMs ?? 0)}` : "—"],
              ["Registry writes (this term)", `${s.registryWrites.commits} committed, ${s.registryWrites.refusedLocally} refused, ${s.registryWrites.fencedByStore} fenced`],
            ]}
          />
        </section>
      </div>
      <h2>Masters</h2>
      <Masters s={s} />
      <h2>Elections</h2>
      <ElectionTimeline elections={elections} now={data.now} />
      <table className="plain" data-testid="elections-table">
        <thead><tr><th>Epoch</th><th>Master</th><th>Address</th><th>Version</th><th>Elected</th><th>Gap without leader</th><th>Reason</th></tr></thead>
        <tbody>
          {[...elections].reverse().map((e) => (
            <tr key={`${e.epoch}-${e.masterId}`}>
              <td>{e.epoch}</td>
              <td><code title={e.masterId}>{shortId(e.masterId)}</code></td>
              <td>{e.address}</td>
              <td>{e.version}</td>
              <td><DateTime ms={e.elected} /></td>
              <td>{e.gapMs !== undefined ? formatDuration(e.gapMs) : "—"}</td>
              <td className="wrap">{e.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {s.failStops.length > 0 && (
        <>
          <h2>Fail-stops of this process</h2>
          <ul className="plain-list">{s.failStops.map((f, i) => <li key={i}><DateTime ms={f.at} /> — <code>{shortId(f.masterId)}</code>: {f.reason}</li>)}</ul>
        </>
      )}
    </>
  );
}
