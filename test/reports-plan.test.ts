import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReport } from '../src/reports/report-plan.ts';
import { SyncError } from '../src/errors.ts';

const ws = { id: 'w1', featureSubscriptionType: 'FREE', features: [], weekStart: 'SUNDAY' };

test('zone: --time-zone, else the profile zone (stated in the notes), else UTC', () => {
  const flag = planReport({ kind: 'summary', workspace: ws, profileTimeZone: 'Europe/Berlin', timeZone: 'Asia/Kolkata', now: '2026-11-23T12:00:00Z' });
  assert.equal(flag.run.options.timeZone, 'Asia/Kolkata');
  assert.equal(flag.timeZoneSource, 'flag');
  const profile = planReport({ kind: 'summary', workspace: ws, profileTimeZone: 'Europe/Berlin', now: '2026-11-23T12:00:00Z' });
  assert.equal(profile.run.range.timeZone, 'Europe/Berlin');
  assert.match(profile.notes[0], /Europe\/Berlin \(the key owner's profile\)/);
  assert.equal(planReport({ kind: 'summary', workspace: ws }).timeZoneSource, 'default');
});

test('macros are computed in UTC unless --time-zone, then read in the report zone', () => {
  // 2026-11-30T20:00Z is already December in Auckland.
  const base = { kind: 'detailed' as const, workspace: ws, profileTimeZone: 'Pacific/Auckland', now: '2026-11-30T20:00:00Z', start: '{{thismonthstart}}', end: '{{nextmonthstart}}' };
  const p = planReport(base);
  assert.equal(p.range.start.toISO(), '2026-11-01T00:00:00.000+13:00');
  const q = planReport({ ...base, timeZone: 'Pacific/Auckland' });
  assert.equal(q.range.start.toISO(), '2026-12-01T00:00:00.000+13:00');
});

test('week starts: macros on Monday unless --week-start, weekly windows on the workspace week start', () => {
  const p = planReport({ kind: 'weekly', workspace: ws, now: '2026-11-25T12:00:00Z', start: '{{lastweekstart}}', end: '{{thisweekstart}}' });
  assert.equal(p.range.start.toISODate(), '2026-11-16'); // Monday
  assert.equal(p.run.options.weekStart, 'SUNDAY'); // the workspace's, for the weekly windows and body
  const q = planReport({ kind: 'weekly', workspace: ws, now: '2026-11-25T12:00:00Z', start: '{{lastweekstart}}', end: '{{thisweekstart}}', weekStart: 'saturday' });
  assert.equal(q.range.start.toISODate(), '2026-11-14');
  assert.equal(q.run.options.weekStart, 'SATURDAY');
});

test('plan limits and option errors', () => {
  const p = planReport({ kind: 'summary', workspace: ws, start: '2026-01-01', end: '2026-04-01', options: { groups: 'DATE' } });
  assert.equal(p.run.maxDays, 31);
  assert.match(p.notes.join('\n'), /allows 31 days per report request/);
  assert.equal(planReport({ kind: 'summary', workspace: { id: 'w', featureSubscriptionType: 'PRO_YEAR' } }).run.maxDays, 366);
  assert.throws(() => planReport({ kind: 'summary', workspace: ws, options: { groups: 'A,B' } }), (e: unknown) => e instanceof SyncError && e.code === 'REPORT_GROUPS_INVALID');
  assert.throws(() => planReport({ kind: 'summary', workspace: ws, start: '{{nope}}' }), (e: unknown) => e instanceof SyncError && e.code === 'MACRO_INVALID');
});
