/**
 * The report tables. Every row records the workspace, the range ([range_start, range_end)) and the
 * time zone of the report it came from; `report_range` (the ISO 8601 interval
 * "start/end") is part of every primary key and is the reconcile scope, so a rerun over the same
 * range replaces that range's rows (rows no longer reported are deleted) without touching other ranges.
 */
import type { DateTime } from 'luxon';
import type { ReportRange } from '../dates/report-range.ts';
import type { Scope } from '../destinations/destination.ts';
import type { Column, ColumnType, TableSchema } from '../normalize/table-schema.ts';
import type { ReportKind } from './report-options.ts';

export const REPORT_TABLES = {
  summary: 'report_summary',
  detailed: 'report_detailed',
  detailedTags: 'report_detailed__tags',
  weekly: 'report_weekly',
} as const;

const iso = (d: DateTime): string => d.toISO({ includeOffset: true })!;

/** "2026-11-01T00:00:00.000+01:00/2026-12-01T00:00:00.000+01:00". */
export const rangeKey = (range: ReportRange): string => `${iso(range.start)}/${iso(range.end)}`;

/** Columns every report row carries. */
export function rangeColumns(workspaceId: string, range: ReportRange): Record<string, unknown> {
  return {
    workspace_id: workspaceId,
    report_range: rangeKey(range),
    range_start: range.start.toJSDate(),
    range_end: range.end.toJSDate(),
    time_zone: range.timeZone,
  };
}

/** Reconcile scope of one report run: the rows of this workspace and range. */
export function reportReconcileScope(workspaceId: string, range: ReportRange): Scope {
  return { equals: { workspace_id: workspaceId, report_range: rangeKey(range) } };
}

const col = (name: string, type: ColumnType, nullable = true): Column => ({ name, type, nullable });
const key = (name: string, type: ColumnType = 'text'): Column => ({ name, type, nullable: false });

const RANGE_COLUMNS: Column[] = [key('workspace_id'), key('report_range'), col('range_start', 'timestamptz', false), col('range_end', 'timestamptz', false), col('time_zone', 'text', false)];
const DURATION_COLUMNS: Column[] = [col('duration_seconds', 'bigint'), col('duration_hours', 'double')];
const AMOUNT_COLUMNS: Column[] = [
  col('amount', 'decimal'),
  col('amount_type', 'text'),
  col('earned_amount', 'decimal'),
  col('cost_amount', 'decimal'),
  col('profit_amount', 'decimal'),
  col('currency', 'text'),
];

export const SUMMARY_SCHEMA: TableSchema = {
  name: REPORT_TABLES.summary,
  columns: [
    ...RANGE_COLUMNS,
    ...[1, 2, 3].flatMap((i) => [key(`group${i}_type`), key(`group${i}_id`), col(`group${i}_name`, 'text')]),
    ...DURATION_COLUMNS,
    ...AMOUNT_COLUMNS,
  ],
  primaryKey: ['workspace_id', 'report_range', 'group1_type', 'group1_id', 'group2_type', 'group2_id', 'group3_type', 'group3_id'],
};

export const DETAILED_SCHEMA: TableSchema = {
  name: REPORT_TABLES.detailed,
  columns: [
    ...RANGE_COLUMNS,
    key('id'),
    col('description', 'text'),
    col('billable', 'boolean'),
    col('type', 'text'),
    col('user_id', 'text'),
    col('user_name', 'text'),
    col('user_email', 'text'),
    col('project_id', 'text'),
    col('project_name', 'text'),
    col('project_color', 'text'),
    col('client_id', 'text'),
    col('client_name', 'text'),
    col('task_id', 'text'),
    col('task_name', 'text'),
    col('start', 'timestamptz'),
    col('end', 'timestamptz'),
    col('start_date', 'date'),
    ...DURATION_COLUMNS,
    col('approval_request_id', 'text'),
    col('is_locked', 'boolean'),
    ...AMOUNT_COLUMNS,
    col('rate', 'decimal'),
    col('earned_rate', 'decimal'),
    col('cost_rate', 'decimal'),
    col('custom_fields', 'json'),
    col('extra', 'json'),
  ],
  primaryKey: ['workspace_id', 'report_range', 'id'],
};

export const DETAILED_TAGS_SCHEMA: TableSchema = {
  name: REPORT_TABLES.detailedTags,
  columns: [key('workspace_id'), key('report_range'), key('entry_id'), key('tag_index', 'bigint'), col('tag_id', 'text'), col('tag_name', 'text')],
  primaryKey: ['workspace_id', 'report_range', 'entry_id', 'tag_index'],
  parent: { table: REPORT_TABLES.detailed, columns: ['workspace_id', 'report_range', 'entry_id'] },
};

export const WEEKLY_SCHEMA: TableSchema = {
  name: REPORT_TABLES.weekly,
  columns: [
    ...RANGE_COLUMNS,
    key('group_type'),
    key('group_id'),
    col('group_name', 'text'),
    key('subgroup_type'),
    key('subgroup_id'),
    col('subgroup_name', 'text'),
    col('date', 'date', false),
    ...DURATION_COLUMNS,
    ...AMOUNT_COLUMNS,
  ],
  primaryKey: ['workspace_id', 'report_range', 'group_type', 'group_id', 'subgroup_type', 'subgroup_id', 'date'],
};

/** The tables a report kind writes (parent before child). */
export function reportTableSchemas(kind: ReportKind): TableSchema[] {
  if (kind === 'summary') return [SUMMARY_SCHEMA];
  if (kind === 'weekly') return [WEEKLY_SCHEMA];
  return [DETAILED_SCHEMA, DETAILED_TAGS_SCHEMA];
}
