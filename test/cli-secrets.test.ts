/**
 * Secrets (issue 7 item 6): every command runs as a child process with a distinctive API key
 * (the simulator's owner key), including failing runs and --verbose; then all of their stdout
 * and stderr, every file they wrote (DuckDB file, CSV and JSONL outputs, state and run tables)
 * are searched for the key and for a distinctive database password. Neither may appear anywhere.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDestination } from '../src/destinations/index.ts';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.ts';
import { closedPort, pool, spawnCli, startRateLimitedServer, type CliRun } from './cli-harness.ts';

const KEY = 'sim-SECRET-4f9c2e7a1b';
const REJECTED = 'sim-SECRET-rejected-8d2b';
const PASSWORD = 'pw-SECRET-91d3c6';
const SECRETS = [KEY, REJECTED, PASSWORD];

let sim: RunningSimulator;
let limited: Awaited<ReturnType<typeof startRateLimitedServer>>;
let dir: string;
let keyFile: string;

before(async () => {
  sim = await startSimulator({ port: 0, seed: 9, workspaces: 2, users: 6, projects: 4, entries: 400, now: '2026-11-23T12:00:00Z', apiKey: KEY });
  limited = await startRateLimitedServer();
  dir = mkdtempSync(join(tmpdir(), 'cli-secrets-'));
  // Outside `dir`: the key file is an input, not something the CLI wrote.
  keyFile = join(mkdtempSync(join(tmpdir(), 'cli-secrets-key-')), 'clockify.key');
  writeFileSync(keyFile, KEY + '\n');
});
after(async () => {
  await sim.close();
  await limited.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(keyFile, '..'), { recursive: true, force: true });
});

function filesUnder(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

test('the API key and the database password appear in no output and no written file', { timeout: 120_000 }, async () => {
  const closed = await closedPort();
  const ws = sim.sim.store.workspaces()[0].id;
  const withKey = { CLOCKIFY_API_KEY: KEY, CLOCKIFY_BASE_URL: sim.url };
  const duck = `duckdb:${join(dir, 'out.duckdb')}`;
  const runs: { name: string; argv: string[]; env: Record<string, string>; exit: number }[] = [
    { name: 'check', argv: ['check', '--verbose'], env: withKey, exit: 0 },
    { name: 'check json key file', argv: ['check', '--json', '--verbose', '--api-key-file', keyFile, '--base-url', sim.url], env: {}, exit: 0 },
    { name: 'discover', argv: ['discover', '--json'], env: withKey, exit: 0 },
    { name: 'preview', argv: ['preview', 'time_entries', '--limit', '5', '--verbose', '--json'], env: withKey, exit: 0 },
    { name: 'report summary', argv: ['report', 'summary', '--destination', duck, '--verbose'], env: withKey, exit: 0 },
    { name: 'report detailed jsonl', argv: ['report', 'detailed', '--destination', `jsonl:${join(dir, 'jsonl')}`, '--verbose', '--json'], env: withKey, exit: 0 },
    { name: 'sync csv', argv: ['sync', '--streams', 'projects,time_entries', '--destination', `csv:${join(dir, 'csv')}`, '--verbose', '--json'], env: withKey, exit: 0 },
    { name: 'sync duckdb', argv: ['sync', '--streams', 'tags,clients', '--destination', duck, '--verbose'], env: withKey, exit: 0 },
    { name: 'macro', argv: ['macro', '{{lastweekstart}}', '--now', '2026-11-23T12:00:00Z'], env: withKey, exit: 0 },
    // Failing runs.
    { name: 'rejected key', argv: ['check', '--verbose'], env: { CLOCKIFY_API_KEY: REJECTED, CLOCKIFY_BASE_URL: sim.url }, exit: 1 },
    { name: 'rejected key sync', argv: ['sync', '--verbose', '--destination', `duckdb:${join(dir, 'rejected.duckdb')}`], env: { CLOCKIFY_API_KEY: REJECTED, CLOCKIFY_BASE_URL: sim.url }, exit: 1 },
    { name: 'unknown workspace', argv: ['report', 'summary', '--workspace', 'ffffffffffffffffffffffff', '--destination', duck, '--verbose'], env: withKey, exit: 2 },
    { name: 'unreachable host', argv: ['check', '--verbose', '--base-url', `http://127.0.0.1:${closed}`], env: { CLOCKIFY_API_KEY: KEY }, exit: 1 },
    { name: 'rate limited', argv: ['preview', 'tags', '--verbose', '--base-url', limited.url], env: { CLOCKIFY_API_KEY: KEY }, exit: 1 },
    { name: 'postgres password in URL', argv: ['report', 'summary', '--verbose', '--destination', `postgres://clockify:${PASSWORD}@127.0.0.1:${closed}/warehouse`], env: withKey, exit: 1 },
    { name: 'postgres password in PGPASSWORD', argv: ['sync', '--streams', 'tags', '--verbose', '--destination', `postgres://clockify@127.0.0.1:${closed}/warehouse`], env: { ...withKey, PGPASSWORD: PASSWORD }, exit: 1 },
    { name: 'state show pg', argv: ['state', 'show', '--verbose', '--destination', `postgres://clockify:${PASSWORD}@127.0.0.1:${closed}/warehouse`], env: withKey, exit: 1 },
  ];
  const results: (CliRun & { name: string })[] = await pool(runs, 3, async (r) => ({ name: r.name, ...(await spawnCli(r.argv, r.env, { cwd: dir })) }));
  // State and run tables, after every writer has finished.
  const after = [
    { name: 'state show', argv: ['state', 'show', '--destination', duck, '--verbose'], exit: 0 },
    { name: 'state reset', argv: ['state', 'reset', '--destination', duck, '--stream', 'tags', '--workspace', ws, '--verbose'], exit: 0 },
  ];
  for (const r of after) results.push({ name: r.name, ...(await spawnCli(r.argv, withKey, { cwd: dir })) });

  for (const [i, r] of results.entries()) {
    const expected = (i < runs.length ? runs[i] : after[i - runs.length]).exit;
    assert.equal(r.code, expected, `${r.name}: exit ${r.code}\n${r.stderr}`);
    for (const s of SECRETS) {
      assert.ok(!r.stdout.includes(s), `${r.name}: stdout holds a secret`);
      assert.ok(!r.stderr.includes(s), `${r.name}: stderr holds a secret`);
    }
  }
  // The failing runs said what happened (so the search covered real error output).
  const byName = new Map(results.map((r) => [r.name, r]));
  assert.match(byName.get('rejected key')!.stderr, /AUTH_REJECTED/);
  assert.match(byName.get('postgres password in URL')!.stderr, /DESTINATION_UNREACHABLE/);
  assert.match(byName.get('preview')!.stderr, /debug|time_entries/);

  // Every file written, byte for byte (DuckDB, CSV, JSONL, sidecars).
  const files = filesUnder(dir);
  assert.ok(files.some((f) => f.endsWith('out.duckdb')) && files.some((f) => f.endsWith('.csv')) && files.some((f) => f.includes('jsonl')), files.join('\n'));
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const s of SECRETS) {
      assert.equal(bytes.indexOf(Buffer.from(s, 'utf8')), -1, `${f} holds a secret`);
      assert.equal(bytes.indexOf(Buffer.from(s, 'utf16le')), -1, `${f} holds a secret (UTF-16)`);
    }
  }
  // DuckDB may compress strings: read the state, run and data tables back and search them too.
  const d = createDestination(duck);
  await d.open();
  try {
    const text = [JSON.stringify(await d.readState()), JSON.stringify((await d.readRuns?.()) ?? [])];
    for (const t of ['report_summary', 'tags', 'clients']) {
      for await (const row of d.readTable(t)) text.push(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    }
    const all = text.join('\n');
    assert.ok(all.includes('"report summary"') || all.includes('report summary'), 'the run table was read');
    for (const s of SECRETS) assert.ok(!all.includes(s), 'a table of the DuckDB destination holds a secret');
  } finally {
    await d.close();
  }
});
