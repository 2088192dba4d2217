"use client";
// Agent controls: drain (max grace period, mark gone, with a preview of the tasks and frameworks
// affected), deactivate/reactivate and mark gone. Each is confirmed with the operator's reason
// (recorded in the timeline); the master's refusal is shown in words in the dialog.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/client";
import { ConfirmButton } from "../../components/confirm";
import type { AgentDetail } from "../../../server/master/dashboard-details";

function Preview({ a }: { a: AgentDetail }) {
  const tasks = a.frameworks.reduce((n, f) => n + f.tasks, 0);
  return (
    <>
      <p>
        <b data-testid="drain-preview-tasks">{tasks} active task{tasks === 1 ? "" : "s"}</b> of {a.frameworks.length} framework{a.frameworks.length === 1 ? "" : "s"} on{" "}
        <b>{a.hostname || a.id}</b> will be killed{a.executors > 0 ? <> ({a.executors} executor{a.executors === 1 ? "" : "s"})</> : null}:
      </p>
      {a.frameworks.length > 0 && (
        <ul className="preview-list" data-testid="drain-preview-frameworks">
          {a.frameworks.slice(0, 8).map((f) => <li key={f.id}>{f.name || f.id} <span className="muted">{f.tasks} task{f.tasks === 1 ? "" : "s"}</span></li>)}
          {a.frameworks.length > 8 && <li className="muted">… and {a.frameworks.length - 8} more</li>}
        </ul>
      )}
    </>
  );
}

export function AgentControls({ a }: { a: AgentDetail }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const done = { onSettled: () => qc.invalidateQueries() };
  const drain = useMutation(trpc.agents.drain.mutationOptions(done));
  const deactivate = useMutation(trpc.agents.deactivate.mutationOptions(done));
  const reactivate = useMutation(trpc.agents.reactivate.mutationOptions(done));
  const markGone = useMutation(trpc.agents.markGone.mutationOptions(done));
  const [grace, setGrace] = useState("");
  const [gone, setGone] = useState(false);
  if (a.state === "gone") return <p className="muted">This agent has been marked gone: it cannot come back.</p>;
  const draining = a.drain === "DRAINING";
  const name = a.hostname || a.id;
  return (
    <div className="controls" data-testid="agent-controls">
      <ConfirmButton
        label="Drain…"
        buttonTestId="agent-drain"
        disabled={draining}
        danger
        title={`Drain agent ${name}`}
        confirmLabel={gone ? "Drain and mark gone" : "Drain agent"}
        testId="drain-dialog"
        fields={
          <>
            <label className="field">
              <span>Maximum grace period in seconds (empty: each task&apos;s own kill grace period)</span>
              <input type="number" min={0} step="any" value={grace} onChange={(e) => setGrace(e.target.value)} data-testid="drain-grace" />
            </label>
            <label className="field checkbox">
              <span><input type="checkbox" checked={gone} onChange={(e) => setGone(e.target.checked)} data-testid="drain-mark-gone" /> Mark the agent gone once drained (irreversible: its persistent data is lost)</span>
            </label>
          </>
        }
        onConfirm={(reason) => {
          const seconds = grace.trim() === "" ? undefined : Number(grace);
          if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0)) return Promise.reject(new Error("The maximum grace period must be a number of seconds, 0 or more."));
          return drain.mutateAsync({ id: a.id, maxGracePeriodSeconds: seconds, markGone: gone, reason });
        }}
      >
        <p>The agent gets no new offers; its outstanding offers are rescinded. Draining cannot be cancelled; once every task is terminal and acknowledged the agent is DRAINED (it can then be reactivated).</p>
        <Preview a={a} />
      </ConfirmButton>
      {a.deactivated ? (
        <ConfirmButton
          label="Reactivate…"
          buttonTestId="agent-reactivate"
          title={`Reactivate agent ${name}`}
          confirmLabel="Reactivate"
          testId="reactivate-dialog"
          onConfirm={(reason) => reactivate.mutateAsync({ id: a.id, reason })}
        >
          <p>The agent&apos;s resources are offered again{a.drain ? " and its drain state is cleared" : ""}. An agent still DRAINING cannot be reactivated.</p>
        </ConfirmButton>
      ) : (
        <ConfirmButton
          label="Deactivate…"
          buttonTestId="agent-deactivate"
          title={`Deactivate agent ${name}`}
          confirmLabel="Deactivate"
          testId="deactivate-dialog"
          onConfirm={(reason) => deactivate.mutateAsync({ id: a.id, reason })}
        >
          <p>No more offers from this agent (outstanding ones are rescinded); its tasks keep running.</p>
        </ConfirmButton>
      )}
      <ConfirmButton
        label="Mark gone…"
        buttonTestId="agent-mark-gone"
        danger
        title={`Mark agent ${name} gone`}
        confirmLabel="Mark gone"
        testId="mark-gone-dialog"
        onConfirm={(reason) => markGone.mutateAsync({ id: a.id, reason })}
      >
        <p>Irreversible. The agent is shut down and never admitted again; its tasks become GONE_BY_OPERATOR (LOST for frameworks that are not partition-aware) and its reservations and volumes are lost.</p>
        <Preview a={a} />
      </ConfirmButton>
    </div>
  );
}
