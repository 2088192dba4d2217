// The hierarchical allocator's bookkeeping records. Agents and clients get dense integer slots
// so the offer-filter bit matrix (filter-index.ts) can be indexed without hashing.
import type { Resources } from "../resources";
import type { RoleEntry } from "./role-tree";
import type { SorterNode } from "./sorter";
import type { QVec } from "./quantities";
import type { AllocatorAgent, AllocatorFramework } from "./types";

/** Kinds of resources an agent has that not every framework may be offered (bit flags). */
export const KIND_RESERVED = 1;
export const KIND_REVOCABLE = 2;
export const KIND_SHARED = 4;
export const KIND_REFINED = 8;
export const KIND_GPU = 16;

export interface AgentEntry {
  readonly id: string;
  readonly slot: number;
  hostname: string;
  total: Resources;
  /** total − everything allocated (offered or used), without allocation_info. */
  available: Resources;
  /**
   * A superset of `available` since the agent's offer-filter bits were last cleared: a filter
   * covering `ref` (for a client's role) covers anything the agent can offer that client.
   */
  ref: Resources;
  active: boolean;
  unavailability: AllocatorAgent["unavailability"];
  /** KIND_* flags of `total`. */
  kinds: number;
  /** Scalar quantities of `total` (counted in the sorters' totals). */
  totalQ: QVec;
  /** Reservations in `total`, by role (scalar, non-revocable), counted in role consumption. */
  reservedByRole: Map<string, QVec>;
  /** What each client holds here (offered or used). */
  allocations: Holdings;
  /** Resources in use by frameworks the allocator does not know yet (framework id → resources). */
  orphans: Map<string, Resources>;
  /** Position in the allocator's agent list. */
  listIndex: number;
  /** Memo: the allocated form of `memoPlain` for `memoRole` (offers repeat round after round). */
  memoPlain: Resources | undefined;
  memoRole: string;
  memoAllocated: Resources | undefined;
  /** Memo: scalar quantities of `qRes`. */
  qRes: Resources | undefined;
  q: QVec;
}

/** Resources a client holds on an agent, in both forms. */
export interface Holding {
  client: Client;
  /** With allocation_info (as in offers and tasks). */
  allocated: Resources;
  /** The same without allocation_info. */
  plain: Resources;
  /** Position in the agent's list. */
  index: number;
}

/**
 * An agent's holdings: a short list searched linearly (an agent is held by few clients at a
 * time), recycling one record so that offering and declining the same agent allocates nothing.
 */
export class Holdings {
  private readonly list: Holding[] = [];
  private spare: Holding | undefined;

  get size(): number {
    return this.list.length;
  }

  get(client: Client): Holding | undefined {
    const list = this.list;
    for (let i = 0; i < list.length; i++) if (list[i]!.client === client) return list[i];
    return undefined;
  }

  add(client: Client, allocated: Resources, plain: Resources): Holding {
    const h = this.spare ?? { client, allocated, plain, index: 0 };
    this.spare = undefined;
    h.client = client;
    h.allocated = allocated;
    h.plain = plain;
    h.index = this.list.length;
    this.list.push(h);
    return h;
  }

  delete(h: Holding): void {
    const last = this.list.pop()!;
    if (last !== h) {
      this.list[h.index] = last;
      last.index = h.index;
    }
    this.spare = h;
  }

  /** A copy, safe to iterate while holdings change. */
  all(): Holding[] {
    return this.list.slice();
  }
}

export interface FrameworkEntry {
  readonly id: string;
  info: AllocatorFramework;
  active: boolean;
  /** Role → client, including roles left but still holding resources. */
  clients: Map<string, Client>;
  /** The same clients, as an array (hot paths). */
  clientList: Client[];
  suppressed: Set<string>;
}

/** A framework in one of its roles: the unit that is sorted, offered, filtered and suppressed. */
export interface Client {
  readonly slot: number;
  readonly framework: FrameworkEntry;
  readonly role: RoleEntry;
  readonly node: SorterNode<Client>;
  /** The framework is subscribed to this role (else it only still holds resources in it). */
  subscribed: boolean;
  /** KIND_* flags this client may be offered. */
  caps: number;
  /** Per-role minimum offer (FrameworkInfo.offer_filters), compiled; undefined = cluster default. */
  minAllocatable: MinAllocatable | undefined;
  /** Number of agents where this client holds resources. */
  holdings: number;
}

/** Alternatives of (name index, milli) requirements; an offer must meet one alternative fully. */
export type MinAllocatable = { index: number; milli: number; scalar: boolean; name: string }[][];
