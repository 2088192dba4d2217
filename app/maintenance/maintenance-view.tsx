"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { Unavailable } from "../components/ui";

export function MaintenanceView() {
  const trpc = useTRPC();
  const { data, error } = useQuery(trpc.maintenance.status.queryOptions());
  if (error) return <p className="error" role="alert">{error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  if (!data.available) {
    return (
      <Unavailable title="Not available in this build" testId="maintenance-unavailable">
        The master does not implement maintenance yet (schedules, machine modes UP/DRAINING/DOWN, inverse offers, agent draining:
        issue #7). This page will show the schedule as a calendar of windows per machine, the frameworks&apos; inverse-offer responses, and let
        operators create and edit windows and take machines down and up. Nothing is shown rather than invented data.
      </Unavailable>
    );
  }
  return <pre className="json">{JSON.stringify(data.status, null, 2)}</pre>;
}
