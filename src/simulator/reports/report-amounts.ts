/**
 * Per-entry figures of a report and their sums. Durations are whole seconds, money is cents
 * (JSON numbers that may carry a fraction of a cent, rounded to 2 decimals).
 *
 * - duration = end − start, or with `rounding` the workspace rounding (nearest 15 minutes).
 * - earned = billable ? hourlyRate × hours : 0; cost = costRate × hours (billable or not);
 *   profit = earned − cost. Each entry's amount is rounded to 2 decimals; sums are rounded again.
 */
import type { TimeEntry } from '../model.ts';
import type { AmountType, ReportQuery } from './report-query.ts';

/** Workspace rounding used when `rounding: true` ("Round to nearest", 15 minutes). */
export const ROUNDING_SECONDS = 15 * 60;

export interface EntryFigures {
  seconds: number;
  billable: boolean;
  earned: number;
  cost: number;
  /** Hourly rates in cents (0 when unset; earnedRate 0 when not billable). */
  earnedRate: number;
  costRate: number;
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

export function entryFigures(e: TimeEntry, q: Pick<ReportQuery, 'rounding'>): EntryFigures {
  const raw = Math.max(0, Math.round(((e.end ?? e.start) - e.start) / 1000));
  const seconds = q.rounding ? Math.round(raw / ROUNDING_SECONDS) * ROUNDING_SECONDS : raw;
  const earnedRate = e.billable ? e.hourlyRate?.amount ?? 0 : 0;
  const costRate = e.costRate?.amount ?? 0;
  return {
    seconds,
    billable: e.billable,
    earned: round2((earnedRate * seconds) / 3600),
    cost: round2((costRate * seconds) / 3600),
    earnedRate,
    costRate,
  };
}

/** A running sum of entries. */
export interface Sums {
  count: number;
  seconds: number;
  billableSeconds: number;
  earned: number;
  cost: number;
}

export const emptySums = (): Sums => ({ count: 0, seconds: 0, billableSeconds: 0, earned: 0, cost: 0 });

export function addTo(s: Sums, f: EntryFigures): void {
  s.count++;
  s.seconds += f.seconds;
  if (f.billable) s.billableSeconds += f.seconds;
  s.earned += f.earned;
  s.cost += f.cost;
}

export function amountOf(s: Pick<Sums, 'earned' | 'cost'>, type: AmountType): number {
  return round2(type === 'EARNED' ? s.earned : type === 'COST' ? s.cost : s.earned - s.cost);
}

/** The figure shown in `amount` (`amountShown`, EARNED by default; undefined with HIDE_AMOUNT). */
export function shownAmount(s: Pick<Sums, 'earned' | 'cost'>, q: Pick<ReportQuery, 'amountShown'>): number | undefined {
  if (q.amountShown === 'HIDE_AMOUNT') return undefined;
  return amountOf(s, q.amountShown === 'COST' || q.amountShown === 'PROFIT' ? q.amountShown : 'EARNED');
}

/** `amounts[]` of a totals row: `{type, value}`; with currency: `amountByCurrency[]` too. */
export function amountsList(s: Sums, q: Pick<ReportQuery, 'amounts'>, currency?: string): Record<string, unknown>[] {
  return q.amounts.map((type) => {
    const value = amountOf(s, type);
    return currency === undefined ? { type, value } : { type, value, amountByCurrency: [{ currency, amount: value }] };
  });
}

/** One `totals[]` row (detailed, weekly; summary adds currency breakdowns). */
export function totalsRow(s: Sums, q: Pick<ReportQuery, 'amounts' | 'amountShown'>): Record<string, unknown> {
  const row: Record<string, unknown> = {
    _id: '', totalTime: s.seconds, totalBillableTime: s.billableSeconds, entriesCount: s.count,
  };
  const shown = shownAmount(s, q);
  if (shown !== undefined) row.totalAmount = shown;
  row.amounts = amountsList(s, q);
  return row;
}
