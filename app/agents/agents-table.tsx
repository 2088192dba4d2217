"use client";
import { useRouter } from "next/navigation";
import { useTRPC } from "../trpc/client";
import { AGENTS_URL, agentsQuery, withSort } from "../lib/url-state";
import { useUrlState } from "../lib/use-url-state";
import { hrefOn, useMasterBase } from "../lib/masters";
import { VirtualTable, usePagedRows, type Column } from "../components/virtual-table";
import { AppLink } from "../components/shell/app-link";
import { StateBadge, Usage } from "../components/ui";
import { FilterText } from "../components/filters";
import { agentHref, shortId } from "../format";
import type { AgentRow } from "../../server/master/dashboard-views";
import { Ago } from "../components/time";

const STATES = ["connected", "disconnected", "recovered", "unreachable", "gone", "deactivated"] as const;

const COLUMNS: Column<AgentRow>[] = [
  {
    key: "hostname",
    header: "Hostname",
    width: "minmax(160px, 1.4fr)",
    sort: "hostname",
    render: (a) => (
      <span className="cell-main">
        <AppLink href={agentHref(a.id)} className="strong">{a.hostname || shortId(a.id)}</AppLink>
        <span className="sub"> {a.endpoint}</span>
      </span>
    ),
  },
  { key: "id", header: "ID", width: "minmax(110px, 0.8fr)", sort: "id", render: (a) => <code title={a.id}>{shortId(a.id)}</code> },
  {
    key: "state",
    header: "State",
    width: "150px",
    sort: "state",
    render: (a) => (
      <>
        <StateBadge value={a.state} />
        {a.deactivated && <StateBadge value="deactivated" />}
        {a.drain && <StateBadge value="draining" label={a.drain.toLowerCase()} />}
      </>
    ),
  },
  { key: "cpus", header: "CPUs", width: "minmax(110px, 0.8fr)", sort: "cpusUsed", render: (a) => <Usage name="cpus" used={a.allocated.cpus} total={a.total.cpus} /> },
  { key: "mem", header: "Memory", width: "minmax(130px, 0.9fr)", sort: "memUsed", render: (a) => <Usage name="mem" used={a.allocated.mem} total={a.total.mem} /> },
  { key: "tasks", header: "Tasks", width: "64px", sort: "tasks", align: "right", render: (a) => a.taskCount },
  { key: "roles", header: "Roles", width: "minmax(80px, 0.6fr)", render: (a) => <span className="ellipsis" title={a.roles.join(", ")}>{a.roles.join(", ") || "—"}</span> },
  {
    key: "attrs",
    header: "Attributes",
    width: "minmax(100px, 0.9fr)",
    render: (a) => {
      const text = Object.entries(a.attributes).map(([k, v]) => `${k}:${v}`).join(" ");
      return <span className="ellipsis" title={text}>{text || "—"}</span>;
    },
  },
  { key: "registered", header: "Registered", width: "96px", sort: "registered", render: (a) => <Ago ms={a.registeredTime ?? a.since} /> },
];

export function AgentsTable() {
  const trpc = useTRPC();
  const router = useRouter();
  const base = useMasterBase();
  const [url, setUrl] = useUrlState(AGENTS_URL);
  const query = agentsQuery(url);
  const paged = usePagedRows((offset, limit) => trpc.agents.list.queryOptions({ ...query, offset, limit }), JSON.stringify(query));
  const states = paged.first?.states;
  const open = (a: AgentRow) => (base ? (window.location.href = hrefOn(base, agentHref(a.id))) : router.push(agentHref(a.id)));
  return (
    <>
      <div className="filters" role="search">
        <div className="chips" role="group" aria-label="State">
          <button type="button" className={!url.state ? "chip on" : "chip"} onClick={() => setUrl({ state: undefined })}>All</button>
          {STATES.map((s) => (
            <button key={s} type="button" className={url.state === s ? "chip on" : "chip"} onClick={() => setUrl({ state: url.state === s ? undefined : s })} data-testid={`filter-state-${s}`}>
              {s} {states ? <span className="count">{states[s]}</span> : null}
            </button>
          ))}
        </div>
        <FilterText label="Search" placeholder="hostname, id or endpoint" value={url.q} onChange={(q) => setUrl({ q })} primary testId="filter-text" />
        <FilterText label="Role" placeholder="role" value={url.role} onChange={(role) => setUrl({ role })} testId="filter-role" />
        <FilterText label="Attribute" placeholder="rack or rack=a1" value={url.attr} onChange={(attr) => setUrl({ attr })} testId="filter-attr" />
        <span className="result-count muted" data-testid="result-count">{paged.total === undefined ? "…" : `${paged.total.toLocaleString("en-US")} agent${paged.total === 1 ? "" : "s"}`}</span>
      </div>
      {paged.error && <p className="error" role="alert">{paged.error.message}</p>}
      <VirtualTable
        label="Agents"
        testId="agents-table"
        columns={COLUMNS}
        total={paged.total ?? 0}
        getRow={paged.getRow}
        rowKey={(a) => a.id}
        onWindow={paged.onWindow}
        sort={{ key: url.sort ?? "hostname", dir: (url.dir ?? "asc") as "asc" | "desc" }}
        onSort={(key) => setUrl(withSort({ sort: url.sort ?? "hostname", dir: url.dir ?? "asc" }, key))}
        onOpen={open}
        rowAttrs={(a) => ({ "data-agent-id": a.id, "data-state": a.state })}
        empty={paged.loading ? "Loading…" : "No agent matches these filters"}
      />
    </>
  );
}
