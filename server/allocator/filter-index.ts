// Offer filters for the hierarchical allocator, indexed for the allocation loop.
//
// A refusal filter (DECLINE / the unused part of an ACCEPT, with refuse_seconds) hides an agent's
// resources from one client — a (framework, role) pair — while what it would be offered is a
// subset of the refused resources, until the filter expires (Mesos's RefusedOfferFilter).
//
// Two kinds, so that millions of filters stay cheap (Mesos's DeclineOffers benchmark ends with
// one filter per framework × agent):
//  * full filters — the refused resources cover everything the agent can currently offer the
//    client (the usual case: a whole offer declined). Stored as one bit in a matrix (row per
//    agent slot, bit per client slot) plus an expiry time per (client, agent) — a Map while the
//    client has few, a Float64Array over agent slots once it has many. The allocation loop tests
//    the bit before doing any Resources work. The allocator clears an agent's row when the
//    agent's available resources grow beyond what the filters were checked against (they no
//    longer cover what it can offer), which voids those filters.
//  * partial filters — anything else (e.g. part of an offer refused while the agent had more):
//    kept exactly, with their resources, and checked against the candidate offer.
// Expiry: a heap of (time, client) entries per client's earliest full-filter expiry, drained at
// the start of each round by sweeping that client's expiries; partial filters have their own heap.
import type { Resources } from "../resources";

export interface RefusalFilter {
  readonly resources: Resources;
  /** ms since epoch; the filter applies while now < expiresAt. */
  readonly expiresAt: number;
}

interface ClientFilters {
  /** Full-filter expiry per agent slot: sparse, or dense (0 = none) once many. */
  sparse: Map<number, number> | undefined;
  dense: Float64Array | undefined;
  count: number;
  /** Earliest full-filter expiry scheduled in `sweeps` (Infinity when none). */
  scheduled: number;
  partial: Map<number, RefusalFilter[]> | undefined;
}

interface Timed {
  at: number;
  client: number;
  agent: number;
  filter: RefusalFilter | undefined;
}

class MinHeap {
  items: Timed[] = [];

  push(e: Timed): void {
    const h = this.items;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >>> 1;
      if (h[p]!.at <= e.at) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  peek(): Timed | undefined {
    return this.items[0];
  }

  pop(): Timed {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  rebuild(keep: (e: Timed) => boolean): void {
    this.items = this.items.filter(keep);
    for (let i = (this.items.length >>> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftDown(start: number): void {
    const h = this.items;
    const e = h[start]!;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
      if (h[c]!.at >= e.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = e;
  }
}

export class FilterIndex {
  /** Row-major bit matrix: bit (agent, client) at bits[agent * words + (client >>> 5)]. */
  bits = new Uint32Array(0);
  /** 32-bit words per agent row. */
  words = 1;
  private rows = 0;
  private readonly clients: (ClientFilters | undefined)[] = [];
  /** Client sweeps due at their earliest full-filter expiry. */
  private readonly sweeps = new MinHeap();
  private readonly partials = new MinHeap();
  private partialCount = 0;

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
    for (const c of this.clients) {
      if (c?.dense && c.dense.length < newRows) {
        const dense = new Float64Array(newRows);
        dense.set(c.dense);
        c.dense = dense;
      }
    }
  }

  isMarked(client: number, agent: number): boolean {
    return ((this.bits[agent * this.words + (client >>> 5)]! >>> (client & 31)) & 1) === 1;
  }

  private setBit(client: number, agent: number): void {
    const i = agent * this.words + (client >>> 5);
    this.bits[i] = this.bits[i]! | (1 << (client & 31));
  }

  private clearBit(client: number, agent: number): void {
    const i = agent * this.words + (client >>> 5);
    this.bits[i] = this.bits[i]! & ~(1 << (client & 31));
  }

  /** Voids every full filter on an agent (its available resources grew beyond them). */
  unmarkAgent(agent: number): void {
    if (agent < this.rows) this.bits.fill(0, agent * this.words, (agent + 1) * this.words);
  }

  private entry(client: number): ClientFilters {
    let c = this.clients[client];
    if (c === undefined) {
      c = { sparse: undefined, dense: undefined, count: 0, scheduled: Infinity, partial: undefined };
      this.clients[client] = c;
    }
    return c;
  }

  /** A full filter: the client is refused everything the agent can now offer it, until `expiresAt`. */
  addFull(client: number, agent: number, expiresAt: number): void {
    const c = this.entry(client);
    // A cleared bit means an older full filter here was voided: it no longer extends this one.
    const live = this.isMarked(client, agent);
    if (c.dense !== undefined) {
      if (c.dense[agent] === 0) c.count++;
      c.dense[agent] = live ? Math.max(c.dense[agent]!, expiresAt) : expiresAt;
    } else {
      c.sparse ??= new Map();
      const old = c.sparse.get(agent);
      if (old === undefined) c.count++;
      c.sparse.set(agent, live ? Math.max(old ?? 0, expiresAt) : expiresAt);
      if (c.count * 128 > this.rows) {
        const dense = new Float64Array(this.rows);
        for (const [a, at] of c.sparse) dense[a] = at;
        c.dense = dense;
        c.sparse = undefined;
      }
    }
    this.setBit(client, agent);
    if (expiresAt < c.scheduled) {
      c.scheduled = expiresAt;
      this.sweeps.push({ at: expiresAt, client, agent: -1, filter: undefined });
    }
  }

  /** An exact filter, checked against each candidate offer. */
  addPartial(client: number, agent: number, filter: RefusalFilter): void {
    const c = this.entry(client);
    c.partial ??= new Map();
    const list = c.partial.get(agent);
    if (list) list.push(filter);
    else c.partial.set(agent, [filter]);
    this.partialCount++;
    this.partials.push({ at: filter.expiresAt, client, agent, filter });
  }

  hasPartial(client: number): boolean {
    const p = this.clients[client]?.partial;
    return p !== undefined && p.size > 0;
  }

  /** Exact check of partial filters; returns the filter refusing `resources`, if any. */
  partialFilter(client: number, agent: number, resources: Resources, now: number): RefusalFilter | undefined {
    const list = this.clients[client]?.partial?.get(agent);
    if (list === undefined) return undefined;
    for (const f of list) if (f.expiresAt > now && f.resources.contains(resources)) return f;
    return undefined;
  }

  /** Number of live filters of a client (full ones voided by agent growth may still count). */
  count(client: number): number {
    const c = this.clients[client];
    if (!c) return 0;
    let n = c.count;
    for (const list of c.partial?.values() ?? []) n += list.length;
    return n;
  }

  /** Drops every filter of a client (REVIVE, client removed). */
  clearClient(client: number): void {
    const c = this.clients[client];
    if (c === undefined) return;
    if (c.sparse) for (const agent of c.sparse.keys()) this.clearBit(client, agent);
    if (c.dense) for (let a = 0; a < c.dense.length; a++) if (c.dense[a] !== 0) this.clearBit(client, a);
    for (const list of c.partial?.values() ?? []) this.partialCount -= list.length;
    this.clients[client] = undefined;
    this.compactPartials();
  }

  /** Drops every filter on an agent (agent removed; its slot may be reused). */
  clearAgent(agent: number): void {
    for (let client = 0; client < this.clients.length; client++) {
      const c = this.clients[client];
      if (c === undefined) continue;
      if (c.sparse?.delete(agent)) c.count--;
      if (c.dense && c.dense[agent] !== 0) {
        c.dense[agent] = 0;
        c.count--;
      }
      const list = c.partial?.get(agent);
      if (list) {
        this.partialCount -= list.length;
        c.partial!.delete(agent);
      }
    }
    this.unmarkAgent(agent);
    this.compactPartials();
  }

  /** Removes what expired at `now` (clearing bits). */
  expire(now: number): void {
    while ((this.sweeps.peek()?.at ?? Infinity) <= now) {
      const { client, at } = this.sweeps.pop();
      const c = this.clients[client];
      if (c === undefined || c.scheduled !== at) continue; // stale
      this.sweep(client, c, now);
    }
    while ((this.partials.peek()?.at ?? Infinity) <= now) {
      const { client, agent, filter } = this.partials.pop();
      const list = this.clients[client]?.partial?.get(agent);
      const i = list?.indexOf(filter!) ?? -1;
      if (i < 0) continue;
      list!.splice(i, 1);
      this.partialCount--;
      if (list!.length === 0) this.clients[client]!.partial!.delete(agent);
    }
  }

  private sweep(client: number, c: ClientFilters, now: number): void {
    let next = Infinity;
    if (c.sparse) {
      for (const [agent, at] of c.sparse) {
        if (at <= now) {
          c.sparse.delete(agent);
          c.count--;
          this.clearBit(client, agent);
        } else if (at < next) next = at;
      }
    }
    if (c.dense) {
      const dense = c.dense;
      for (let a = 0; a < dense.length; a++) {
        const at = dense[a]!;
        if (at === 0) continue;
        if (at <= now) {
          dense[a] = 0;
          c.count--;
          this.clearBit(client, a);
        } else if (at < next) next = at;
      }
    }
    c.scheduled = next;
    if (next !== Infinity) this.sweeps.push({ at: next, client, agent: -1, filter: undefined });
  }

  private compactPartials(): void {
    if (this.partials.items.length <= 2 * this.partialCount + 1024) return;
    this.partials.rebuild((e) => this.clients[e.client]?.partial?.get(e.agent)?.includes(e.filter!) ?? false);
  }
}
