// FrameworkInfo checks and derived views (roles, capabilities), following Mesos's
// validation::framework::validate.
import type { FrameworkCapability, FrameworkInfo } from "../protocol/mesos";
import { validateIdString } from "../protocol/values";
import { validateRole } from "../resources";
import type { AllocatorFramework, FrameworkCapabilities } from "../allocator/types";
import { minAllocatableFromOfferFilters } from "../allocator/quota";
import type { Framework } from "./state";

export function capabilitySet(info: FrameworkInfo): Set<FrameworkCapability> {
  const set = new Set<FrameworkCapability>();
  for (const c of info.capabilities ?? []) if (c.type) set.add(c.type);
  return set;
}

export function frameworkRoles(info: FrameworkInfo): string[] {
  if (capabilitySet(info).has("MULTI_ROLE")) return [...(info.roles ?? [])];
  return [info.role ?? "*"];
}

export function validateFrameworkInfo(info: FrameworkInfo, suppressedRoles: string[] = []): string | null {
  if (info.id) {
    const err = validateIdString(info.id.value);
    if (err) return `Invalid 'FrameworkInfo.id': ${err}`;
  }
  const caps = capabilitySet(info);
  if (caps.has("MULTI_ROLE")) {
    if (info.role !== undefined) return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  } else if (info.roles && info.roles.length > 0) {
    return "'FrameworkInfo.roles' is set but the framework does not have the MULTI_ROLE capability";
  }
  const roles = frameworkRoles(info);
  if (new Set(roles).size !== roles.length) return "'FrameworkInfo.roles' contains duplicate items";
  for (const role of roles) {
    const err = validateRole(role);
    if (err) return `Role '${role}' is invalid: ${err}`;
  }
  for (const role of suppressedRoles) {
    if (!roles.includes(role)) return `Suppressed role '${role}' is not contained in the list of roles`;
  }
  if (info.failover_timeout !== undefined && !(info.failover_timeout >= 0)) {
    return "'FrameworkInfo.failover_timeout' must be non-negative";
  }
  return null;
}

export function allocatorCapabilities(caps: Set<FrameworkCapability>): FrameworkCapabilities {
  return {
    multiRole: caps.has("MULTI_ROLE"),
    revocableResources: caps.has("REVOCABLE_RESOURCES"),
    gpuResources: caps.has("GPU_RESOURCES"),
    reservationRefinement: caps.has("RESERVATION_REFINEMENT"),
    sharedResources: caps.has("SHARED_RESOURCES"),
    partitionAware: caps.has("PARTITION_AWARE"),
    regionAware: caps.has("REGION_AWARE"),
  };
}

export function allocatorFramework(fw: Framework): AllocatorFramework {
  return {
    roles: fw.roles,
    suppressedRoles: [...fw.suppressedRoles],
    capabilities: allocatorCapabilities(fw.capabilities),
    active: fw.lifecycle === "connected",
    minAllocatableResources: minAllocatableFromOfferFilters(fw.info.offer_filters),
  };
}

export function isPartitionAware(fw: Framework): boolean {
  return fw.capabilities.has("PARTITION_AWARE");
}
