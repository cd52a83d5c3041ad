/**
 * `schedule` as a child process against a loopback simulator: runs the configured sync on the
 * cron schedule with a log line per run, stops cleanly on SIGTERM (exit 0), and never prints
 * the key. No timed assertion: the test waits for log lines, then signals.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDestination } from '../src/destinations/index.ts';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.ts';
import { cleanEnv, MAIN, ROOT } from './cli-harness.ts';

const KEY = 'sim-SECRET-schedule-5e1d';
let sim: RunningSimulator;
let dir: string;

before(async () => {
  sim = await startSimulator({ port: 0, seed: 2, workspaces: 2, users: 5, projects: 4, entries: 200, now: '2026-11-23T12:00:00Z', apiKey: KEY });
  dir = mkdtempSync(join(tmpdir(), 'cli-schedule-'));
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test('schedule: a run per tick with a log line each, a clean stop on SIGTERM (exit 0), state committed', { timeout: 60_000 }, async () => {
  const dest = `duckdb:${join(dir, 'scheduled.duckdb')}`;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, 'schedule', '--cron', '* * * * * *', '--streams', 'tags', '--destination', dest], {
    cwd: ROOT,
    env: cleanEnv({ CLOCKIFY_API_KEY: KEY, CLOCKIFY_BASE_URL: sim.url }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const twoRuns = new Promise<void>((resolve) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (/run 2 (succeeded|failed|incomplete)/.test(stderr)) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await Promise.race([twoRuns, exited]);
  child.kill('SIGTERM');
  const code = await exited;

  assert.equal(code, 0, stderr);
  assert.match(stderr, /schedule started: "\* \* \* \* \* \*"; first run at \d{4}-/);
  assert.match(stderr, /run 1 started/);
  assert.match(stderr, /run 1 succeeded \(exit status 0\) in [\d.]+ s; next run at /);
  assert.match(stderr, /run 2 succeeded/);
  assert.match(stderr, /schedule stopped after \d+ runs?/);
  // Runs never overlap: every "run N started" comes after "run N-1 <status>".
  const events = [...stderr.matchAll(/run (\d+) (started|succeeded|failed|incomplete)/g)].map((m) => `${m[1]} ${m[2] === 'started' ? 'start' : 'end'}`);
  for (let i = 0; i < events.length; i++) {
    const [n, kind] = events[i].split(' ');
    if (kind === 'start' && Number(n) > 1) assert.ok(events.slice(0, i).includes(`${Number(n) - 1} end`), `run ${n} started before run ${Number(n) - 1} ended`);
  }
  assert.equal(stdout, '', 'nothing but requested data on stdout');
  assert.ok(!stderr.includes(KEY));

  const d = createDestination(dest);
  await d.open();
  try {
    const state = await d.readState();
    assert.deepEqual(state.map((s) => s.stream).sort(), ['tags', 'tags']);
    const runs = (await d.readRuns?.()) ?? [];
    assert.ok(runs.filter((r) => r.status === 'succeeded').length >= 2);
  } finally {
    await d.close();
  }
});
