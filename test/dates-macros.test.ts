import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDateExpression, resolveInstant, runMacroCommand } from '../src/dates/macros.ts';
import { SyncError } from '../src/errors.ts';

type Case = [expr: string, expected: string];

/** Runs each [expr, expected] at one clock, zone and week start. */
function table(name: string, now: string, timeZone: string, weekStart: string, cases: Case[]): void {
  test(`${name} (${timeZone}, weeks from ${weekStart}, now ${now})`, () => {
    for (const [expr, expected] of cases) {
      assert.equal(runMacroCommand({ expr, now, timeZone, weekStart }), expected, `${expr} in ${timeZone}`);
    }
  });
}

// Wednesday 2026-08-26 10:15:30 UTC (Coupler's doc examples use 2026-08-26).
const WED = '2026-08-26T10:15:30Z';

table('every Coupler date macro', WED, 'UTC', 'MONDAY', [
  ['{{today}}', '2026-08-26'],
  ['{{yesterday}}', '2026-08-25'],
  ['{{tomorrow}}', '2026-08-27'],
  ['{{thisweekstart}}', '2026-08-24'],
  ['{{thisweekend}}', '2026-08-30'],
  ['{{lastweekstart}}', '2026-08-17'],
  ['{{lastweekend}}', '2026-08-23'],
  ['{{nextweekstart}}', '2026-08-31'],
  ['{{nextweekend}}', '2026-09-06'],
  ['{{thismonthstart}}', '2026-08-01'],
  ['{{thismonthend}}', '2026-08-31'],
  ['{{lastmonthstart}}', '2026-07-01'],
  ['{{lastmonthend}}', '2026-07-31'],
  ['{{nextmonthstart}}', '2026-09-01'],
  ['{{nextmonthend}}', '2026-09-30'],
  ['{{thisquarterstart}}', '2026-07-01'],
  ['{{thisquarterend}}', '2026-09-30'],
  ['{{lastquarterstart}}', '2026-04-01'],
  ['{{lastquarterend}}', '2026-06-30'],
  ['{{nextquarterstart}}', '2026-10-01'],
  ['{{nextquarterend}}', '2026-12-31'],
  ['{{thisyearstart}}', '2026-01-01'],
  ['{{thisyearend}}', '2026-12-31'],
  ['{{lastyearstart}}', '2025-01-01'],
  ['{{lastyearend}}', '2025-12-31'],
  ['{{nextyearstart}}', '2027-01-01'],
  ['{{nextyearend}}', '2027-12-31'],
  ['{{weekago}}', '2026-08-19'],
  ['{{monthago}}', '2026-07-26'],
  ['{{quarterago}}', '2026-05-26'],
  ['{{yearago}}', '2025-08-26'],
  ['{{30daysago}}', '2026-07-27'],
  ['{{2weeksago}}', '2026-08-12'],
  ['{{3monthsago}}', '2026-05-26'],
  ['{{2quartersago}}', '2026-02-26'],
  ['{{2yearsago}}', '2024-08-26'],
  ['{{10daysfromnow}}', '2026-09-05'],
  ['{{2weeksfromnow}}', '2026-09-09'],
  ['{{1yearfromnow}}', '2027-08-26'],
  ['{{1quarterfromnow}}', '2026-11-26'],
  ['{{0daysago}}', '2026-08-26'],
  ['{{365daysago}}', '2025-08-26'],
  ['{{ Today }}', '2026-08-26'],
]);

table('every Coupler date-time macro', WED, 'UTC', 'MONDAY', [
  ['{{now}}', '2026-08-26T10:15:30Z'],
  ['{{thishourstart}}', '2026-08-26T10:00:00Z'],
  ['{{thishourend}}', '2026-08-26T10:59:59Z'],
  ['{{lasthourstart}}', '2026-08-26T09:00:00Z'],
  ['{{lasthourend}}', '2026-08-26T09:59:59Z'],
  ['{{nexthourstart}}', '2026-08-26T11:00:00Z'],
  ['{{nexthourend}}', '2026-08-26T11:59:59Z'],
  ['{{hourago}}', '2026-08-26T09:15:30Z'],
  ['{{5hoursago}}', '2026-08-26T05:15:30Z'],
  ['{{3hoursfromnow}}', '2026-08-26T13:15:30Z'],
  ['{{14hoursfromnow}}', '2026-08-27T00:15:30Z'],
]);

table('modifiers and formats', WED, 'UTC', 'MONDAY', [
  ['{{2monthsago.endof(month).format(YYYY-MM-DD)}}', '2026-06-30'],
  ['{{2monthsago.startof(month)}}', '2026-06-01'],
  ['{{today.startof(quarter)}}', '2026-07-01'],
  ['{{today.endof(year)}}', '2026-12-31'],
  ['{{lastweekstart.endof(week)}}', '2026-08-23'],
  ['{{yesterday.endof(day).format(YYYY-MM-DD HH:mm:ss.SSS)}}', '2026-08-25 23:59:59.999'],
  ['{{now.startof(hour).format(YYYY-MM-DD[T]HH:mm:ss)}}', '2026-08-26T10:00:00'],
  ['{{now.startof(day)}}', '2026-08-26T00:00:00Z'],
  ['{{today.format(DD/MM/YYYY)}}', '26/08/2026'],
  ['{{today.format(Do MMMM YYYY, dddd)}}', '26th August 2026, Wednesday'],
  ['{{today.format(ddd D MMM YY)}}', 'Wed 26 Aug 26'],
  ['{{thisquarterstart.format(YYYY-[Q]Q)}}', '2026-Q3'],
  ['{{now.format(hh:mm A)}}', '10:15 AM'],
  ['{{3hoursfromnow.format(h a)}}', '1 pm'],
  ['{{today.format(DDDD)}}', '238'],
  ['{{today.format(GGGG-[W]WW-E)}}', '2026-W35-3'],
  ['{{today.format(X)}}', String(Date.UTC(2026, 7, 26) / 1000)],
  ['{{now.format(x)}}', String(Date.parse(WED))],
  ['{{ lastmonthstart . format( YYYYMMDD ) }}', '20260701'],
  ['{{yesterday}}T00:00:00', '2026-08-25T00:00:00'],
  ['from {{lastmonthstart}} to {{thismonthstart}}', 'from 2026-07-01 to 2026-08-01'],
  ['2026-01-15', '2026-01-15'],
]);

table('Nexla {now} with the default unit (day)', WED, 'UTC', 'MONDAY', [
  ['{now}', '2026-08-26'],
  ['{now-1}', '2026-08-25'],
  ['{now+3}', '2026-08-29'],
  ['{ now - 30 }', '2026-07-27'],
  ['{now-1}T00:00:00Z', '2026-08-25T00:00:00Z'],
]);

test('Nexla {now} with week, month and hour units, in a zone', () => {
  const run = (expr: string, macroUnit: string, timeZone = 'UTC') => runMacroCommand({ expr, now: WED, macroUnit, timeZone });
  assert.equal(run('{now-1}', 'week'), '2026-08-19');
  assert.equal(run('{now+1}', 'weeks'), '2026-09-02');
  assert.equal(run('{now-2}', 'month'), '2026-06-26');
  assert.equal(run('{now-1}', 'hour'), '2026-08-26T09:00:00Z');
  assert.equal(run('{now}', 'hour', 'Asia/Kolkata'), '2026-08-26T15:00:00+05:30');
  assert.equal(run('{now+2}', 'day', 'Pacific/Auckland'), '2026-08-28');
});

// The same instant seen from five zones: the calendar day and the hour differ.
table('zone: America/New_York', WED, 'America/New_York', 'MONDAY', [
  ['{{today}}', '2026-08-26'],
  ['{{now}}', '2026-08-26T06:15:30-04:00'],
  ['{{thishourstart}}', '2026-08-26T06:00:00-04:00'],
  ['{{7hoursago}}', '2026-08-25T23:15:30-04:00'],
  ['{{thisweekstart}}', '2026-08-24'],
]);
table('zone: Europe/Berlin', WED, 'Europe/Berlin', 'MONDAY', [
  ['{{today}}', '2026-08-26'],
  ['{{now}}', '2026-08-26T12:15:30+02:00'],
  ['{{lasthourend}}', '2026-08-26T11:59:59+02:00'],
  ['{{now.format(YYYY-MM-DDTHH:mm:ssZ)}}', '2026-08-26T12:15:30+02:00'],
]);
table('zone: Asia/Kolkata', WED, 'Asia/Kolkata', 'MONDAY', [
  ['{{today}}', '2026-08-26'],
  ['{{now}}', '2026-08-26T15:45:30+05:30'],
  ['{{hourago}}', '2026-08-26T14:45:30+05:30'],
  ['{{thishourstart}}', '2026-08-26T15:00:00+05:30'],
  ['{{now.format(ZZ)}}', '+0530'],
]);
table('zone: Pacific/Auckland', WED, 'Pacific/Auckland', 'MONDAY', [
  ['{{today}}', '2026-08-26'],
  ['{{tomorrow}}', '2026-08-27'],
  ['{{now}}', '2026-08-26T22:15:30+12:00'],
  ['{{2hoursfromnow}}', '2026-08-27T00:15:30+12:00'],
  ['{{nexthourstart}}', '2026-08-26T23:00:00+12:00'],
]);
// Late evening in UTC is already tomorrow in Auckland and Kolkata, still today in New York.
const LATE = '2026-08-31T20:30:00Z';
table('day boundary: UTC', LATE, 'UTC', 'MONDAY', [['{{today}}', '2026-08-31'], ['{{thismonthstart}}', '2026-08-01']]);
table('day boundary: Auckland', LATE, 'Pacific/Auckland', 'MONDAY', [['{{today}}', '2026-09-01'], ['{{thismonthstart}}', '2026-09-01'], ['{{lastmonthend}}', '2026-08-31'], ['{{thisquarterstart}}', '2026-07-01']]);
table('day boundary: Kolkata', LATE, 'Asia/Kolkata', 'MONDAY', [['{{today}}', '2026-09-01'], ['{{yesterday}}', '2026-08-31']]);
table('day boundary: New York', LATE, 'America/New_York', 'MONDAY', [['{{today}}', '2026-08-31'], ['{{nextmonthstart}}', '2026-09-01']]);

// Sunday 2026-03-01 03:00 UTC; in New York still Saturday 2026-02-28 22:00.
const SUN = '2026-03-01T03:00:00Z';
table('week start MONDAY on a Sunday', SUN, 'UTC', 'MONDAY', [['{{thisweekstart}}', '2026-02-23'], ['{{thisweekend}}', '2026-03-01'], ['{{lastweekstart}}', '2026-02-16']]);
table('week start SUNDAY on a Sunday', SUN, 'UTC', 'SUNDAY', [['{{thisweekstart}}', '2026-03-01'], ['{{thisweekend}}', '2026-03-07'], ['{{lastweekend}}', '2026-02-28'], ['{{today.endof(week)}}', '2026-03-07']]);
table('week start SATURDAY on a Sunday', SUN, 'UTC', 'SATURDAY', [['{{thisweekstart}}', '2026-02-28'], ['{{nextweekstart}}', '2026-03-07'], ['{{lastweekstart}}', '2026-02-21'], ['{{lastweekend}}', '2026-02-27']]);
table('week start MONDAY, New York Saturday evening', SUN, 'America/New_York', 'MONDAY', [['{{today}}', '2026-02-28'], ['{{thisweekstart}}', '2026-02-23'], ['{{thismonthend}}', '2026-02-28'], ['{{nextmonthstart}}', '2026-03-01']]);
table('week start SUNDAY, New York Saturday evening', SUN, 'America/New_York', 'SUNDAY', [['{{thisweekstart}}', '2026-02-22'], ['{{thisweekend}}', '2026-02-28']]);
table('week start SATURDAY, New York Saturday evening', SUN, 'America/New_York', 'SATURDAY', [['{{thisweekstart}}', '2026-02-28'], ['{{lastweekend}}', '2026-02-27']]);
table('week start across a year end', '2027-01-01T12:00:00Z', 'UTC', 'MONDAY', [['{{thisweekstart}}', '2026-12-28'], ['{{lastweekstart}}', '2026-12-21'], ['{{thisyearstart}}', '2027-01-01'], ['{{lastyearend}}', '2026-12-31']]);

// Leap days and short months: luxon clamps to the month's last day.
table('leap day 2028-02-29', '2028-02-29T12:00:00Z', 'UTC', 'MONDAY', [
  ['{{today}}', '2028-02-29'],
  ['{{thismonthend}}', '2028-02-29'],
  ['{{yearago}}', '2027-02-28'],
  ['{{1yearfromnow}}', '2029-02-28'],
  ['{{4yearsago}}', '2024-02-29'],
  ['{{monthago}}', '2028-01-29'],
  ['{{1monthfromnow}}', '2028-03-29'],
  ['{{tomorrow}}', '2028-03-01'],
  ['{{lastmonthend}}', '2028-01-31'],
  ['{{thisquarterend}}', '2028-03-31'],
  ['{{today.format(DDDD)}}', '060'],
]);
table('month and quarter end 2028-03-31', '2028-03-31T12:00:00Z', 'UTC', 'MONDAY', [
  ['{{monthago}}', '2028-02-29'],
  ['{{2monthsago.endof(month)}}', '2028-01-31'],
  ['{{1monthfromnow}}', '2028-04-30'],
  ['{{quarterago}}', '2027-12-31'],
  ['{{thisquarterend}}', '2028-03-31'],
  ['{{nextquarterstart}}', '2028-04-01'],
  ['{{lastquarterstart}}', '2027-10-01'],
  ['{{lastquarterend}}', '2027-12-31'],
  ['{{lastmonthend}}', '2028-02-29'],
]);
table('quarter end seen from Auckland', '2026-09-30T13:00:00Z', 'Pacific/Auckland', 'MONDAY', [
  ['{{today}}', '2026-10-01'],
  ['{{thisquarterstart}}', '2026-10-01'],
  ['{{lastquarterend}}', '2026-09-30'],
  ['{{now}}', '2026-10-01T02:00:00+13:00'],
]);

// Daylight-saving changes.
table('New York spring forward (2026-03-08)', '2026-03-08T12:00:00Z', 'America/New_York', 'MONDAY', [
  ['{{now}}', '2026-03-08T08:00:00-04:00'],
  ['{{5hoursago}}', '2026-03-08T03:00:00-04:00'],
  ['{{6hoursago}}', '2026-03-08T01:00:00-05:00'],
  ['{{today.format(YYYY-MM-DDTHH:mm:ssZ)}}', '2026-03-08T00:00:00-05:00'],
  ['{{tomorrow.format(YYYY-MM-DDTHH:mm:ssZ)}}', '2026-03-09T00:00:00-04:00'],
  ['{{weekago}}', '2026-03-01'],
]);
table('Berlin fall back (2026-10-25)', '2026-10-25T12:00:00Z', 'Europe/Berlin', 'MONDAY', [
  ['{{now}}', '2026-10-25T13:00:00+01:00'],
  ['{{3hoursago}}', '2026-10-25T10:00:00+01:00'],
  ['{{11hoursago}}', '2026-10-25T02:00:00+01:00'],
  ['{{12hoursago}}', '2026-10-25T02:00:00+02:00'],
  ['{{thisweekstart}}', '2026-10-19'],
  ['{{thisweekend}}', '2026-10-25'],
]);
table('Auckland spring forward (2026-09-27)', '2026-09-27T00:00:00Z', 'Pacific/Auckland', 'SUNDAY', [
  ['{{now}}', '2026-09-27T13:00:00+13:00'],
  ['{{12hoursago}}', '2026-09-27T00:00:00+12:00'],
  ['{{thisweekstart}}', '2026-09-27'],
  ['{{lastweekend}}', '2026-09-26'],
]);

test('instants across daylight-saving changes', () => {
  const ny = { now: '2026-03-08T12:00:00Z', timeZone: 'America/New_York' };
  assert.equal(resolveInstant('{{today}}', ny).toUTC().toISO(), '2026-03-08T05:00:00.000Z');
  assert.equal(resolveInstant('{{tomorrow}}', ny).toUTC().toISO(), '2026-03-09T04:00:00.000Z');
  assert.equal(resolveInstant('{{today.endof(day).format(YYYY-MM-DDTHH:mm:ss.SSSZ)}}', ny).toUTC().toISO(), '2026-03-09T03:59:59.999Z');
  // What is printed is what counts: an end macro printed as a date stands for that day's start.
  assert.equal(resolveInstant('{{today.endof(day)}}', ny).toUTC().toISO(), '2026-03-08T05:00:00.000Z');
  const be = { now: '2026-10-25T12:00:00Z', timeZone: 'Europe/Berlin' };
  assert.equal(resolveInstant('{{today}}', be).toUTC().toISO(), '2026-10-24T22:00:00.000Z');
  assert.equal(resolveInstant('{{tomorrow}}', be).toUTC().toISO(), '2026-10-25T23:00:00.000Z');
  assert.equal(resolveInstant('{{nextweekstart}}', be).toUTC().toISO(), '2026-10-25T23:00:00.000Z');
  assert.equal(resolveInstant('{{thisweekstart}}', be).toUTC().toISO(), '2026-10-18T22:00:00.000Z');
});

test('resolveDateExpression: value, instant, precision and the macros used', () => {
  const end = resolveDateExpression('{{lastweekend}}', { now: WED });
  assert.equal(end.value, '2026-08-23');
  assert.equal(end.precision, 'date');
  assert.equal(end.date?.toUTC().toISO(), '2026-08-23T00:00:00.000Z'); // the printed day, read as a date
  assert.equal(end.macros.length, 1);
  assert.equal(end.macros[0].date.toUTC().toISO(), '2026-08-23T23:59:59.999Z'); // the period's last millisecond

  const text = resolveDateExpression('from {{lastmonthstart}} to {{thismonthstart}}', { now: WED });
  assert.equal(text.date, undefined);
  assert.deepEqual(text.macros.map((m) => m.value), ['2026-07-01', '2026-08-01']);

  const year = resolveDateExpression('{{lastyearstart.format(YYYY)}}', { now: WED, timeZone: 'Europe/Berlin' });
  assert.equal(year.value, '2025');
  assert.equal(year.date?.toUTC().toISO(), '2024-12-31T23:00:00.000Z'); // not ISO text: the macro's own instant

  const plain = resolveDateExpression('2026-11-01', { timeZone: 'Europe/Berlin' });
  assert.deepEqual(plain.macros, []);
  assert.equal(plain.date?.toUTC().toISO(), '2026-10-31T23:00:00.000Z');
  assert.equal(resolveInstant('2026-11-01T10:00:00', { timeZone: 'Asia/Kolkata' }).toUTC().toISO(), '2026-11-01T04:30:00.000Z');
  assert.equal(resolveInstant('2026-11-01T10:00:00Z', { timeZone: 'Asia/Kolkata' }).toUTC().toISO(), '2026-11-01T10:00:00.000Z');
  assert.equal(resolveInstant('2026-11-01T10:00:00+02:00').toUTC().toISO(), '2026-11-01T08:00:00.000Z');
  assert.equal(resolveInstant('{{now}}', { now: new Date('2026-08-26T10:15:30.250Z') }).toMillis(), Date.parse('2026-08-26T10:15:30Z'));
});

test('--now without an offset is wall clock in the zone', () => {
  assert.equal(runMacroCommand({ expr: '{{now}}', now: '2026-08-26T09:00:00', timeZone: 'Asia/Kolkata' }), '2026-08-26T09:00:00+05:30');
  assert.equal(runMacroCommand({ expr: '{{today}}', now: '2026-08-26' }), '2026-08-26');
  assert.equal(runMacroCommand({ expr: '{{today}}', now: new Date('2026-08-26T23:30:00Z'), timeZone: 'Europe/Berlin' }), '2026-08-27');
});

test('runMacroCommand explain shows the instant, zone and clock', () => {
  const out = runMacroCommand({ expr: '{{lastweekstart}}', now: WED, timeZone: 'Pacific/Auckland', weekStart: 'sunday', explain: true });
  const lines = out.split('\n');
  assert.equal(lines[0], '2026-08-16');
  assert.match(out, /\{\{lastweekstart\}\} = 2026-08-16T00:00:00\.000\+12:00/);
  assert.match(out, /time zone Pacific\/Auckland, weeks start on SUNDAY, now = 2026-08-26T22:15:30\+12:00/);
});

function rejects(expr: string, code: string, mentions: RegExp[], opts: Record<string, string> = {}): void {
  assert.throws(
    () => runMacroCommand({ expr, now: WED, ...opts }),
    (err: unknown) => {
      assert.ok(err instanceof SyncError, `${expr}: not a SyncError`);
      assert.equal(err.code, code, expr);
      assert.equal(err.exitCode, 2);
      const text = `${err.message} ${err.hint ?? ''}`;
      for (const re of mentions) assert.match(text, re, `${expr}: ${text}`);
      return true;
    },
  );
}

test('invalid macros name the macro and suggest the closest valid ones', () => {
  rejects('{{lastweekstrat}}', 'MACRO_INVALID', [/\{\{lastweekstrat\}\}/, /\{\{lastweekstart\}\}/]);
  rejects('{{thismonthstrat}}', 'MACRO_INVALID', [/\{\{thismonthstart\}\}/]);
  rejects('{{yesterdy}}', 'MACRO_INVALID', [/\{\{yesterdy\}\}/, /\{\{yesterday\}\}/]);
  rejects('{{tomorow}}', 'MACRO_INVALID', [/\{\{tomorrow\}\}/]);
  rejects('{{3dyasago}}', 'MACRO_INVALID', [/\{\{3daysago\}\}/]);
  rejects('{{45minutesago}}', 'MACRO_INVALID', [/\{\{45minutesago\}\}/]);
  rejects('{{12daysfromnw}}', 'MACRO_INVALID', [/\{\{12daysfromnow\}\}/]);
  rejects('{{hoursago}}', 'MACRO_INVALID', [/\{\{hourago\}\}/]);
  rejects('{{lastdaystart}}', 'MACRO_INVALID', [/lastdaystart/]);
  rejects('{{1000daysago}}', 'MACRO_INVALID', [/1000daysago/]);
  rejects('{{xyzzy-plugh}}', 'MACRO_INVALID', [/xyzzy-plugh/, /\{\{today\}\}/]);
  rejects('{{}}', 'MACRO_INVALID', [/\{\{\}\}/]);
  rejects('{{today', 'MACRO_INVALID', [/\{\{today/]);
  rejects('{today}', 'MACRO_INVALID', [/\{today\}/, /\{\{today\}\}/]);
  rejects('{{today.startof(decade)}}', 'MACRO_INVALID', [/decade/, /quarter/]);
  rejects('{{today.formt(YYYY)}}', 'MACRO_INVALID', [/formt/, /\.format\(\)/]);
  rejects('{{today.format()}}', 'MACRO_INVALID', [/format/]);
  rejects('{{lastweekstart}} and {{nope}}', 'MACRO_INVALID', [/\{\{nope\}\}/]);
});

test('invalid options are refused with their own codes', () => {
  rejects('{{today}}', 'TIMEZONE_INVALID', [/Mars\/Olympus/], { timeZone: 'Mars/Olympus' });
  rejects('{{today}}', 'WEEK_START_INVALID', [/FUNDAY/, /MONDAY/], { weekStart: 'FUNDAY' });
  rejects('{now-1}', 'MACRO_UNIT_INVALID', [/fortnight/, /hour/], { macroUnit: 'fortnight' });
  assert.throws(() => runMacroCommand({ expr: '{{today}}', now: 'yesterday-ish' }), (e: unknown) => e instanceof SyncError && e.code === 'NOW_INVALID');
  assert.throws(() => resolveInstant('2027-02-29'), (e: unknown) => e instanceof SyncError && e.code === 'DATE_INVALID');
  assert.throws(() => resolveInstant('today'), (e: unknown) => e instanceof SyncError && e.code === 'DATE_INVALID' && /\{\{today\}\}/.test(e.message));
});
