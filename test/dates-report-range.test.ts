import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxReportDays, rangeToApi, resolveReportRange, splitRange, weeklyWindows, type ReportRange } from '../src/dates/report-range.ts';
import { SyncError } from '../src/errors.ts';

const iso = (r: ReportRange) => [r.start.toISO(), r.end.toISO()];
const days = (r: ReportRange) => r.end.diff(r.start, 'days').days;

test('no start and no end: one month ago (start of that day) to the coming midnight', () => {
  const cases: [now: string, zone: string, start: string, end: string][] = [
    ['2026-11-23T12:40:00Z', 'UTC', '2026-10-23T00:00:00.000Z', '2026-11-24T00:00:00.000Z'],
    ['2026-11-23T12:40:00Z', 'Pacific/Auckland', '2026-10-24T00:00:00.000+13:00', '2026-11-25T00:00:00.000+13:00'],
    ['2026-11-23T02:00:00Z', 'America/New_York', '2026-10-22T00:00:00.000-04:00', '2026-11-23T00:00:00.000-05:00'],
    ['2026-03-31T10:00:00Z', 'Asia/Kolkata', '2026-02-28T00:00:00.000+05:30', '2026-04-01T00:00:00.000+05:30'],
    ['2028-03-29T10:00:00Z', 'Europe/Berlin', '2028-02-29T00:00:00.000+01:00', '2028-03-30T00:00:00.000+02:00'],
  ];
  for (const [now, timeZone, start, end] of cases) {
    const r = resolveReportRange({ now, timeZone });
    assert.deepEqual(iso(r), [start, end], `${now} in ${timeZone}`);
    assert.equal(r.rule, 'default');
    assert.equal(r.timeZone, timeZone);
    assert.deepEqual(r.notes, []);
  }
});

test('end only: as with no dates, with a note', () => {
  const r = resolveReportRange({ now: '2026-11-23T12:40:00Z', end: '2026-12-01' });
  assert.equal(r.rule, 'end-only');
  assert.deepEqual(iso(r), ['2026-10-23T00:00:00.000Z', '2026-11-24T00:00:00.000Z']);
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0], /--end without --start is ignored/);
});

test('start only: start to start + 1 month', () => {
  const cases: [start: string, zone: string, from: string, to: string][] = [
    ['2026-11-01', 'Europe/Berlin', '2026-11-01T00:00:00.000+01:00', '2026-12-01T00:00:00.000+01:00'],
    ['2026-10-01', 'Europe/Berlin', '2026-10-01T00:00:00.000+02:00', '2026-11-01T00:00:00.000+01:00'],
    ['2026-01-31', 'UTC', '2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z'],
    ['2028-01-31', 'UTC', '2028-01-31T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['2026-11-01T08:30:00', 'America/New_York', '2026-11-01T08:30:00.000-05:00', '2026-12-01T08:30:00.000-05:00'],
    ['2026-11-01T08:30:00Z', 'Asia/Kolkata', '2026-11-01T14:00:00.000+05:30', '2026-12-01T14:00:00.000+05:30'],
  ];
  for (const [start, timeZone, from, to] of cases) {
    const r = resolveReportRange({ start, timeZone, now: '2026-11-23T12:00:00Z' });
    assert.equal(r.rule, 'start-only');
    assert.deepEqual(iso(r), [from, to], `${start} in ${timeZone}`);
  }
});

test('both: as given, end exclusive at 00:00 (all of November is 11-01 → 12-01)', () => {
  const r = resolveReportRange({ start: '2026-11-01', end: '2026-12-01', timeZone: 'America/New_York' });
  assert.equal(r.rule, 'both');
  assert.deepEqual(iso(r), ['2026-11-01T00:00:00.000-04:00', '2026-12-01T00:00:00.000-05:00']);
  assert.deepEqual(rangeToApi(r), { dateRangeStart: '2026-11-01T00:00:00.000', dateRangeEnd: '2026-11-30T23:59:59.999', timeZone: 'America/New_York' });
});

test('macros in --start/--end are computed in UTC by default, then read in the report zone', () => {
  // 2026-11-30T20:00Z is already 2026-12-01 09:00 in Auckland.
  const base = { now: '2026-11-30T20:00:00Z', start: '{{lastmonthstart}}', end: '{{thismonthstart}}', timeZone: 'Pacific/Auckland' };
  const utc = resolveReportRange(base);
  assert.deepEqual(iso(utc), ['2026-10-01T00:00:00.000+13:00', '2026-11-01T00:00:00.000+13:00']);
  const local = resolveReportRange({ ...base, macroTimeZone: 'Pacific/Auckland' });
  assert.deepEqual(iso(local), ['2026-11-01T00:00:00.000+13:00', '2026-12-01T00:00:00.000+13:00']);
  // A --now without offset is one clock for both zones (read in the macro zone).
  const pinned = resolveReportRange({ now: '2026-12-01T09:00:00', timeZone: 'UTC', macroTimeZone: 'Pacific/Auckland', start: '{{today}}' });
  assert.equal(pinned.start.toISO(), '2026-12-01T00:00:00.000Z');
  // Text around a macro.
  const t = resolveReportRange({ now: '2026-11-23T12:00:00Z', start: '{{yesterday}}T06:00:00', end: '{{today}}T06:00:00', timeZone: 'Europe/Berlin' });
  assert.deepEqual(iso(t), ['2026-11-22T06:00:00.000+01:00', '2026-11-23T06:00:00.000+01:00']);
  // Week start applies to week macros.
  const w = resolveReportRange({ now: '2026-11-25T12:00:00Z', start: '{{lastweekstart}}', end: '{{thisweekstart}}', weekStart: 'SUNDAY' });
  assert.deepEqual(iso(w), ['2026-11-15T00:00:00.000Z', '2026-11-22T00:00:00.000Z']);
});

test('an --end macro printed as the last day of a period warns that the day is excluded', () => {
  const r = resolveReportRange({ now: '2026-12-05T12:00:00Z', start: '{{lastmonthstart}}', end: '{{lastmonthend}}' });
  assert.deepEqual(iso(r), ['2026-11-01T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0], /2026-11-30 itself is not included/);
  const ok = resolveReportRange({ now: '2026-12-05T12:00:00Z', start: '{{lastmonthstart}}', end: '{{thismonthstart}}' });
  assert.deepEqual(ok.notes, []);
});

test('bad ranges are refused', () => {
  const code = (fn: () => unknown, c: string) => assert.throws(fn, (e: unknown) => e instanceof SyncError && e.code === c && e.exitCode === 2);
  code(() => resolveReportRange({ start: '2026-12-01', end: '2026-12-01' }), 'RANGE_INVALID');
  code(() => resolveReportRange({ start: '2026-12-01', end: '2026-11-01' }), 'RANGE_INVALID');
  code(() => resolveReportRange({ start: 'soon' }), 'DATE_INVALID');
  code(() => resolveReportRange({ start: '{{lastmonthstart.format(MMMM)}} and {{today}}' }), 'DATE_INVALID');
  code(() => resolveReportRange({ start: '{{lastmonthstrat}}' }), 'MACRO_INVALID');
  code(() => resolveReportRange({ timeZone: 'Nowhere/Town' }), 'TIMEZONE_INVALID');
  code(() => resolveReportRange({ weekStart: 'someday' }), 'WEEK_START_INVALID');
});

test('splitRange: chunks of at most N calendar days, contiguous, covering the range', () => {
  const r = resolveReportRange({ start: '2026-01-01', end: '2026-04-01' });
  const chunks = splitRange(r, 31);
  assert.deepEqual(chunks.map((c) => c.start.toISODate()), ['2026-01-01', '2026-02-01', '2026-03-04']);
  assert.deepEqual(chunks.map(days), [31, 31, 28]);
  assert.equal(chunks[0].start.toMillis(), r.start.toMillis());
  assert.equal(chunks.at(-1)!.end.toMillis(), r.end.toMillis());
  for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i].start.toMillis(), chunks[i - 1].end.toMillis());

  // Across a DST change the boundaries stay at local midnight.
  const be = resolveReportRange({ start: '2026-03-01', end: '2026-04-15', timeZone: 'Europe/Berlin' });
  const beChunks = splitRange(be, 31);
  assert.deepEqual(beChunks.map(rangeToApi), [
    { dateRangeStart: '2026-03-01T00:00:00.000', dateRangeEnd: '2026-03-31T23:59:59.999', timeZone: 'Europe/Berlin' },
    { dateRangeStart: '2026-04-01T00:00:00.000', dateRangeEnd: '2026-04-14T23:59:59.999', timeZone: 'Europe/Berlin' },
  ]);

  assert.deepEqual(splitRange(r, null), [r]);
  assert.equal(splitRange(r, 366).length, 1);
  assert.equal(splitRange(r, 1).length, 90);
  assert.throws(() => splitRange(r, 0), RangeError);
});

test('weeklyWindows: 7-day windows beginning on the week start, covering the range', () => {
  const nov = resolveReportRange({ start: '2026-11-01', end: '2026-12-01' }); // 2026-11-01 is a Sunday
  const starts = (ws: 'MONDAY' | 'SUNDAY' | 'SATURDAY') => weeklyWindows(nov, ws).map((w) => w.start.toISODate());
  assert.deepEqual(starts('MONDAY'), ['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
  assert.deepEqual(starts('SUNDAY'), ['2026-11-01', '2026-11-08', '2026-11-15', '2026-11-22', '2026-11-29']);
  assert.deepEqual(starts('SATURDAY'), ['2026-10-31', '2026-11-07', '2026-11-14', '2026-11-21', '2026-11-28']);
  for (const w of weeklyWindows(nov, 'MONDAY')) assert.equal(days(w), 7);

  // New York spring forward: the window is 7 wall-clock days (167 hours), as the API wants.
  const ny = resolveReportRange({ start: '2026-03-02', end: '2026-03-16', timeZone: 'America/New_York' });
  const win = weeklyWindows(ny, 'MONDAY');
  assert.deepEqual(win.map((w) => w.start.toISODate()), ['2026-03-02', '2026-03-09']);
  assert.equal(win[0].end.diff(win[0].start, 'hours').hours, 167);
  assert.deepEqual(rangeToApi(win[0]), { dateRangeStart: '2026-03-02T00:00:00.000', dateRangeEnd: '2026-03-08T23:59:59.999', timeZone: 'America/New_York' });
});

test('maxReportDays: 31 on FREE, a year on paid plans, none when unlimited', () => {
  assert.equal(maxReportDays({ plan: 'FREE' }), 31);
  assert.equal(maxReportDays({ featureSubscriptionType: 'FREE' }), 31);
  assert.equal(maxReportDays({}), 31);
  assert.equal(maxReportDays({ featureSubscriptionType: 'PRO_YEAR', features: ['TIME_TRACKING'] }), 366);
  assert.equal(maxReportDays({ featureSubscriptionType: 'BUNDLE_YEAR_2024' }), 366);
  assert.equal(maxReportDays({ featureSubscriptionType: 'PRO_YEAR', features: ['ONE_MONTH_RANGE_REPORTS'] }), 31);
  assert.equal(maxReportDays({ featureSubscriptionType: 'FREE', features: ['UNLIMITED_REPORTS'] }), null);
});
