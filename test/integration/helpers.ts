// Shared helpers for integration tests: a scheduler that launches tasks through the public API.
import type { Offer, TaskStatus } from "../../server/protocol/mesos";
import type { SchedulerEvent } from "../../server/protocol/scheduler";
import { SchedulerClient } from "../../server/cli/scheduler-client";
import { Resources } from "../../server/resources";

export type UpdateEvent = Extract<SchedulerEvent, { type: "UPDATE" }>;
export type OffersEvent = Extract<SchedulerEvent, { type: "OFFERS" }>;

export function newScheduler(master: string, info: Partial<Parameters<typeof makeInfo>[0]> = {}): SchedulerClient {
  return new SchedulerClient(master, makeInfo(info));
}

function makeInfo(info: { name?: string; failover_timeout?: number; checkpoint?: boolean; capabilities?: { type: "PARTITION_AWARE" | "MULTI_ROLE" }[]; roles?: string[]; role?: string }) {
  return { user: "root", name: info.name ?? "it-framework", failover_timeout: info.failover_timeout, checkpoint: info.checkpoint, capabilities: info.capabilities, roles: info.roles, role: info.role };
}

export const isOffers = (e: SchedulerEvent): e is OffersEvent => e.type === "OFFERS";
export const isUpdateFor = (taskId: string, state?: TaskStatus["state"]) => (e: SchedulerEvent): e is UpdateEvent =>
  e.type === "UPDATE" && e.update.status.task_id.value === taskId && (state === undefined || e.update.status.state === state);

/** Acknowledges every reliable update this client receives. */
export function autoAcknowledge(client: SchedulerClient): void {
  client.on("UPDATE", (e: UpdateEvent) => {
    const s = e.update.status;
    // A master going away mid-call is normal in failover tests: the update is redelivered.
    if (s.uuid && s.agent_id) client.call({ type: "ACKNOWLEDGE", acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } }).catch(() => {});
  });
}

export async function nextOffer(client: SchedulerClient, timeoutMs = 10_000): Promise<Offer> {
  const e = await client.waitFor(isOffers, timeoutMs, true);
  client.received.splice(client.received.indexOf(e), 1);
  return e.offers.offers[0]!;
}

export function commandTask(offer: Offer, id: string, command: string, resources = "cpus:0.1;mem:32", extra: Record<string, unknown> = {}) {
  return {
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    resources: Resources.parse(resources).allocate(offer.allocation_info.role).toArray(),
    command: { value: command },
    ...extra,
  };
}

export async function launch(client: SchedulerClient, offer: Offer, tasks: unknown[], refuseSeconds = 0): Promise<void> {
  await client.mustCall({
    type: "ACCEPT",
    accept: { offer_ids: [offer.id], operations: [{ type: "LAUNCH", launch: { task_infos: tasks } }], filters: { refuse_seconds: refuseSeconds } },
  });
}
