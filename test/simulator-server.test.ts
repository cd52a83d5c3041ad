import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulatorCommand, startSimulator } from '../src/simulator/server.ts';
import { SyncError } from '../src/errors.ts';

const small = { seed: 1, workspaces: 2, users: 6, projects: 5, entries: 300, now: '2026-11-23T12:00:00Z' };

test('startSimulator serves the main, reports and control APIs on 127.0.0.1 with a free port', async () => {
  const server = await startSimulator({ ...small, port: 0 });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.port > 0, 'a port was picked');
    const ws = await fetch(`${server.url}/api/v1/workspaces`, { headers: { 'X-Api-Key': server.keys.owner } });
    assert.equal(ws.status, 200);
    const list = (await ws.json()) as { id: string }[];
    assert.equal(list.length, 2);
    const report = await fetch(`${server.url}/report/v1/workspaces/${list[0].id}/reports/detailed`, {
      method: 'POST',
      headers: { 'X-Api-Key': server.keys.owner, 'content-type': 'application/json' },
      body: JSON.stringify({ dateRangeStart: '2026-11-01T00:00:00', dateRangeEnd: '2026-11-23T00:00:00', timeZone: 'UTC', detailedFilter: { page: 1, pageSize: 10 } }),
    });
    assert.equal(report.status, 200, await report.clone().text());
    const body = (await report.json()) as { timeentries: unknown[] };
    assert.ok(Array.isArray(body.timeentries), 'detailed report shape');
    const info = await fetch(`${server.url}/__simulator/info`, { headers: { 'X-Simulator-Token': server.keys.control } });
    assert.equal(((await info.json()) as { seed: number }).seed, 1);
  } finally {
    await server.close();
  }
});

test('a busy port is a SyncError with a hint', async () => {
  const first = await startSimulator({ ...small, entries: 10, port: 0 });
  try {
    await assert.rejects(startSimulator({ ...small, entries: 10, port: first.port }), (err: unknown) => err instanceof SyncError && err.code === 'SIMULATOR_PORT_IN_USE');
  } finally {
    await first.close();
  }
});

test('runSimulatorCommand prints the URL and every key, serves until aborted', async () => {
  const lines: string[] = [];
  const stop = new AbortController();
  let url = '';
  const done = runSimulatorCommand({ ...small, port: 0, apiKey: 'my-owner-key', rateLimit: 50 }, (line) => {
    lines.push(line);
    const m = /listening on (http:\/\/\S+)/.exec(line);
    if (m) url = m[1];
  }, stop.signal);
  for (let i = 0; i < 200 && !lines.some((l) => l.startsWith('Press Ctrl+C')); i++) await new Promise((r) => setTimeout(r, 25));
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const text = lines.join('\n');
  for (const k of ['my-owner-key', 'sim-workspace-admin-key', 'sim-member-key', 'sim-addon-token', 'sim-control-token', '/api/v1', '/report/v1']) assert.ok(text.includes(k), `prints ${k}`);
  const res = await fetch(`${url}/api/v1/user`, { headers: { 'X-Api-Key': 'my-owner-key' } });
  assert.equal(res.status, 200);
  const faults = await fetch(`${url}/__simulator/faults`, { headers: { 'X-Simulator-Token': 'sim-control-token' } });
  assert.deepEqual(((await faults.json()) as { rateLimit: unknown }).rateLimit, { perSecond: 50, retryAfter: true });
  stop.abort();
  await done;
  assert.equal(lines.at(-1), 'Clockify simulator stopped.');
  await assert.rejects(fetch(`${url}/api/v1/user`, { headers: { 'X-Api-Key': 'my-owner-key' } }));
});

test('runSimulatorCommand refuses negative numbers as a usage error', async () => {
  await assert.rejects(runSimulatorCommand({ ...small, port: 0, latencyMs: -1 }, () => {}), (err: unknown) => err instanceof SyncError && err.code === 'SIMULATOR_BAD_OPTION');
});
