/**
 * The summary report: `{totals, groupOne, groupTotals}` (REFERENCE.md §4 "Summary").
 *
 * `summaryFilter.groups`: 1–3 dimensions (default `["PROJECT"]`; more than 3 → 400/501), nested
 * as `children` (leaf nodes have no `children`). Nodes: `_id`, `name`, `nameLowerCase`,
 * `duration` (s), `amount` (cents, per `amountShown`), `amounts[]{type, value, amountByCurrency}`,
 * `currency`; PROJECT nodes add `color`, `clientId`, `clientName`.
 * `sortColumn` GROUP (default; date groups chronologically), DURATION, AMOUNT, EARNED, COST or
 * PROFIT, `sortOrder` ASCENDING by default; ties by `_id`. The same order applies at every level.
 */
import type { SimStore } from '../model.ts';
import { badRequest } from '../sim-errors.ts';
import type { Sums } from './report-amounts.ts';
import { addTo, amountOf, amountsList, emptySums, entryFigures, shownAmount, totalsRow } from './report-amounts.ts';
import type { ReportScope } from './report-filter.ts';
import { reportEntries } from './report-filter.ts';
import type { GroupDim, GroupKey } from './report-groups.ts';
import { SUMMARY_GROUPS, createGroupKeyer } from './report-groups.ts';
import type { ReportQuery } from './report-query.ts';
import { asObject, badField, readEnum } from './report-query.ts';

export const SUMMARY_SORT = ['GROUP', 'DURATION', 'AMOUNT', 'EARNED', 'COST', 'PROFIT'] as const;

export interface SummaryOptions {
  groups: GroupDim[];
  sortColumn: (typeof SUMMARY_SORT)[number];
}

export function parseSummaryFilter(raw: unknown): SummaryOptions {
  const f = asObject(raw, 'summaryFilter');
  const groups = f.groups ?? ['PROJECT'];
  if (!Array.isArray(groups)) throw badField('summaryFilter.groups', groups);
  if (groups.length > 3) throw badRequest('Summary report supports at most 3 groups');
  for (const g of groups) if (typeof g !== 'string' || !(SUMMARY_GROUPS as readonly string[]).includes(g)) throw badField('summaryFilter.groups', g);
  return {
    groups: groups.length ? (groups as GroupDim[]) : ['PROJECT'],
    sortColumn: readEnum(f, 'sortColumn', SUMMARY_SORT) ?? 'GROUP',
  };
}

/** One node of the group tree while aggregating. */
export interface GroupNode {
  key: GroupKey;
  sums: Sums;
  children: Map<string, GroupNode>;
}

function child(map: Map<string, GroupNode>, key: GroupKey): GroupNode {
  let n = map.get(key.id);
  if (!n) map.set(key.id, (n = { key, sums: emptySums(), children: new Map() }));
  return n;
}

/** Aggregates the entries into a tree of `dims` levels; returns the root sums and the top level. */
export function aggregate(store: SimStore, q: ReportQuery, scope: ReportScope, dims: GroupDim[]): { sums: Sums; top: Map<string, GroupNode> } {
  const sums = emptySums();
  const top = new Map<string, GroupNode>();
  const groupKeys = createGroupKeyer(store, q);
  for (const e of reportEntries(store, q, scope)) {
    const f = entryFigures(e, q);
    addTo(sums, f);
    let level: Map<string, GroupNode>[] = [top];
    for (const dim of dims) {
      const keys = groupKeys(e, dim);
      const next: Map<string, GroupNode>[] = [];
      for (const map of level) {
        for (const k of keys) {
          const node = child(map, k);
          addTo(node.sums, f);
          next.push(node.children);
        }
      }
      level = next;
    }
  }
  return { sums, top };
}

export function sortNodes(nodes: GroupNode[], column: SummaryOptions['sortColumn'], order: 'ASCENDING' | 'DESCENDING'): GroupNode[] {
  const key = (n: GroupNode): string | number => {
    switch (column) {
      case 'GROUP': return n.key.sortKey;
      case 'DURATION': return n.sums.seconds;
      case 'COST': return amountOf(n.sums, 'COST');
      case 'PROFIT': return amountOf(n.sums, 'PROFIT');
      default: return amountOf(n.sums, 'EARNED'); // AMOUNT, EARNED
    }
  };
  const dir = order === 'DESCENDING' ? -1 : 1;
  return nodes.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const d = ka < kb ? -1 : ka > kb ? 1 : a.key.id < b.key.id ? -1 : a.key.id > b.key.id ? 1 : 0;
    return d * dir;
  });
}

/** The JSON of a node (and its children); `extra` adds report-specific fields (weekly days). */
export function renderNode(
  n: GroupNode, q: ReportQuery, currency: string, sort: (nodes: GroupNode[]) => GroupNode[],
  extra?: (n: GroupNode) => Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { _id: n.key.id, name: n.key.name, nameLowerCase: n.key.name.toLowerCase(), duration: n.sums.seconds };
  const shown = shownAmount(n.sums, q);
  if (shown !== undefined) out.amount = shown;
  out.amounts = amountsList(n.sums, q, currency);
  out.currency = currency;
  if (n.key.extra) Object.assign(out, n.key.extra);
  if (extra) Object.assign(out, extra(n));
  if (n.children.size) out.children = sort([...n.children.values()]).map((c) => renderNode(c, q, currency, sort, extra));
  return out;
}

export function summaryReport(store: SimStore, q: ReportQuery, scope: ReportScope, opts: SummaryOptions, currency: string): Record<string, unknown> {
  const { sums, top } = aggregate(store, q, scope, opts.groups);
  const sort = (nodes: GroupNode[]) => sortNodes(nodes, opts.sortColumn, q.sortOrder ?? 'ASCENDING');
  const groupOne = sort([...top.values()]).map((n) => renderNode(n, q, currency, sort));
  let totals: unknown[] = [null];
  if (sums.count > 0) {
    const row = totalsRow(sums, q);
    row.amounts = amountsList(sums, q, currency);
    if (row.totalAmount !== undefined) row.totalAmountByCurrency = [{ currency, amount: row.totalAmount }];
    row.numOfCurrencies = 1;
    totals = [row];
  }
  let groupTwoTotalCount = 0;
  for (const n of top.values()) groupTwoTotalCount += n.children.size;
  return { totals, groupOne, groupTotals: { groupOneTotalCount: top.size, groupTwoTotalCount } };
}
