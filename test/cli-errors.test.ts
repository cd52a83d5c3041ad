/**
 * Errors a person can act on: each answered with a stable code, a short message saying what to
 * do, and the documented exit status (1 failure, 2 usage or configuration). Run in-process
 * through main(argv) against a loopback simulator, a loopback server that rate-limits for an
 * hour, and closed loopback ports.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.ts';
import { closedPort, runCli, startRateLimitedServer } from './cli-harness.ts';

let sim: RunningSimulator;
let dir: string;
let limited: Awaited<ReturnType<typeof startRateLimitedServer>>;
let closed: number;

before(async () => {
  sim = await startSimulator({ port: 0, seed: 5, workspaces: 2, users: 8, projects: 5, entries: 600, now: '2026-11-23T12:00:00Z' });
  limited = await startRateLimitedServer();
  closed = await closedPort();
  dir = mkdtempSync(join(tmpdir(), 'cli-errors-'));
});
after(async () => {
  await sim.close();
  await limited.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = (key: string, url = sim.url) => ({ CLOCKIFY_API_KEY: key, CLOCKIFY_BASE_URL: url });
/** The one-line error and its hint. */
function errorLines(stderr: string, code: string): { message: string; hint: string } {
  const lines = stderr.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`error [${code}]: `));
  assert.ok(i >= 0, `expected error [${code}] in:\n${stderr}`);
  return { message: lines[i], hint: lines[i + 1]?.startsWith('  → ') ? lines[i + 1] : '' };
}

describe('Clockify side', () => {
  test('a rejected key (401): exit 1, AUTH_REJECTED, where to make a new key', async () => {
    const r = await runCli(['check'], env('not-a-key-of-this-server'));
    assert.equal(r.code, 1);
    const e = errorLines(r.stderr, 'AUTH_REJECTED');
    assert.match(e.message, /rejected the credentials \(HTTP 401/);
    assert.match(e.hint, /Profile settings → API/);
    assert.equal(r.stdout, '');
  });

  test('no key at all: exit 2, API_KEY_MISSING, how to give one', async () => {
    const r = await runCli(['check'], { CLOCKIFY_BASE_URL: sim.url });
    assert.equal(r.code, 2);
    assert.match(errorLines(r.stderr, 'API_KEY_MISSING').hint, /CLOCKIFY_API_KEY.*--api-key-file/);
  });

  test("a missing role (403): a member key reading other users' time entries: exit 1, FORBIDDEN, which role", async () => {
    const r = await runCli(['preview', 'time_entries', '--limit', '100000'], env(sim.keys.member));
    assert.equal(r.code, 1);
    const e = errorLines(r.stderr, 'FORBIDDEN');
    assert.match(e.message, /HTTP 403/);
    assert.match(e.hint, /owner or admin/);
    assert.equal(r.stdout, '');
  });

  test('an unknown workspace id: exit 2, WORKSPACE_UNKNOWN, the ids the key can see; nothing written', async () => {
    const dest = join(dir, 'unknown-ws.duckdb');
    const r = await runCli(['report', 'summary', '--workspace', 'aaaaaaaaaaaaaaaaaaaaaaaa', '--destination', `duckdb:${dest}`], env(sim.keys.owner));
    assert.equal(r.code, 2);
    assert.match(errorLines(r.stderr, 'WORKSPACE_UNKNOWN').hint, new RegExp(sim.sim.store.workspaces()[0].id));
    assert.equal(existsSync(dest), false);
  });

  test('an unreachable host (closed loopback port): exit 1, NETWORK_UNREACHABLE, what to check', async () => {
    const r = await runCli(['check'], env(sim.keys.owner, `http://127.0.0.1:${closed}`));
    assert.equal(r.code, 1);
    const e = errorLines(r.stderr, 'NETWORK_UNREACHABLE');
    assert.match(e.message, /Cannot reach Clockify \(ECONNREFUSED\)/);
    assert.match(e.hint, /network.*--base-url/);
  });

  test('a long rate limit (429, Retry-After: 1 hour): exit 1 at once, RATE_LIMITED_TOO_LONG; nothing written', async () => {
    const before = limited.requests();
    const r = await runCli(['check'], env(sim.keys.owner, limited.url));
    assert.equal(r.code, 1);
    assert.match(errorLines(r.stderr, 'RATE_LIMITED_TOO_LONG').hint, /--requests-per-second/);
    assert.equal(limited.requests() - before, 1, 'no retry when the server asks to wait longer than the client allows');
    const dest = join(dir, 'limited.duckdb');
    const rep = await runCli(['report', 'summary', '--destination', `duckdb:${dest}`], env(sim.keys.owner, limited.url));
    assert.equal(rep.code, 1);
    errorLines(rep.stderr, 'RATE_LIMITED_TOO_LONG');
    assert.equal(existsSync(dest), false, 'the report fails before the destination is opened');
  });
});

describe('destination side', () => {
  test('an unreachable destination (PostgreSQL on a closed port): exit 1, DESTINATION_UNREACHABLE, what to check', async () => {
    const r = await runCli(['report', 'summary', '--destination', `postgres://clockify@127.0.0.1:${closed}/warehouse`], env(sim.keys.owner));
    assert.equal(r.code, 1);
    const e = errorLines(r.stderr, 'DESTINATION_UNREACHABLE');
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${closed}`));
    assert.match(e.hint, /server is up/);
    const s = await runCli(['state', 'show', '--destination', `postgres://clockify@127.0.0.1:${closed}/warehouse`]);
    assert.equal(s.code, 1);
    errorLines(s.stderr, 'DESTINATION_UNREACHABLE');
  });

  // A real full disk cannot be made without privileges. Approximation: DuckDB pointed at /dev/full,
  // where every write fails with ENOSPC ("No space left on device"), the error a full disk gives.
  test('a full disk (approximated by /dev/full: writes fail with ENOSPC): exit 1 with the reason', { skip: !isCharDevice('/dev/full') && 'no /dev/full here' }, async () => {
    const r = await runCli(['report', 'summary', '--destination', 'duckdb:/dev/full'], env(sim.keys.owner));
    assert.equal(r.code, 1);
    const e = errorLines(r.stderr, 'DESTINATION_OPEN_FAILED');
    assert.match(e.message, /No space left on device/);
    assert.ok(isCharDevice('/dev/full'), '/dev/full is untouched');
  });

  test('a destination in a folder that does not exist (or under a file): exit 1, DESTINATION_OPEN_FAILED', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    for (const path of [join(dir, 'no', 'such', 'folder', 'x.duckdb'), join(dir, 'a-file', 'x.duckdb')]) {
      const r = await runCli(['report', 'summary', '--destination', `duckdb:${path}`], env(sim.keys.owner));
      assert.equal(r.code, 1, r.stderr);
      assert.match(errorLines(r.stderr, 'DESTINATION_OPEN_FAILED').message, /Cannot open DuckDB database/);
    }
  });
});

describe('configuration and usage', () => {
  test('a malformed config file: exit 2, CONFIG_MALFORMED with the line; nothing written', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'sources:\n  - name: a\n    destination: [duckdb:x\n');
    const dest = join(dir, 'cfg.duckdb');
    for (const args of [['check'], ['report', 'summary', '--destination', `duckdb:${dest}`], ['state', 'show'], ['discover'], ['schedule', '--cron', '0 * * * *']]) {
      const r = await runCli([...args, '--config', file], env(sim.keys.owner));
      assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
      assert.match(errorLines(r.stderr, 'CONFIG_MALFORMED').message, /line \d+/);
    }
    assert.equal(existsSync(dest), false);
  });

  test('an unknown key or a bad value in the file: exit 2, CONFIG_INVALID naming it and the allowed values', async () => {
    const file = join(dir, 'invalid.yaml');
    writeFileSync(file, 'defaults:\n  mode: sometimes\n  destinaton: duckdb:x.duckdb\n');
    const r = await runCli(['check', '--config', file], env(sim.keys.owner));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /CONFIG_INVALID/);
    assert.match(r.stderr, /mode.*sometimes.*full.*incremental/s);
    assert.match(r.stderr, /destinaton.*destination/s);
  });

  test('a key written into the config file is refused without being echoed', async () => {
    const file = join(dir, 'inline-key.yaml');
    writeFileSync(file, 'defaults:\n  apiKey: inline-SECRET-0042\n');
    const r = await runCli(['check', '--config', file], env(sim.keys.owner));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /apiKeyEnv|apiKeyFile/);
    assert.doesNotMatch(r.stderr + r.stdout, /inline-SECRET-0042/);
  });

  test('usage errors: unknown option, missing argument, bad number: exit 2', async () => {
    for (const args of [['check', '--colour'], ['preview'], ['preview', 'tags', '--limit', 'many'], ['report'], ['state', 'reset', '--stream']]) {
      const r = await runCli(args, env(sim.keys.owner));
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /error:/);
    }
  });

  test('schedule: a missing or invalid cron expression is exit 2 before anything runs', async () => {
    const none = await runCli(['schedule'], env(sim.keys.owner));
    assert.equal(none.code, 2);
    assert.match(errorLines(none.stderr, 'SCHEDULE_MISSING').hint, /--cron/);
    const bad = await runCli(['schedule', '--cron', '61 * * * *'], env(sim.keys.owner));
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /61 \* \* \* \*/);
  });
});

function isCharDevice(path: string): boolean {
  try {
    return statSync(path).isCharacterDevice();
  } catch {
    return false;
  }
}


