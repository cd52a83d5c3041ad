import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSchedule } from '../src/cli/schedule.ts';
import { SyncError } from '../src/errors.ts';
import type { Logger } from '../src/log.ts';

interface Line {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** A logger that records lines and lets a test wait for one. */
function recorder() {
  const lines: Line[] = [];
  const waiters: { match: (l: Line) => boolean; resolve: () => void }[] = [];
  const log: Logger = (level, message, fields) => {
    const line = { level, message, fields };
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const waitFor = (event: string, nth = 1) =>
    new Promise<void>((resolve) => {
      const count = () => lines.filter((l) => l.fields?.event === event).length;
      if (count() >= nth) return resolve();
      waiters.push({ match: () => count() >= nth, resolve });
    });
  return { lines, log, waitFor, events: () => lines.map((l) => l.fields?.event) };
}

const EVERY_SECOND = '* * * * * *';

test('never two runs at once: ticks during a run are skipped with a log line; abort waits for the active run', async () => {
  const rec = recorder();
  const controller = new AbortController();
  let inFlight = 0;
  let maxInFlight = 0;
  let completed = 0;
  let releaseFirst!: () => void;
  const firstMayEnd = new Promise<void>((r) => (releaseFirst = r));

  const job = async () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const run = completed + 1;
    if (run === 1) {
      await firstMayEnd; // held until a tick was skipped
    } else {
      controller.abort(); // stop while run 2 is active …
      await new Promise((r) => setTimeout(r, 300)); // … which must still finish
    }
    inFlight--;
    completed++;
    return run === 1 ? 0 : 3;
  };

  const done = runSchedule({ cron: EVERY_SECOND, job, log: rec.log, signal: controller.signal, handleSignals: false });
  await rec.waitFor('schedule-run-skipped');
  releaseFirst();
  await done;

  assert.equal(maxInFlight, 1, 'two runs overlapped');
  assert.equal(completed, 2, 'the run active at abort finished before runSchedule resolved');
  assert.equal(inFlight, 0);
  const ev = rec.events();
  assert.equal(ev[0], 'schedule-start');
  assert.equal(ev.at(-1), 'schedule-stop');
  assert.ok(ev.indexOf('schedule-run-skipped') > ev.indexOf('schedule-run-start'));
  assert.ok(ev.indexOf('schedule-stopping') < ev.lastIndexOf('schedule-run-end'), 'stopping is announced, then the run ends');
  const ends = rec.lines.filter((l) => l.fields?.event === 'schedule-run-end');
  assert.deepEqual(ends.map((l) => l.fields?.status), [0, 3]);
  assert.match(ends[0].message, /^run 1 succeeded \(exit status 0\) in \d+\.\d s; next run at \d{4}-/);
  assert.match(ends[1].message, /^run 2 incomplete \(exit status 3\) in \d+\.\d s$/);
  assert.equal(ends[1].level, 'warn');
  assert.equal(typeof ends[0].fields?.durationMs, 'number');
  const skipped = rec.lines.find((l) => l.fields?.event === 'schedule-run-skipped')!;
  assert.equal(skipped.message, 'skipped a scheduled run: run 1 is still active');
  assert.equal(rec.lines.at(-1)!.message, 'schedule stopped after 2 runs');
});

test('a run that throws is logged as failed and the schedule goes on', async () => {
  const rec = recorder();
  const controller = new AbortController();
  let calls = 0;
  const job = async () => {
    calls++;
    if (calls === 1) throw new SyncError('NETWORK_UNREACHABLE', 'Cannot reach api.clockify.me.', { kind: 'transient' });
    if (calls === 2) throw new Error('boom');
    controller.abort();
    return 0;
  };
  await runSchedule({ cron: EVERY_SECOND, job, log: rec.log, signal: controller.signal, handleSignals: false });
  assert.equal(calls, 3);
  const errors = rec.lines.filter((l) => l.fields?.event === 'schedule-run-error');
  assert.deepEqual(errors.map((l) => l.message), ['run 1 threw [NETWORK_UNREACHABLE]: Cannot reach api.clockify.me.', 'run 2 threw [INTERNAL]: boom']);
  const statuses = rec.lines.filter((l) => l.fields?.event === 'schedule-run-end').map((l) => l.fields?.status);
  assert.deepEqual(statuses, [1, 1, 0]);
});

test('SIGTERM stops the schedule cleanly and removes the signal handlers', async () => {
  const rec = recorder();
  const before = process.listenerCount('SIGTERM');
  let runs = 0;
  const job = async () => {
    runs++;
    process.emit('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    return 0;
  };
  await runSchedule({ cron: EVERY_SECOND, job, log: rec.log });
  assert.equal(runs, 1);
  assert.equal(process.listenerCount('SIGTERM'), before);
  assert.ok(rec.lines.some((l) => l.message === 'SIGTERM: stopping after run 1 finishes'));
  assert.equal(rec.events().at(-1), 'schedule-stop');
});

test('an already aborted signal resolves at once without running the job', async () => {
  const rec = recorder();
  let runs = 0;
  await runSchedule({ cron: '0 * * * *', job: async () => ++runs, log: rec.log, signal: AbortSignal.abort(), handleSignals: false });
  assert.equal(runs, 0);
  assert.equal(rec.lines.at(-1)!.message, 'schedule stopped after 0 runs');
});

test('an invalid cron is refused with SCHEDULE_INVALID', async () => {
  for (const cron of ['every hour', '61 * * * *', '* * *', '0 0 31 2 *']) {
    await assert.rejects(
      runSchedule({ cron, job: async () => 0, log: () => {}, handleSignals: false }),
      (e: SyncError) => e instanceof SyncError && e.code === 'SCHEDULE_INVALID' && e.exitCode === 2 && e.message.includes(JSON.stringify(cron)) && /Examples:/.test(e.hint ?? ''),
    );
  }
});
