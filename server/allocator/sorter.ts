// The DRF sorter (Mesos's DRFSorter): orders clients by weighted dominant share — a client's
// largest fraction of any scalar resource of the cluster total, divided by its weight — then by
// allocation count, then by name. Clients may be hierarchical paths ("eng/backend"): siblings are
// ordered among themselves and the order is read depth-first (hierarchical DRF); an inner node's
// share is that of its whole subtree. A client that also has children ("eng" next to
// "eng/backend") sits below its own inner node as a virtual leaf, as in Mesos.
//
// Cost model: shares change on every allocation, so re-sorting is lazy and incremental — an
// update marks the node (and its ancestors) pending; the next read moves each pending node to its
// new place in its parent's sorted child list (binary search + one splice, O(siblings)) instead
// of sorting everything. A change of the totals re-sorts everything once. Inactive clients are
// kept out of the child lists, so reading the order never walks them.
import { BlockList, type BlockItem } from "./block-list";
import { addInto, subtractInto, type QVec } from "./quantities";

export class SorterNode<T> implements BlockItem {
  /** Client path, or the inner node's path ("" for the root). */
  readonly name: string;
  readonly isLeaf: boolean;
  parent: SorterNode<T> | null = null;
  /** Placed children (active leaves and inner nodes), sorted. Inner nodes only. */
  readonly children = new BlockList<SorterNode<T>>();
  /** All children, placed or not (inner nodes only). */
  childCount = 0;
  /** The block of `parent.children` holding this node; null when not placed. */
  block: BlockItem[] | null = null;
  /** Scalar quantities allocated to this client (inner nodes: the whole subtree). */
  readonly allocation: QVec = [];
  /** Number of allocations made to this client / subtree (second sort key). */
  count = 0;
  /** Keys the node is currently placed under. */
  share = 0;
  keyCount = 0;
  pending = false;
  active = false;
  /** A number the owner may attach (the allocator keeps the client's slot here for its hot loop). */
  tag = -1;

  constructor(
    name: string,
    isLeaf: boolean,
    readonly payload: T,
  ) {
    this.name = name;
    this.isLeaf = isLeaf;
  }

  get placed(): boolean {
    return this.block !== null;
  }
}

function parentPath(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** Totals shared by several sorters; whoever changes `vec` bumps `epoch`. */
export interface SharedTotals {
  readonly vec: QVec;
  epoch: number;
}

export interface SorterOptions {
  /** Treat '/' in client names as a role hierarchy (the role sorter). Default false. */
  hierarchical?: boolean;
  /** Resource name indices ignored when computing shares (--fair_sharing_excluded_resource_names). */
  excludedNames?: readonly number[];
  /** Use these cluster totals instead of the sorter's own (addTotal/removeTotal then unused). */
  totals?: SharedTotals;
}

export class DRFSorter<T = undefined> {
  private readonly hierarchical: boolean;
  private readonly excluded: ReadonlySet<number>;
  private readonly root = new SorterNode<T>("", false, undefined as T);
  private readonly leafs = new Map<string, SorterNode<T>>();
  private readonly inner = new Map<string, SorterNode<T>>();
  private readonly weights = new Map<string, number>();
  private readonly total: QVec;
  private readonly sharedTotals: SharedTotals | undefined;
  private seenEpoch = -1;
  private readonly pendingNodes: SorterNode<T>[] = [];
  private totalsDirty = false;
  private flat: SorterNode<T>[] = [];
  private flatDirty = false;
  private active = 0;

  constructor(options: SorterOptions = {}) {
    this.hierarchical = options.hierarchical ?? false;
    this.excluded = new Set(options.excludedNames ?? []);
    this.sharedTotals = options.totals;
    this.total = options.totals?.vec ?? [];
    this.inner.set("", this.root);
  }

  /** Adds an inactive client. */
  add(client: string, payload: T): void {
    if (this.leafs.has(client)) throw new Error(`Sorter client '${client}' already exists`);
    const leaf = new SorterNode<T>(client, true, payload);
    const parent = this.hierarchical ? (this.inner.get(client) ?? this.ensureInner(parentPath(client))) : this.root;
    leaf.parent = parent;
    parent.childCount++;
    this.leafs.set(client, leaf);
  }

  /** Removes a client (its allocation leaves its ancestors' totals). */
  remove(client: string): void {
    const leaf = this.leafs.get(client);
    if (!leaf) return;
    if (leaf.active) this.deactivate(client);
    for (let n = leaf.parent; n !== null && n !== this.root; n = n.parent) {
      subtractInto(n.allocation, leaf.allocation);
      this.markPending(n);
    }
    this.leafs.delete(client);
    let parent = leaf.parent!;
    parent.childCount--;
    while (parent !== this.root && parent.childCount === 0) {
      const up = parent.parent!;
      this.unplace(parent);
      this.inner.delete(parent.name);
      up.childCount--;
      parent = up;
    }
  }

  contains(client: string): boolean {
    return this.leafs.has(client);
  }

  isActive(client: string): boolean {
    return this.leafs.get(client)?.active ?? false;
  }

  /** Number of active clients. */
  get activeCount(): number {
    return this.active;
  }

  get size(): number {
    return this.leafs.size;
  }

  activate(client: string): void {
    const leaf = this.leafs.get(client);
    if (!leaf || leaf.active) return;
    leaf.active = true;
    this.active++;
    this.place(leaf);
  }

  deactivate(client: string): void {
    const leaf = this.leafs.get(client);
    if (!leaf || !leaf.active) return;
    leaf.active = false;
    this.active--;
    this.unplace(leaf);
  }

  /** Weight of a client or inner path (default 1). Shares are divided by it. */
  updateWeight(path: string, weight: number): void {
    if (weight === 1) this.weights.delete(path);
    else this.weights.set(path, weight);
    const leaf = this.leafs.get(path);
    if (leaf) this.markPending(leaf);
    const node = this.inner.get(path);
    if (node && node !== this.root) this.markPending(node);
  }

  weight(path: string): number {
    return this.weights.get(path) ?? 1;
  }

  /** Cluster totals the shares are fractions of. */
  addTotal(q: QVec): void {
    addInto(this.total, q);
    this.totalsDirty = true;
  }

  removeTotal(q: QVec): void {
    subtractInto(this.total, q);
    this.totalsDirty = true;
  }

  totals(): Readonly<QVec> {
    return this.total;
  }

  allocated(client: string, q: QVec): void {
    const leaf = this.leafs.get(client);
    if (leaf) this.allocatedTo(leaf, q);
  }

  /** Hot-path form of `allocated` for callers holding the node. */
  allocatedTo(leaf: SorterNode<T>, q: QVec): void {
    for (let n: SorterNode<T> | null = leaf; n !== null && n !== this.root; n = n.parent) {
      addInto(n.allocation, q);
      n.count++;
      this.markPending(n);
    }
  }

  unallocated(client: string, q: QVec): void {
    const leaf = this.leafs.get(client);
    if (leaf) this.unallocatedFrom(leaf, q);
  }

  unallocatedFrom(leaf: SorterNode<T>, q: QVec): void {
    for (let n: SorterNode<T> | null = leaf; n !== null && n !== this.root; n = n.parent) {
      subtractInto(n.allocation, q);
      this.markPending(n);
    }
  }

  allocation(client: string): Readonly<QVec> {
    return this.leafs.get(client)?.allocation ?? [];
  }

  node(client: string): SorterNode<T> | undefined {
    return this.leafs.get(client);
  }

  /** Weighted dominant share of a client (or, with `inner`, of an inner path's subtree). */
  share(client: string, inner = false): number {
    const node = inner ? this.inner.get(client) : this.leafs.get(client);
    return node ? this.computeShare(node) : 0;
  }

  /** Unweighted dominant share. */
  dominantShare(client: string): number {
    const node = this.leafs.get(client);
    return node ? this.computeShare(node) * this.weightOf(node) : 0;
  }

  /** Active clients, lowest share first. */
  sort(): string[] {
    return this.leaves().map((n) => n.name);
  }

  /**
   * Active leaves in order, flattened depth-first. The array is the sorter's own and stays valid
   * until the next call that mutates the sorter (allocations only take effect at the next read).
   */
  leaves(): readonly SorterNode<T>[] {
    this.refresh();
    if (this.flatDirty) {
      this.flat = [];
      this.flatten(this.root, this.flat);
      this.flatDirty = false;
    }
    return this.flat;
  }

  /**
   * Hot path for flat (non-hierarchical) sorters: the active clients in order, as blocks to be
   * read with two nested loops. Same validity rule as `leaves()`.
   */
  blocks(): readonly (readonly SorterNode<T>[])[] {
    this.refresh();
    return this.root.children.blocks;
  }

  private flatten(node: SorterNode<T>, out: SorterNode<T>[]): void {
    for (const block of node.children.blocks) {
      for (const child of block) {
        if (child.isLeaf) out.push(child);
        else this.flatten(child, out);
      }
    }
  }

  private ensureInner(path: string): SorterNode<T> {
    const existing = this.inner.get(path);
    if (existing) return existing;
    const parent = this.ensureInner(parentPath(path));
    const node = new SorterNode<T>(path, false, undefined as T);
    node.parent = parent;
    parent.childCount++;
    this.inner.set(path, node);
    // A client with this path becomes the new inner node's virtual leaf.
    const leaf = this.leafs.get(path);
    if (leaf && leaf.parent === parent) {
      const wasActive = leaf.active;
      if (wasActive) this.unplace(leaf);
      parent.childCount--;
      leaf.parent = node;
      node.childCount++;
      addInto(node.allocation, leaf.allocation);
      node.count = leaf.count;
      if (wasActive) this.place(leaf);
    }
    this.place(node);
    return node;
  }

  private weightOf(node: SorterNode<T>): number {
    return this.weights.get(node.name) ?? 1;
  }

  private computeShare(node: SorterNode<T>): number {
    const alloc = node.allocation;
    const total = this.total;
    let share = 0;
    const n = Math.min(alloc.length, total.length);
    const excluded = this.excluded.size > 0 ? this.excluded : undefined;
    for (let i = 0; i < n; i++) {
      const t = total[i]!;
      const a = alloc[i]!;
      if (t > 0 && a > 0 && (excluded === undefined || !excluded.has(i))) {
        const s = a / t;
        if (s > share) share = s;
      }
    }
    return share / this.weightOf(node);
  }

  private markPending(node: SorterNode<T>): void {
    if (node.pending) return;
    node.pending = true;
    this.pendingNodes.push(node);
  }

  private place(node: SorterNode<T>): void {
    node.share = this.computeShare(node);
    node.keyCount = node.count;
    node.parent!.children.insert(node);
    this.flatDirty = true;
  }

  private unplace(node: SorterNode<T>): void {
    if (!node.placed) return;
    node.parent!.children.remove(node);
    this.flatDirty = true;
  }

  private refresh(): void {
    if (this.sharedTotals !== undefined && this.sharedTotals.epoch !== this.seenEpoch) {
      this.seenEpoch = this.sharedTotals.epoch;
      this.totalsDirty = true;
    }
    if (this.totalsDirty) {
      for (const n of this.pendingNodes) n.pending = false;
      this.pendingNodes.length = 0;
      this.totalsDirty = false;
      this.resortAll(this.root);
      this.flatDirty = true;
      return;
    }
    const pending = this.pendingNodes;
    if (pending.length === 0) return;
    for (let i = 0; i < pending.length; i++) {
      const node = pending[i]!;
      node.pending = false;
      if (!node.placed) continue;
      const share = this.computeShare(node);
      if (share === node.share && node.count === node.keyCount) continue;
      if (node.parent!.children.rekey(node, share, node.count)) this.flatDirty = true;
    }
    pending.length = 0;
  }

  private resortAll(node: SorterNode<T>): void {
    const items = node.children.toArray();
    for (const child of items) {
      child.share = this.computeShare(child);
      child.keyCount = child.count;
      if (!child.isLeaf) this.resortAll(child);
    }
    node.children.reset(items);
  }
}
