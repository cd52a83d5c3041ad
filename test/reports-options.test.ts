import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReportOptions } from '../src/reports/report-options.ts';
import { detailedBody, reportPath, summaryBody, weeklyBody } from '../src/reports/report-request.ts';
import { resolveReportRange } from '../src/dates/report-range.ts';
import { SyncError } from '../src/errors.ts';

const fails = (input: Parameters<typeof parseReportOptions>[0], code: string, ...mentions: RegExp[]) =>
  assert.throws(
    () => parseReportOptions(input),
    (e: unknown) => {
      assert.ok(e instanceof SyncError);
      assert.equal(e.code, code);
      assert.equal(e.exitCode, 2);
      for (const re of mentions) assert.match(`${e.message} ${e.hint ?? ''}`, re);
      return true;
    },
  );

test('defaults: PROJECT,USER groups, weekly by USER, users of every status, all amounts, UTC, Monday', () => {
  const o = parseReportOptions();
  assert.deepEqual(o.groups, ['PROJECT', 'USER']);
  assert.equal(o.weeklyGroup, 'USER');
  assert.equal(o.userStatus, 'ALL');
  assert.deepEqual(o.amounts, ['EARNED', 'COST', 'PROFIT']);
  assert.equal(o.timeZone, 'UTC');
  assert.equal(o.weekStart, 'MONDAY');
  assert.equal(o.billable, undefined);
  assert.equal(o.rounding, false);
});

test('lists accept comma text or arrays, any case, without duplicates', () => {
  const o = parseReportOptions({ groups: 'project, user ,date', users: ['u1,u2', 'u2'], tags: 't1', amounts: 'cost,earned', weeklyGroup: 'project', billable: 'false', rounding: 'yes', weekStart: 'sun', timeZone: 'Asia/Kolkata' });
  assert.deepEqual(o.groups, ['PROJECT', 'USER', 'DATE']);
  assert.deepEqual(o.users, ['u1', 'u2']);
  assert.deepEqual(o.tags, ['t1']);
  assert.deepEqual(o.amounts, ['COST', 'EARNED']);
  assert.equal(o.weeklyGroup, 'PROJECT');
  assert.equal(o.billable, false);
  assert.equal(o.rounding, true);
  assert.equal(o.weekStart, 'SUNDAY');
  assert.equal(o.timeZone, 'Asia/Kolkata');
});

test('bad options name the value and the allowed ones', () => {
  fails({ groups: 'PROJECT,USER,DATE,CLIENT' }, 'REPORT_GROUPS_INVALID', /at most 3/, /4/);
  fails({ groups: 'PROJET,USER' }, 'REPORT_GROUPS_INVALID', /PROJET/, /PROJECT\?/, /TIMEENTRY/);
  fails({ weeklyGroup: 'CLIENT' }, 'REPORT_OPTION_INVALID', /--weekly-group/, /USER, PROJECT/);
  fails({ amounts: 'earnd' }, 'REPORT_OPTION_INVALID', /earnd/, /EARNED/);
  fails({ billable: 'maybe' }, 'REPORT_OPTION_INVALID', /--billable/);
  fails({ userStatus: 'GONE' }, 'REPORT_OPTION_INVALID', /GONE/);
  fails({ timeZone: 'Europe/Atlantis' }, 'TIMEZONE_INVALID');
});

test('request bodies follow the spec filters', () => {
  const o = parseReportOptions({ groups: 'CLIENT,PROJECT', projects: 'p1,p2', clients: 'c1', tags: 't1', users: 'u1', billable: true, amounts: 'profit', timeZone: 'Europe/Berlin', weekStart: 'SUNDAY' });
  const range = resolveReportRange({ start: '2026-11-01', end: '2026-12-01', timeZone: 'Europe/Berlin' });
  const s = summaryBody(range, o);
  assert.equal(s.dateRangeStart, '2026-11-01T00:00:00.000');
  assert.equal(s.dateRangeEnd, '2026-11-30T23:59:59.999');
  assert.equal(s.timeZone, 'Europe/Berlin');
  assert.equal(s.weekStart, 'SUNDAY');
  assert.equal(s.dateRangeType, 'ABSOLUTE');
  assert.equal(s.amountShown, 'PROFIT');
  assert.deepEqual(s.amounts, ['PROFIT']);
  assert.equal(s.billable, true);
  assert.equal(s.rounding, false);
  assert.deepEqual(s.users, { ids: ['u1'], contains: 'CONTAINS', status: 'ALL' });
  assert.deepEqual(s.projects, { ids: ['p1', 'p2'], contains: 'CONTAINS', status: 'ALL' });
  assert.deepEqual(s.clients, { ids: ['c1'], contains: 'CONTAINS', status: 'ALL' });
  assert.deepEqual(s.tags, { ids: ['t1'], contains: 'CONTAINS', status: 'ALL', containedInTimeentry: 'CONTAINS' });
  assert.deepEqual(s.summaryFilter, { groups: ['CLIENT', 'PROJECT'], sortColumn: 'GROUP' });

  const d = detailedBody(range, o, 3);
  assert.deepEqual(d.detailedFilter, { page: 3, pageSize: 1000, sortColumn: 'DATE', options: { totals: 'CALCULATE' } });
  assert.equal(d.summaryFilter, undefined);
  const w = weeklyBody(range, o);
  assert.deepEqual(w.weeklyFilter, { group: 'USER', subgroup: 'TIME' });

  const bare = summaryBody(range, parseReportOptions());
  for (const k of ['projects', 'clients', 'tags', 'billable']) assert.equal(k in bare, false, k);
  assert.deepEqual(bare.users, { ids: [], contains: 'CONTAINS', status: 'ALL' });
  assert.equal(reportPath('ws 1', 'weekly'), '/workspaces/ws%201/reports/weekly');
});
