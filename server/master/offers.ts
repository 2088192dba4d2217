// Offers: the allocation loop (periodic plus prompt rounds after events), turning allocator plans
// into OFFERS events, and taking offers back (DECLINE, rescind, timeout, use by ACCEPT).
import type { Offer as WireOffer, Resource } from "../protocol/mesos";
import type { Resources } from "../resources";
import { toLegacyFormat } from "../resources";
import { effectiveRefuseSeconds } from "../allocator/filters";
import type { Master } from "./master";
import type { Agent, Framework, Offer } from "./state";

/** Starts the periodic allocation loop and installs the prompt-allocation hook. */
export function startAllocationLoop(m: Master): () => void {
  m.runAllocation = (agentIds) => allocateOnce(m, agentIds);
  const timer = m.clock.setInterval(() => allocateOnce(m), m.config.allocationIntervalMs);
  return () => timer.cancel();
}

export function allocateOnce(m: Master, agentIds?: ReadonlySet<string>): void {
  if (!m.isLeading) return;
  const started = performance.now();
  const plans = m.allocator.allocate(m.clock.now(), agentIds);
  m.allocationRuns++;
  m.allocationRunMs.push(performance.now() - started);
  if (m.allocationRunMs.length > 1000) m.allocationRunMs.shift();
  if (plans.length === 0) return;

  const byFramework = new Map<Framework, WireOffer[]>();
  for (const plan of plans) {
    const framework = m.frameworks.get(plan.frameworkId);
    const agent = m.agents.get(plan.agentId);
    if (!framework || !agent || framework.lifecycle !== "connected" || agent.connection !== "connected") {
      m.allocator.recoverResources(plan.frameworkId, plan.agentId, plan.resources, undefined, m.clock.now());
      continue;
    }
    const offer = addOffer(m, framework, agent, plan.role, plan.resources);
    const list = byFramework.get(framework) ?? [];
    list.push(offerToWire(m, offer, framework, agent));
    byFramework.set(framework, list);
  }
  for (const [framework, offers] of byFramework) {
    m.sendToFramework(framework, { type: "OFFERS", offers: { offers } });
  }
  m.events.publish({ type: "OFFERS_CHANGED" });
}

function addOffer(m: Master, framework: Framework, agent: Agent, role: string, resources: Resources): Offer {
  const offer: Offer = {
    id: m.nextOfferId(),
    frameworkId: framework.id,
    agentId: agent.id,
    role,
    resources,
    createdAt: m.clock.now(),
  };
  m.offers.set(offer.id, offer);
  framework.offers.add(offer.id);
  agent.offeredIds.add(offer.id);
  if (m.config.offerTimeoutMs !== undefined) {
    offer.timeoutTimer = m.clock.setTimeout(() => {
      if (m.offers.get(offer.id) === offer) rescindOffer(m, offer, { filterSeconds: undefined });
    }, m.config.offerTimeoutMs);
  }
  return offer;
}

/** Resources as the framework expects to see them (pre- or post-refinement format). */
export function resourcesForFramework(framework: Framework, resources: Resources): Resource[] {
  const list = resources.toArray();
  if (framework.capabilities.has("RESERVATION_REFINEMENT")) return list;
  const out: Resource[] = [];
  for (const r of list) {
    const legacy = toLegacyFormat(r);
    if (legacy) out.push(legacy);
  }
  return out;
}

export function offerToWire(m: Master, offer: Offer, framework: Framework, agent: Agent): WireOffer {
  const [ip, portText] = splitEndpoint(agent.endpoint);
  const wire: WireOffer = {
    id: { value: offer.id },
    framework_id: { value: framework.id },
    agent_id: { value: agent.id },
    hostname: agent.info.hostname,
    url: {
      scheme: "http",
      address: { hostname: agent.info.hostname, ip, port: Number(portText) || agent.info.port },
      path: "/slave(1)",
    },
    resources: resourcesForFramework(framework, offer.resources),
    allocation_info: { role: offer.role },
  };
  if (agent.info.domain) wire.domain = agent.info.domain;
  const unavailability = m.maintenance?.unavailability(agent.id);
  if (unavailability) wire.unavailability = unavailability;
  if (agent.info.attributes.length > 0) wire.attributes = agent.info.attributes;
  const executors = agent.executors.get(framework.id);
  if (executors && executors.size > 0) wire.executor_ids = [...executors.keys()].map((value) => ({ value }));
  return wire;
}

export function splitEndpoint(endpoint: string): [string, string] {
  const i = endpoint.lastIndexOf(":");
  return i < 0 ? [endpoint, ""] : [endpoint.slice(0, i), endpoint.slice(i + 1)];
}

/** Removes an offer from the books without giving its resources back (used by ACCEPT). */
export function takeOffer(m: Master, offer: Offer): void {
  offer.timeoutTimer?.cancel();
  m.offers.delete(offer.id);
  m.frameworks.get(offer.frameworkId)?.offers.delete(offer.id);
  m.agents.get(offer.agentId)?.offeredIds.delete(offer.id);
}

/** Gives an offer's resources back to the allocator, optionally with a decline filter. */
export function removeOffer(m: Master, offer: Offer, filterSeconds: number | undefined): void {
  takeOffer(m, offer);
  m.allocator.recoverResources(offer.frameworkId, offer.agentId, offer.resources, filterSeconds, m.clock.now());
  m.events.publish({ type: "OFFERS_CHANGED" });
  m.requestAllocation();
}

/** Withdraws an offer: RESCIND to the framework, resources back to the allocator. */
export function rescindOffer(m: Master, offer: Offer, opts: { filterSeconds: number | undefined }): void {
  const framework = m.frameworks.get(offer.frameworkId);
  if (framework) m.sendToFramework(framework, { type: "RESCIND", rescind: { offer_id: { value: offer.id } } });
  removeOffer(m, offer, opts.filterSeconds);
}

export function rescindFrameworkOffers(m: Master, framework: Framework): void {
  for (const id of [...framework.offers]) {
    const offer = m.offers.get(id);
    if (offer) rescindOffer(m, offer, { filterSeconds: undefined });
  }
}

export function rescindAgentOffers(m: Master, agent: Agent): void {
  for (const id of [...agent.offeredIds]) {
    const offer = m.offers.get(id);
    if (offer) rescindOffer(m, offer, { filterSeconds: undefined });
  }
}

/** DECLINE: every listed offer of this framework goes back with the call's filter. */
export function decline(m: Master, framework: Framework, offerIds: string[], refuseSeconds: number | undefined): void {
  const seconds = effectiveRefuseSeconds(refuseSeconds, m.config.allocationIntervalMs);
  for (const id of offerIds) {
    const offer = m.offers.get(id);
    if (!offer || offer.frameworkId !== framework.id) continue; // unknown offers are ignored, as Mesos
    removeOffer(m, offer, seconds);
  }
}
