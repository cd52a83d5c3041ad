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
const KILLS = 20;
const KILLS_PER_ROUND = 6;
const MAX_ATTEMPTS = 40;

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

test(`killed with SIGKILL at ${KILLS} random points and rerun, the tables equal an uninterrupted sync's`, async (t) => {
  const refPath = join(dir, 'reference.duckdb');
  const reference = await runChild(refPath);
  assert.equal(reference.killed, false);
  t.diagnostic(`uninterrupted sync: ${reference.ms} ms`);
  const ref = createDuckDBDestination(refPath);
  await ref.open();
  try {
    let landed = 0;
    let attempts = 0;
    for (let round = 0; landed < KILLS && attempts < MAX_ATTEMPTS; round++) {
      const db = join(dir, `round-${round}.duckdb`);
      const points: number[] = [];
      // Kill points anywhere in what is left of the sync: a rerun resumes, so each one is shorter.
      let left = Math.max(300, reference.ms);
      for (let k = 0; k < KILLS_PER_ROUND && landed < KILLS && attempts < MAX_ATTEMPTS; k++) {
        const at = Math.floor(Math.random() * left);
        attempts++;
        const r = await runChild(db, at);
        if (!r.killed) break; // finished before the kill point: this round's data is complete
        landed++;
        points.push(at);
        left = Math.max(300, left - at * 0.7);
      }
      const final = await runChild(db);
      assert.equal(final.killed, false);
      t.diagnostic(`round ${round}: killed at ${points.join(', ') || '-'} ms after start`);
      const dest = createDuckDBDestination(db);
      await dest.open();
      try {
        await assertSameTables(ref, dest, `round ${round}`);
      } finally {
        await dest.close();
      }
    }
    assert.ok(landed >= KILLS, `${landed} kills landed during a sync`);
  } finally {
    await ref.close();
  }
});
