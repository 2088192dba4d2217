// Human/legacy renderings of an item list: the Mesos legacy JSON "resource summary" and the
// compact text form accepted by parseResources.
import { fromMilli } from "./fixed";
import type { Item } from "./item";
import type { ItemList } from "./list";
import { formatRanges, unionRanges, type Intervals } from "./ranges";

/** Per-name aggregate of one value type. */
interface Aggregate {
  type: Item["meta"]["type"];
  milli: number;
  ranges: Intervals;
  set: string[];
}

function aggregateByName(items: Iterable<Item>): Map<string, Aggregate> {
  const byName = new Map<string, Aggregate>();
  for (const item of items) {
    const name = item.meta.name;
    let agg = byName.get(name);
    if (agg === undefined) {
      agg = { type: item.meta.type, milli: 0, ranges: [], set: [] };
      byName.set(name, agg);
    }
    if (agg.type !== item.meta.type) continue;
    if (agg.type === "SCALAR") agg.milli += item.milli * item.copies;
    else if (agg.type === "RANGES") agg.ranges = unionRanges(agg.ranges, item.ranges);
    else for (const s of item.set) if (!agg.set.includes(s)) agg.set.push(s);
  }
  return byName;
}

function summaryValue(agg: Aggregate): number | string {
  if (agg.type === "SCALAR") return fromMilli(agg.milli);
  if (agg.type === "RANGES") return formatRanges(agg.ranges, ", ");
  return `{${agg.set.join(", ")}}`;
}

/**
 * Mesos's legacy JSON model of Resources: `cpus`, `gpus`, `mem`, `disk` always present (0 when
 * absent); other names by value — scalars as numbers (MB for mem/disk), ranges as
 * "[b-e, b-e]", sets as "{a, b}" — summed over all roles; revocable resources under
 * "<name>_revocable". Keys are in byte order, as Mesos's JSON object (a std::map) writes them.
 */
export function summarize(items: ItemList): Record<string, number | string> {
  const values = new Map<string, number | string>([["cpus", 0], ["gpus", 0], ["mem", 0], ["disk", 0]]);
  const regular = aggregateByName(items.filter((i) => !i.meta.revocable));
  const revocable = aggregateByName(items.filter((i) => i.meta.revocable));
  for (const [name, agg] of regular) values.set(name, summaryValue(agg));
  for (const [name, agg] of revocable) values.set(`${name}_revocable`, summaryValue(agg));
  const out: Record<string, number | string> = {};
  for (const key of [...values.keys()].sort(compareBytes)) out[key] = values.get(key)!;
  return out;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function itemText(item: Item): string {
  const m = item.meta;
  const head = m.role === "*" ? m.name : `${m.name}(${m.role})`;
  switch (m.type) {
    case "SCALAR":
      return `${head}:${fromMilli(item.milli)}`;
    case "RANGES":
      return `${head}:${formatRanges(item.ranges, ",")}`;
    case "SET":
      return `${head}:{${item.set.join(",")}}`;
  }
}

/**
 * "cpus:2;mem:1024;ports:[31000-32000];cpus(eng):1" — one entry per wire copy, with the
 * reservation role (top of the stack) in parentheses. Lossy: the reservation stack, disk,
 * allocation and revocable/shared markers are not shown.
 */
export function formatText(items: ItemList): string {
  const parts: string[] = [];
  for (const item of items) for (let i = 0; i < item.copies; i++) parts.push(itemText(item));
  return parts.join(";");
}
