/**
 * JSON of one detailed-report entry (REFERENCE.md §4 "Detailed"; spec `TimeEntryDto`): `_id`,
 * names resolved, timestamps with the request zone's offset, duration in seconds, money in cents.
 * Missing project/client/task render as empty strings (the spec types them as strings).
 */
import { DateTime } from 'luxon';
import type { SimStore, TimeEntry } from '../model.ts';
import { entryFigures } from './report-amounts.ts';
import type { ReportQuery } from './report-query.ts';

/** `2026-08-08T10:15:00+12:00` (UTC renders `Z`). */
export function zonedTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;
}

export function renderDetailedEntry(store: SimStore, e: TimeEntry, q: ReportQuery, currency: string): Record<string, unknown> {
  const f = entryFigures(e, q);
  const user = store.user(e.userId);
  const project = e.projectId ? store.project(e.projectId) : undefined;
  const client = project?.clientId ? store.client(project.clientId) : undefined;
  const task = e.taskId ? store.task(e.taskId) : undefined;
  const fields = e.customFieldValues.length ? store.customFields(e.workspaceId) : [];
  const out: Record<string, unknown> = {
    _id: e.id,
    description: e.description,
    billable: e.billable,
    userId: e.userId,
    userName: user?.name ?? '',
    userEmail: user?.email ?? '',
    projectId: project?.id ?? '',
    projectName: project?.name ?? '',
    projectColor: project?.color ?? '',
    clientId: client?.id ?? '',
    clientName: client?.name ?? '',
    taskId: task?.id ?? '',
    taskName: task?.name ?? '',
    tags: e.tagIds.map((id) => ({ id, name: store.tag(id)?.name ?? '' })),
    type: e.type,
    timeInterval: { start: zonedTime(e.start, q.zone), end: zonedTime(e.end ?? e.start, q.zone), duration: f.seconds },
    approvalRequestId: null,
    isLocked: e.isLocked,
    customFields: e.customFieldValues.map((v) => {
      const field = fields.find((x) => x.id === v.customFieldId);
      return { customFieldId: v.customFieldId, name: field?.name ?? '', type: field?.type ?? 'TXT', value: v.value };
    }),
  };
  if (q.amountShown !== 'HIDE_AMOUNT') {
    const shownCost = q.amountShown === 'COST';
    const profit = Math.round((f.earned - f.cost) * 100) / 100;
    out.amount = shownCost ? f.cost : q.amountShown === 'PROFIT' ? profit : f.earned;
    out.rate = shownCost ? f.costRate : f.earnedRate;
    out.earnedAmount = f.earned;
    out.earnedRate = f.earnedRate;
    out.costAmount = f.cost;
    out.costRate = f.costRate;
    out.currency = currency;
  }
  return out;
}
