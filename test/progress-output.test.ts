import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createProgress, formatSummary } from '../src/cli/progress.ts';
import type { Logger } from '../src/log.ts';

interface Line {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function recorder() {
  const lines: Line[] = [];
  const log: Logger = (level, message, fields) => lines.push({ level, message, fields });
  return { lines, log };
}

/** A stderr stand-in: collects what is written; `isTTY` as asked. */
function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 160;
  return { stream, text: () => chunks.join('') };
}

/** Runs fn with process.stdout.write replaced; returns what was written to stdout. */
async function captureStdout(fn: () => void | Promise<void>): Promise<string> {
  const original = process.stdout.write;
  let written = '';
  process.stdout.write = ((chunk: unknown) => {
    written += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = original;
  }
  return written;
}

test('not a TTY: throttled plain lines per stream through the logger, a line at the end, nothing on stdout', async () => {
  const rec = recorder();
  const err = fakeStream(false);
  let clock = 1_000_000;
  const stdout = await captureStdout(() => {
    const p = createProgress({ tty: false, json: false, quiet: false, log: rec.log, stream: err.stream, now: () => clock });
    p.update('projects', 'Acme', { rows: 0, requests: 1 });
    clock += 2000;
    p.update('projects', 'Acme', { rows: 400, requests: 2 });
    p.update('time_entries', 'Acme', { rows: 50, requests: 1, totalHint: 1000 });
    assert.equal(rec.lines.length, 0, 'nothing before 5 s');
    clock += 3000;
    p.update('projects', 'Acme', { rows: 1000, requests: 3 });
    clock += 1000;
    p.update('projects', 'Acme', { rows: 1200, requests: 4 });
    p.update('time_entries', 'Acme', { rows: 200, requests: 4, totalHint: 1000 });
    clock += 1000;
    p.update('time_entries', 'Acme', { rows: 300, requests: 5, totalHint: 1000 });
    p.done('projects', 'Acme', { rows: 1234, requests: 5 });
    p.done('clients', 'Acme', { rows: 0, requests: 1, status: 'failed', note: '403 Access Denied' });
    p.stop();
  });
  assert.equal(stdout, '');
  assert.equal(err.text(), '', 'plain mode writes only through the logger');
  assert.deepEqual(
    rec.lines.map((l) => [l.level, l.message]),
    [
      ['info', 'projects [Acme]: 1,000 rows, 3 requests, 200 rows/s'],
      ['info', 'time_entries [Acme]: 300 rows, 5 requests, 60 rows/s, 30% of ~1,000, ETA 12s'],
      ['info', 'projects [Acme]: done, 1,234 rows, 5 requests in 7s'],
      ['warn', 'clients [Acme]: failed: 403 Access Denied after 0 rows, 1 requests in 0s'],
      ['warn', 'time_entries [Acme]: stopped before it finished, 300 rows, 5 requests, 60 rows/s, 30% of ~1,000, ETA 12s'],
    ],
  );
  assert.deepEqual(rec.lines[1].fields, {
    event: 'progress',
    stream: 'time_entries',
    workspace: 'Acme',
    rows: 300,
    requests: 5,
    rowsPerSecond: 60,
    elapsedMs: 5000,
    totalHint: 1000,
    etaMs: 11667,
  });
  assert.equal(rec.lines[2].fields?.event, 'stream-done');
  assert.equal(rec.lines[3].fields?.status, 'failed');
  assert.equal(rec.lines[4].fields?.event, 'stream-stopped');
});

test('--json on a terminal: no bars, structured log lines only', async () => {
  const rec = recorder();
  const err = fakeStream(true);
  let clock = 0;
  const stdout = await captureStdout(() => {
    const p = createProgress({ tty: true, json: true, quiet: false, log: rec.log, stream: err.stream, now: () => clock, intervalMs: 1000 });
    p.update('tags', 'ws1', { rows: 1, requests: 1 });
    clock += 1000;
    p.update('tags', 'ws1', { rows: 10, requests: 2 });
    p.done('tags', 'ws1', { rows: 10, requests: 2, status: 'incomplete', note: 'rate limited' });
    p.stop();
  });
  assert.equal(stdout, '');
  assert.equal(err.text(), '');
  assert.deepEqual(rec.lines.map((l) => l.fields?.event), ['progress', 'stream-done']);
  assert.equal(rec.lines[1].level, 'warn');
  assert.equal(rec.lines[1].fields?.note, 'rate limited');
});

test('--quiet: no progress lines, only the end of each stream (the logger drops info when quiet)', () => {
  const rec = recorder();
  let clock = 0;
  const p = createProgress({ tty: true, json: false, quiet: true, log: rec.log, stream: fakeStream(true).stream, now: () => clock });
  p.update('tags', 'ws1', { rows: 1, requests: 1 });
  clock += 60_000;
  p.update('tags', 'ws1', { rows: 10, requests: 2 });
  p.done('tags', 'ws1', { rows: 10, requests: 2 });
  p.stop();
  assert.deepEqual(rec.lines.map((l) => [l.level, l.fields?.event]), [['info', 'stream-done']]);
});

test('a TTY: one bar per stream and workspace on the given stream (stderr), with rows, requests, rate and ETA; log lines above', async () => {
  const rec = recorder();
  const err = fakeStream(true);
  let clock = 0;
  const stdout = await captureStdout(() => {
    const p = createProgress({ tty: true, json: false, quiet: false, log: rec.log, stream: err.stream, now: () => clock });
    p.update('projects', 'Acme', { rows: 0, requests: 1 });
    p.update('time_entries', 'Acme', { rows: 0, requests: 1, totalHint: 400 });
    clock += 2000;
    p.update('projects', 'Acme', { rows: 100, requests: 2 });
    p.update('time_entries', 'Acme', { rows: 100, requests: 3, totalHint: 400 });
    p.writeLine('warn: a log line while bars are shown');
    p.done('projects', 'Acme', { rows: 150, requests: 3 });
    p.stop();
    p.update('projects', 'Acme', { rows: 999, requests: 9 }); // after stop: ignored
  });
  assert.equal(stdout, '');
  assert.equal(rec.lines.length, 0, 'bars replace log lines on a terminal');
  const text = err.text();
  assert.match(text, /✓ projects \[Acme\]\s+=+ 150 rows, 3 requests, 75 rows\/s \(done, 2s\)/);
  assert.match(text, /  projects \[Acme\]\s+100 rows, 2 requests, 50 rows\/s\u001b/, 'no bar while the total is unknown');
  assert.match(text, /time_entries \[Acme\]\s+=+-+ 100 rows, 3 requests, 50 rows\/s, 25% of ~400, ETA 6s/);
  assert.ok(text.indexOf('warn: a log line while bars are shown\n') < text.indexOf('time_entries'), 'log lines are written above the bars');
  assert.ok(!text.includes('999'));
});

test('formatSummary: a table per destination table with totals, requests and time', () => {
  const text = formatSummary({
    tables: {
      time_entries: { inserted: 1200, updated: 35, unchanged: 0, deleted: 2, requests: 30, durationMs: 4200 },
      projects: { inserted: 12, updated: 0, unchanged: 40, deleted: 0, requests: 2, durationMs: 300 },
    },
    requests: 41,
    durationMs: 6150,
    incomplete: ['expenses'],
  });
  assert.equal(
    text,
    [
      'table         inserted  updated  unchanged  deleted  requests  time',
      '------------  --------  -------  ---------  -------  --------  -----',
      'projects            12        0         40        0         2  0.3 s',
      'time_entries      1200       35          0        2        30  4.2 s',
      'total             1212       35         40        2        41  6.2 s',
      '',
      '41 requests in 6.2 s',
      'incomplete: expenses',
    ].join('\n'),
  );
  const bare = formatSummary({ tables: { tags: { inserted: 1, updated: 0, unchanged: 0, deleted: 0 } }, requests: 1, durationMs: 50 });
  assert.equal(bare.split('\n')[0], 'table  inserted  updated  unchanged  deleted');
  assert.equal(bare.split('\n').at(-1), '1 requests in 0.1 s');
});
