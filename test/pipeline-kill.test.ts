/**
 * Issue 4 item 6: a sync killed with SIGKILL at random moments and rerun ends with exactly the
 * tables of an uninterrupted sync (no row lost, none duplicated). The sync runs in a child process
 * against a loopback simulator; each round kills it several times in a row (so reruns that resume
 * are killed too), then lets a rerun finish and compares every table with the reference.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createDuckDBDestination } from '../src/destinations/duckdb.ts';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.ts';
import { assertSameTables } from './support/pipeline-harness.ts';

const CHILD = join(import.meta.dirname, 'support', 'pipeline-sync-child.ts');
const ROUNDS = 4;
const KILLS_PER_ROUND = 5;

let sim: RunningSimulator;
let dir: string;

before(async () => {
  sim = await startSimulator({ port: 0, seed: 5, workspaces: 1, users: 24, projects: 10, entries: 5000, now: '2026-11-20T12:00:00Z' });
  dir = mkdtempSync(join(tmpdir(), 'clockify-kill-'));
});
after(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the child; kills it `killAfterMs` after it said "started" (undefined: let it finish). */
function runChild(db: string, killAfterMs?: number): Promise<{ killed: boolean; ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, sim.url, db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let started = 0;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (!started && out.includes('started')) {
        started = Date.now();
        if (killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      const ms = started ? Date.now() - started : 0;
      if (signal === 'SIGKILL') resolve({ killed: true, ms, out });
      else if (code === 0) resolve({ killed: false, ms, out });
      else reject(new Error(`child failed (${code}): ${out}`));
    });
  });
}

test(`killed with SIGKILL at ${ROUNDS * KILLS_PER_ROUND} random points and rerun, the tables equal an uninterrupted sync's`, async (t) => {
  const refPath = join(dir, 'reference.duckdb');
  const reference = await runChild(refPath);
  assert.equal(reference.killed, false);
  const span = Math.max(200, reference.ms);
  t.diagnostic(`uninterrupted sync: ${reference.ms} ms`);
  const ref = createDuckDBDestination(refPath);
  await ref.open();
  try {
    let killed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const db = join(dir, `round-${round}.duckdb`);
      const points: number[] = [];
      for (let k = 0; k < KILLS_PER_ROUND; k++) {
        const at = Math.floor(Math.random() * span * 1.1);
        const r = await runChild(db, at);
        points.push(at);
        if (r.killed) killed++;
      }
      const final = await runChild(db);
      assert.equal(final.killed, false);
      t.diagnostic(`round ${round}: kills at ${points.join(', ')} ms`);
      const dest = createDuckDBDestination(db);
      await dest.open();
      try {
        await assertSameTables(ref, dest, `round ${round}`);
      } finally {
        await dest.close();
      }
    }
    assert.ok(killed >= ROUNDS * KILLS_PER_ROUND * 0.6, `most kills landed during a sync (${killed})`);
  } finally {
    await ref.close();
  }
});
