/**
 * Request bodies of the three reports (REFERENCE.md §4; spec SummaryReportFilterV1,
 * DetailedReportFilterV1, WeeklyReportFilterV1) and their paths on the Reports API host.
 */
import { rangeToApi, type ReportRange } from '../dates/report-range.ts';
import type { ReportKind, ReportOptions } from './report-options.ts';

/** The Detailed report's largest page. */
export const DETAILED_PAGE_SIZE = 1000;

/** Path relative to the Reports API base (…/v1). */
export const reportPath = (workspaceId: string, kind: ReportKind): string => `/workspaces/${encodeURIComponent(workspaceId)}/reports/${kind}`;

const entityFilter = (ids: string[]) => ({ ids, contains: 'CONTAINS', status: 'ALL' });

/** Fields common to every report. */
export function commonBody(range: ReportRange, o: ReportOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...rangeToApi(range),
    dateRangeType: 'ABSOLUTE',
    weekStart: o.weekStart,
    sortOrder: 'ASCENDING',
    exportType: 'JSON',
    amountShown: o.amounts[0],
    amounts: o.amounts,
    rounding: o.rounding,
    // Users of every status by default, so deactivated people's hours count.
    users: { ids: o.users, contains: 'CONTAINS', status: o.userStatus },
  };
  if (o.billable !== undefined) body.billable = o.billable;
  if (o.projects.length) body.projects = entityFilter(o.projects);
  if (o.clients.length) body.clients = entityFilter(o.clients);
  if (o.tags.length) body.tags = { ...entityFilter(o.tags), containedInTimeentry: 'CONTAINS' };
  return body;
}

export function summaryBody(range: ReportRange, o: ReportOptions): Record<string, unknown> {
  return { ...commonBody(range, o), summaryFilter: { groups: o.groups, sortColumn: 'GROUP' } };
}

export function detailedBody(range: ReportRange, o: ReportOptions, page: number): Record<string, unknown> {
  return {
    ...commonBody(range, o),
    detailedFilter: { page, pageSize: DETAILED_PAGE_SIZE, sortColumn: 'DATE', options: { totals: 'CALCULATE' } },
  };
}

/** `range` must be one 7-day window (see weeklyWindows). */
export function weeklyBody(range: ReportRange, o: ReportOptions): Record<string, unknown> {
  return { ...commonBody(range, o), weeklyFilter: { group: o.weeklyGroup, subgroup: 'TIME' } };
}
