// Offer filters for the hierarchical allocator, indexed for the allocation loop.
//
// A refusal filter (DECLINE / the unused part of an ACCEPT, with refuse_seconds) hides an agent's
// resources from one client — a (framework, role) pair — while the resources it would be offered
// are a subset of the refused ones, until the filter expires (Mesos's RefusedOfferFilter).
//
// Two layers:
//  * the truth: per client, agent slot → filters (exact check: refused ⊇ offered, not expired);
//  * a bit matrix, one row per agent slot and one bit per client slot, marking pairs known to be
//    filtered *for anything the agent can currently offer*. The allocation loop tests the bit
//    (a few ns) before doing any Resources work. A bit may be set only while it is true: the
//    allocator clears an agent's row when the agent's available resources grow beyond what the
//    filters were checked against, and expiry/removal of a filter clears its bit.
// Expiry is driven by a min-heap on expiresAt, drained at the start of each allocation round.
import type { Resources } from "../resources";

export interface RefusalFilter {
  readonly resources: Resources;
  /** ms since epoch; the filter applies while now < expiresAt. */
  readonly expiresAt: number;
}

interface HeapEntry {
  expiresAt: number;
  client: number;
  agent: number;
  filter: RefusalFilter;
}

export class FilterIndex {
  /** Row-major bit matrix: bit (agent, client) at bits[agent * words + (client >>> 5)]. */
  bits = new Uint32Array(0);
  /** 32-bit words per agent row. */
  words = 1;
  private rows = 0;
  private readonly byClient: (Map<number, RefusalFilter[]> | undefined)[] = [];
  private heap: HeapEntry[] = [];
  private live = 0;

  /** Makes room for agent slots < agents and client slots < clients. */
  ensureCapacity(agents: number, clients: number): void {
    const words = Math.max(this.words, Math.ceil(clients / 32));
    const rows = Math.max(this.rows, agents);
    if (words === this.words && rows === this.rows) return;
    const newWords = words === this.words ? words : Math.max(words, this.words * 2);
    const newRows = rows === this.rows ? rows : Math.max(rows, this.rows * 2, 64);
    const bits = new Uint32Array(newRows * newWords);
    if (newWords === this.words) bits.set(this.bits);
    else for (let r = 0; r < this.rows; r++) bits.set(this.bits.subarray(r * this.words, (r + 1) * this.words), r * newWords);
    this.bits = bits;
    this.words = newWords;
    this.rows = newRows;
  }

  /** Number of unexpired filters. */
  get size(): number {
    return this.live;
  }

  isMarked(client: number, agent: number): boolean {
    return ((this.bits[agent * this.words + (client >>> 5)]! >>> (client & 31)) & 1) === 1;
  }

  mark(client: number, agent: number): void {
    this.bits[agent * this.words + (client >>> 5)]! |= 1 << (client & 31);
  }

  unmark(client: number, agent: number): void {
    this.bits[agent * this.words + (client >>> 5)]! &= ~(1 << (client & 31));
  }

  /** Forgets every bit of an agent's row (its available resources grew). */
  unmarkAgent(agent: number): void {
    if (agent < this.rows) this.bits.fill(0, agent * this.words, (agent + 1) * this.words);
  }

  add(client: number, agent: number, filter: RefusalFilter): void {
    let map = this.byClient[client];
    if (map === undefined) {
      map = new Map();
      this.byClient[client] = map;
    }
    const list = map.get(agent);
    if (list) list.push(filter);
    else map.set(agent, [filter]);
    this.live++;
    this.push({ expiresAt: filter.expiresAt, client, agent, filter });
  }

  /** Filters of a client on an agent (possibly expired; callers compare with now). */
  lookup(client: number, agent: number): readonly RefusalFilter[] | undefined {
    return this.byClient[client]?.get(agent);
  }

  hasAny(client: number): boolean {
    const map = this.byClient[client];
    return map !== undefined && map.size > 0;
  }

  /** Exact check: some unexpired filter refused a superset of `resources`. */
  filters(client: number, agent: number, resources: Resources, now: number): boolean {
    const list = this.byClient[client]?.get(agent);
    if (list === undefined) return false;
    for (const f of list) if (f.expiresAt > now && f.resources.contains(resources)) return true;
    return false;
  }

  /** Drops every filter of a client (REVIVE, client removed). */
  clearClient(client: number): void {
    const map = this.byClient[client];
    if (map === undefined) return;
    for (const [agent, list] of map) {
      this.live -= list.length;
      if (agent < this.rows) this.unmark(client, agent);
    }
    this.byClient[client] = undefined;
    this.compactIfStale();
  }

  /** Drops every filter on an agent (agent removed). */
  clearAgent(agent: number): void {
    for (const map of this.byClient) {
      const list = map?.get(agent);
      if (list === undefined) continue;
      this.live -= list.length;
      map!.delete(agent);
    }
    this.unmarkAgent(agent);
    this.compactIfStale();
  }

  /** Removes filters that expired at `now`, clearing their bits. */
  expire(now: number): void {
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!.expiresAt <= now) {
      const top = this.pop();
      const list = this.byClient[top.client]?.get(top.agent);
      if (list === undefined) continue;
      const i = list.indexOf(top.filter);
      if (i < 0) continue;
      list.splice(i, 1);
      this.live--;
      if (list.length === 0) this.byClient[top.client]!.delete(top.agent);
      this.unmark(top.client, top.agent);
    }
  }

  /** Earliest expiry among live filters, if any (for callers that want to wake up then). */
  nextExpiry(): number | undefined {
    return this.heap[0]?.expiresAt;
  }

  /** Live filter count per client slot. */
  countByClient(client: number): number {
    let n = 0;
    for (const list of this.byClient[client]?.values() ?? []) n += list.length;
    return n;
  }

  private compactIfStale(): void {
    if (this.heap.length <= 2 * this.live + 1024) return;
    this.heap = this.heap.filter((e) => this.byClient[e.client]?.get(e.agent)?.includes(e.filter) ?? false);
    for (let i = (this.heap.length >>> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private push(entry: HeapEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >>> 1;
      if (heap[p]!.expiresAt <= entry.expiresAt) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = entry;
  }

  private pop(): HeapEntry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const entry = heap[start]!;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const c = r < heap.length && heap[r]!.expiresAt < heap[l]!.expiresAt ? r : l;
      if (heap[c]!.expiresAt >= entry.expiresAt) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = entry;
  }
}
