// A sorted list kept as a sequence of small sorted blocks (at most MAX_BLOCK items each), so that
// moving one item — what the DRF sorter does after every allocation — costs O(log n + block)
// instead of shifting half of a long array. Read it in order with two nested loops over
// `blocks`. Items carry their own sort key and a back-pointer to their block.

export interface BlockItem {
  share: number;
  keyCount: number;
  name: string;
  block: BlockItem[] | null;
}

const MAX_BLOCK = 128;
const HALF_BLOCK = MAX_BLOCK / 2;

/** a's key (share, count, name) sorts before the given key. */
export function keyBefore(a: BlockItem, share: number, count: number, name: string): boolean {
  if (a.share !== share) return a.share < share;
  if (a.keyCount !== count) return a.keyCount < count;
  return a.name < name;
}

export function compareItems(a: BlockItem, b: BlockItem): number {
  if (a.share !== b.share) return a.share < b.share ? -1 : 1;
  if (a.keyCount !== b.keyCount) return a.keyCount - b.keyCount;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function lowerBound(list: readonly BlockItem[], share: number, count: number, name: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyBefore(list[mid]!, share, count, name)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class BlockList<T extends BlockItem> {
  readonly blocks: T[][] = [];
  size = 0;

  /** Inserts `item` by its current key. */
  insert(item: T): void {
    const blocks = this.blocks;
    this.size++;
    if (blocks.length === 0) {
      const block = [item];
      blocks.push(block);
      item.block = block;
      return;
    }
    // First block whose last item does not sort before the key; else the last block.
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const last = blocks[mid]![blocks[mid]!.length - 1]!;
      if (keyBefore(last, item.share, item.keyCount, item.name)) lo = mid + 1;
      else hi = mid;
    }
    const block = blocks[lo]!;
    block.splice(lowerBound(block, item.share, item.keyCount, item.name), 0, item);
    item.block = block;
    if (block.length > MAX_BLOCK) {
      const tail = block.splice(HALF_BLOCK);
      for (const t of tail) t.block = tail;
      blocks.splice(lo + 1, 0, tail);
    }
  }

  /** Removes `item`, which must be in the list under its current key. */
  remove(item: T): void {
    const block = item.block as T[] | null;
    if (block === null) return;
    let i = lowerBound(block, item.share, item.keyCount, item.name);
    if (block[i] !== item) i = block.indexOf(item);
    block.splice(i, 1);
    item.block = null;
    this.size--;
    if (block.length === 0) this.blocks.splice(this.blocks.indexOf(block), 1);
  }

  /**
   * Gives `item` (in the list under its current key) a new key, moving it only when its
   * neighbours no longer bracket it. Returns whether it moved.
   */
  rekey(item: T, share: number, count: number): boolean {
    const block = item.block as T[];
    let i = lowerBound(block, item.share, item.keyCount, item.name);
    if (block[i] !== item) i = block.indexOf(item);
    let prev: BlockItem | undefined = block[i - 1];
    let next: BlockItem | undefined = block[i + 1];
    if (prev === undefined || next === undefined) {
      const b = this.blocks.indexOf(block);
      prev ??= this.blocks[b - 1]?.at(-1);
      next ??= this.blocks[b + 1]?.[0];
    }
    const afterPrev = prev === undefined || keyBefore(prev, share, count, item.name);
    const beforeNext = next === undefined || !keyBefore(next, share, count, item.name);
    if (afterPrev && beforeNext) {
      item.share = share;
      item.keyCount = count;
      return false;
    }
    this.remove(item);
    item.share = share;
    item.keyCount = count;
    this.insert(item);
    return true;
  }

  /** Rebuilds from `items` (sorted here). */
  reset(items: T[]): void {
    items.sort(compareItems);
    this.blocks.length = 0;
    for (let i = 0; i < items.length; i += HALF_BLOCK) {
      const block = items.slice(i, i + HALF_BLOCK);
      for (const item of block) item.block = block;
      this.blocks.push(block);
    }
    this.size = items.length;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (const block of this.blocks) for (const item of block) out.push(item);
    return out;
  }
}
