import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNormalizer } from '../src/normalize/normalizer.ts';
import { snakeCase } from '../src/normalize/naming.ts';
import { isoDurationSeconds } from '../src/normalize/values.ts';
import { STREAMS } from '../src/streams/stream-table.ts';
import type { TableSchema } from '../src/normalize/table-schema.ts';

const WS = '64a687e29ae1f428e7ebe303';
const entry = (over: Record<string, unknown> = {}) => ({
  id: '64c777ddd3fcab07cfbb210c', description: 'Sprint planning', userId: 'u1', workspaceId: WS, projectId: 'p1', taskId: null,
  tagIds: ['t1', 't2'], billable: false, isLocked: false, type: 'REGULAR', kioskId: null,
  timeInterval: { start: '2026-05-20T06:00:00Z', end: '2026-05-20T14:00:00Z', duration: 'PT8H' },
  hourlyRate: { amount: 10500, currency: 'USD' }, costRate: null,
  customFieldValues: [{ customFieldId: 'cf1', timeEntryId: '64c777ddd3fcab07cfbb210c', name: 'Ticket', type: 'TIMEENTRY', value: 'CF-001' }],
  ...over,
});
const col = (t: TableSchema, name: string) => t.columns.find((c) => c.name === name);
const table = (tables: TableSchema[], name: string) => {
  const t = tables.find((x) => x.name === name);
  assert.ok(t, `table ${name}`);
  return t;
};

test('snake_case names', () => {
  assert.equal(snakeCase('timeInterval'), 'time_interval');
  assert.equal(snakeCase('isLocked'), 'is_locked');
  assert.equal(snakeCase('customFieldValues'), 'custom_field_values');
  assert.equal(snakeCase('userID'), 'user_id');
  assert.equal(snakeCase('HTMLParser'), 'html_parser');
  assert.equal(snakeCase('page-size'), 'page_size');
  assert.equal(snakeCase('_id'), 'id');
  assert.equal(snakeCase('2fa'), '_2fa');
  assert.equal(snakeCase('Größe'), 'größe');
  assert.equal(snakeCase('名前'), '名前');
});

test('ISO 8601 durations in seconds', () => {
  assert.equal(isoDurationSeconds('PT8H'), 28800);
  assert.equal(isoDurationSeconds('PT1H30M'), 5400);
  assert.equal(isoDurationSeconds('PT45S'), 45);
  assert.equal(isoDurationSeconds('PT0S'), 0);
  assert.equal(isoDurationSeconds('P1DT2H'), 93600);
  assert.equal(isoDurationSeconds('PT1.5S'), 1.5);
  assert.equal(isoDurationSeconds('-PT5M'), -300);
  assert.equal(isoDurationSeconds('PT999H'), 999 * 3600);
  for (const bad of ['', 'P', 'PT', '8H', 'PTH', 'PT5X', 'P5H', null, 42]) assert.equal(isoDurationSeconds(bad), null, String(bad));
});

test('time entries: flattened columns, types, durations, child tables, workspace_id everywhere', () => {
  const n = createNormalizer(STREAMS);
  const { rows, newColumns } = n.normalize('time_entries', WS, [entry()]);
  assert.deepEqual(newColumns, []);
  assert.deepEqual([...rows.keys()], ['time_entries', 'time_entries__tags', 'time_entries__custom_field_values']);
  const [row] = rows.get('time_entries')!;
  assert.equal(row.workspace_id, WS);
  assert.equal(row.id, '64c777ddd3fcab07cfbb210c');
  assert.equal(row.user_id, 'u1');
  assert.equal(row.task_id, null);
  assert.deepEqual(row.time_interval__start, new Date('2026-05-20T06:00:00Z'));
  assert.ok(row.time_interval__end instanceof Date);
  assert.equal(row.time_interval__duration, 'PT8H');
  assert.equal(row.time_interval__duration_seconds, 28800);
  assert.equal(row.hourly_rate__amount, 10500);
  assert.equal(row.hourly_rate__currency, 'USD');
  assert.equal(row.cost_rate__amount ?? null, null);
  assert.equal(row.billable, false);
  assert.ok(!('tag_ids' in row) && !('custom_field_values' in row), 'lists are child tables, not columns');
  assert.deepEqual(rows.get('time_entries__tags'), [
    { workspace_id: WS, time_entry_id: '64c777ddd3fcab07cfbb210c', tag_id: 't1' },
    { workspace_id: WS, time_entry_id: '64c777ddd3fcab07cfbb210c', tag_id: 't2' },
  ]);
  const [cfv] = rows.get('time_entries__custom_field_values')!;
  assert.equal(cfv.workspace_id, WS);
  assert.equal(cfv.time_entry_id, '64c777ddd3fcab07cfbb210c');
  assert.equal(cfv.custom_field_id, 'cf1');
  assert.equal(cfv.value, 'CF-001');
  assert.equal(cfv.name, 'Ticket');
  assert.equal(cfv.type, 'TIMEENTRY');

  const tables = n.tablesFor('time_entries');
  const te = table(tables, 'time_entries');
  assert.deepEqual(te.primaryKey, ['id']);
  assert.equal(col(te, 'time_interval__start')?.type, 'timestamptz');
  assert.equal(col(te, 'time_interval__duration')?.type, 'text');
  assert.equal(col(te, 'time_interval__duration_seconds')?.type, 'bigint');
  assert.equal(col(te, 'hourly_rate__amount')?.type, 'bigint');
  assert.equal(col(te, 'billable')?.type, 'boolean');
  assert.equal(te.columns[0].name, 'workspace_id');
  const tags = table(tables, 'time_entries__tags');
  assert.deepEqual(tags.primaryKey, ['time_entry_id', 'tag_id']);
  assert.deepEqual(tags.parent, { table: 'time_entries', columns: ['time_entry_id'] });
  assert.deepEqual(table(tables, 'time_entries__custom_field_values').primaryKey, ['time_entry_id', 'custom_field_id']);
  for (const t of tables) assert.ok(col(t, 'workspace_id'), `${t.name}.workspace_id`);
});

test('running timer: null end and duration give null seconds; a null duration with an end is computed', () => {
  const n = createNormalizer(STREAMS);
  const running = entry({ id: 'r', timeInterval: { start: '2026-05-20T06:00:00Z', end: null, duration: null } });
  const noDuration = entry({ id: 'd', timeInterval: { start: '2026-05-20T06:00:00Z', end: '2026-05-20T06:30:15Z', duration: null } });
  const rows = n.normalize('time_entries', WS, [running, noDuration]).rows.get('time_entries')!;
  assert.equal(rows[0].time_interval__end ?? null, null);
  assert.equal(rows[0].time_interval__duration_seconds ?? null, null);
  assert.equal(rows[1].time_interval__duration ?? null, null);
  assert.equal(rows[1].time_interval__duration_seconds, 1815);
});

test('null and empty lists: no child rows; duplicate ids in a list give one child row', () => {
  const n = createNormalizer(STREAMS);
  const res = n.normalize('time_entries', WS, [entry({ id: 'a', tagIds: null, customFieldValues: [] }), entry({ id: 'b', tagIds: ['x', 'x'] })]);
  assert.equal(res.rows.get('time_entries')!.length, 2);
  assert.deepEqual(res.rows.get('time_entries__tags')!.map((r) => [r.time_entry_id, r.tag_id]), [['b', 'x']]);
});

test('unknown fields become new columns (typed from the value, nested flattened), reported once, never dropped', () => {
  const n = createNormalizer(STREAMS);
  const first = n.normalize('time_entries', WS, [entry({ id: 'a' })]);
  assert.deepEqual(first.newColumns, []);
  const before = n.tablesFor('time_entries')[0].columns.length;
  const res = n.normalize('time_entries', WS, [
    entry({ id: 'b', approvalStatus: 'PENDING', sequence: 3, flagged: true, locations: ['a', 'b'], meta: { source: 'kiosk', deviceInfo: { osName: 'ios' } }, laterNull: null }),
    entry({ id: 'c' }),
  ]);
  const added = res.newColumns.map((c) => `${c.table}.${c.column.name}:${c.column.type}`);
  assert.deepEqual(added, [
    'time_entries.approval_status:text', 'time_entries.sequence:double', 'time_entries.flagged:boolean', 'time_entries.locations:json',
    'time_entries.meta__source:text', 'time_entries.meta__device_info__os_name:text',
  ]);
  const [b, c] = res.rows.get('time_entries')!;
  assert.equal(b.approval_status, 'PENDING');
  assert.equal(b.sequence, 3);
  assert.equal(b.flagged, true);
  assert.deepEqual(b.locations, ['a', 'b']);
  assert.equal(b.meta__source, 'kiosk');
  assert.equal(b.meta__device_info__os_name, 'ios');
  assert.equal(c.approval_status ?? null, null);
  // Known fields of the same records still land (the fast path recompiled with the new columns).
  assert.equal(c.time_interval__duration_seconds, 28800);
  const te = n.tablesFor('time_entries')[0];
  assert.equal(te.columns.length, before + 6);
  assert.ok(n.tables().find((t) => t.name === 'time_entries')!.columns.some((x) => x.name === 'meta__device_info__os_name'));
  // Reported once: the next batch with the same fields reports nothing.
  assert.deepEqual(n.normalize('time_entries', WS, [entry({ id: 'd', approvalStatus: 'X', meta: { source: 's' } })]).newColumns, []);
  // Unknown fields inside child items become child-table columns.
  const child = n.normalize('time_entries', WS, [entry({ id: 'e', customFieldValues: [{ customFieldId: 'cf9', value: 1, unitLabel: 'h' }] })]);
  assert.deepEqual(child.newColumns.map((c) => `${c.table}.${c.column.name}`), ['time_entries__custom_field_values.unit_label']);
  assert.equal(child.rows.get('time_entries__custom_field_values')![0].unit_label, 'h');
});

test('unicode text, custom-field values of every shape', () => {
  const n = createNormalizer(STREAMS);
  const desc = 'Réunion 会議 — 🚀 Ünïcödé';
  const { rows } = n.normalize('time_entries', WS, [entry({
    description: desc,
    customFieldValues: [
      { customFieldId: 'txt', value: 'ß' }, { customFieldId: 'num', value: 2.5 }, { customFieldId: 'multi', value: ['a', 'b'] },
      { customFieldId: 'check', value: true }, { customFieldId: 'empty', value: null },
    ],
  })]);
  assert.equal(rows.get('time_entries')![0].description, desc);
  assert.deepEqual(rows.get('time_entries__custom_field_values')!.map((r) => r.value ?? null), ['ß', 2.5, ['a', 'b'], true, null]);
});

test('users: composite key, memberships child table keyed by (workspace_id, user_id), settings flattened, null settings', () => {
  const n = createNormalizer(STREAMS);
  const user = {
    id: 'u1', email: 'a@b.c', name: 'Ana', status: 'LIMITED', activeWorkspace: WS, defaultWorkspace: WS, profilePicture: '',
    customFields: [{ customFieldId: 'cfu', customFieldName: 'TIN', customFieldType: 'TXT', userId: 'u1', value: '42' }],
    memberships: [
      { userId: 'u1', targetId: WS, membershipType: 'WORKSPACE', membershipStatus: 'INACTIVE', hourlyRate: { amount: 20000, currency: 'USD' }, costRate: null },
      { userId: 'u1', targetId: 'p1', membershipType: 'PROJECT', membershipStatus: 'ACTIVE', hourlyRate: null, costRate: null },
    ],
    settings: { weekStart: 'MONDAY', timeZone: 'Europe/Berlin', summaryReportSettings: { group: 'PROJECT', subgroup: 'CLIENT' } },
  };
  const { rows } = n.normalize('users', WS, [user, { ...user, id: 'u2', memberships: [], customFields: [], settings: null }]);
  const [u1, u2] = rows.get('users')!;
  assert.equal(u1.settings__week_start, 'MONDAY');
  assert.equal(u1.settings__summary_report_settings__group, 'PROJECT');
  assert.equal(u2.settings__week_start ?? null, null);
  const m = rows.get('users__memberships')!;
  assert.deepEqual(m.map((r) => [r.workspace_id, r.user_id, r.target_id, r.membership_type, r.membership_status, r.hourly_rate__amount ?? null]), [
    [WS, 'u1', WS, 'WORKSPACE', 'INACTIVE', 20000], [WS, 'u1', 'p1', 'PROJECT', 'ACTIVE', null],
  ]);
  assert.equal(rows.get('users__custom_fields')![0].custom_field_id, 'cfu');
  const tables = n.tablesFor('users');
  assert.deepEqual(table(tables, 'users').primaryKey, ['workspace_id', 'id']);
  assert.deepEqual(table(tables, 'users__memberships').parent, { table: 'users', columns: ['workspace_id', 'user_id'] });
  assert.deepEqual(table(tables, 'users__memberships').primaryKey, ['workspace_id', 'user_id', 'target_id', 'membership_type']);
});

test('projects: memberships child, hydrated tasks are not a column, estimates as durations; tasks and user groups children', () => {
  const n = createNormalizer(STREAMS);
  const project = {
    id: 'p1', name: 'Site', workspaceId: WS, clientId: 'c1', archived: true, duration: 'PT123H30M',
    hourlyRate: { amount: 10500, currency: 'USD' }, estimate: { estimate: 'PT10H', type: 'MANUAL' },
    memberships: [{ userId: 'u1', targetId: 'p1', membershipType: 'PROJECT', membershipStatus: 'ACTIVE', hourlyRate: null, costRate: null }],
    tasks: [{ id: 't1', name: 'Task' }],
  };
  const res = n.normalize('projects', WS, [project]);
  assert.deepEqual(res.newColumns, []);
  const [p] = res.rows.get('projects')!;
  assert.equal(p.archived, true);
  assert.equal(p.duration_seconds, 123 * 3600 + 1800);
  assert.equal(p.estimate__estimate_seconds, 36000);
  assert.equal(p.hourly_rate__amount, 10500);
  assert.ok(!Object.keys(p).some((k) => k.startsWith('tasks')));
  assert.deepEqual(res.rows.get('projects__memberships')!.map((r) => [r.project_id, r.user_id, r.membership_status]), [['p1', 'u1', 'ACTIVE']]);

  const tasks = n.normalize('tasks', WS, [{ id: 't1', name: 'T', projectId: 'p1', assigneeIds: ['u1', 'u2'], userGroupIds: ['g1'], estimate: 'PT2H', status: 'DONE' }]);
  assert.equal(tasks.rows.get('tasks')![0].workspace_id, WS);
  assert.equal(tasks.rows.get('tasks')![0].estimate_seconds, 7200);
  assert.deepEqual(tasks.rows.get('tasks__assignees')!.map((r) => [r.task_id, r.user_id]), [['t1', 'u1'], ['t1', 'u2']]);
  assert.deepEqual(tasks.rows.get('tasks__user_groups')!.map((r) => r.user_group_id), ['g1']);
  const groups = n.normalize('user_groups', WS, [{ id: 'g1', name: 'Dev', workspaceId: WS, userIds: ['u1'] }]);
  assert.deepEqual(groups.rows.get('user_groups__users'), [{ workspace_id: WS, user_group_id: 'g1', user_id: 'u1' }]);
});

test('holidays: dates stay dates; workspaces: settings timestamps; columns are deterministic', () => {
  const n = createNormalizer(STREAMS);
  const h = n.normalize('holidays', WS, [{ id: 'h1', name: 'Noël', datePeriod: { startDate: '2026-12-25', endDate: '2026-12-26' }, userIds: ['u1'], userGroupIds: [] }]);
  assert.equal(h.rows.get('holidays')![0].date_period__start_date, '2026-12-25');
  assert.equal(col(n.tablesFor('holidays')[0], 'date_period__start_date')?.type, 'date');
  assert.deepEqual(h.rows.get('holidays__users')!.map((r) => r.holiday_id), ['h1']);
  const w = n.normalize('workspaces', WS, [{ id: WS, name: 'W', workspaceSettings: { lockTimeEntries: '2024-02-25T23:00:00Z', workingDays: ['MONDAY'] } }]);
  const [wr] = w.rows.get('workspaces')!;
  assert.equal(wr.workspace_id, WS);
  assert.deepEqual(wr.workspace_settings__lock_time_entries, new Date('2024-02-25T23:00:00Z'));
  assert.deepEqual(wr.workspace_settings__working_days, ['MONDAY']);
  const names = (x: ReturnType<typeof createNormalizer>) => x.tables().map((t) => `${t.name}(${t.columns.map((c) => c.name).join(',')})`);
  assert.deepEqual(names(createNormalizer(STREAMS)), names(createNormalizer(STREAMS)));
});

test('many records, stable output: the compiled and interpreted paths give the same rows', () => {
  const n = createNormalizer(STREAMS);
  const records = Array.from({ length: 2000 }, (_, i) => entry({ id: `e${i}`, tagIds: i % 3 ? ['t1'] : null, ...(i === 1000 ? { brandNew: 'x' } : {}) }));
  const rows = n.normalize('time_entries', WS, records).rows.get('time_entries')!;
  const strip = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null && v !== undefined));
  const { brand_new, ...slow } = strip(rows[1000]);
  assert.equal(brand_new, 'x');
  assert.deepEqual(slow, { ...strip(rows[999]), id: 'e1000' });
  assert.deepEqual(strip(rows[1001]), { ...strip(rows[999]), id: 'e1001', });
});

test('a scalar or a list where the schema expects an object is kept in a JSON column, not dropped', () => {
  const n = createNormalizer(STREAMS);
  const res = n.normalize('projects', WS, [
    { id: 'p1', budgetEstimate: 5000 },
    { id: 'p2', budgetEstimate: { estimate: 7, type: 'MANUAL' } },
    { id: 'p3', budgetEstimate: [1, 2] },
  ]);
  assert.deepEqual(res.newColumns.map((c) => `${c.column.name}:${c.column.type}`), ['budget_estimate:json']);
  const [p1, p2, p3] = res.rows.get('projects')!;
  assert.equal(p1.budget_estimate, 5000);
  assert.equal(p2.budget_estimate__estimate, 7);
  assert.equal(p2.budget_estimate ?? null, null);
  assert.deepEqual(p3.budget_estimate, [1, 2]);
});
