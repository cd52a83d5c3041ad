import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { startSimulator } from '../src/simulator/server.ts';
import { control, simGet } from '../src/simulator/sim-testing.ts';

const NOW = '2026-11-23T12:00:00Z';
const small = { seed: 1, workspaces: 1, users: 5, projects: 8, entries: 200, now: NOW };

test('latency and jitter delay answers by at least the fixed part', async () => {
  const { app } = createSimulator({ ...small, faults: { latencyMs: 60, jitterMs: 20 } });
  const t0 = performance.now();
  const r = await simGet(app, '/api/v1/user');
  assert.equal(r.status, 200);
  assert.ok(performance.now() - t0 >= 55, 'at least the fixed latency');
});

test('rate limit: 429 per key with the documented body, Retry-After on request', async () => {
  const { app, sim } = createSimulator({ ...small, faults: { rateLimit: { perSecond: 3, retryAfter: true } } });
  const results = [];
  for (let i = 0; i < 10; i++) results.push(await simGet(app, '/api/v1/user'));
  const limited = results.filter((r) => r.status === 429);
  assert.ok(limited.length >= 1, '10 requests over at most 3 windows of 3 must hit the limit');
  assert.deepEqual(limited[0].body, { message: 'Too many requests', code: 429 });
  assert.equal(limited[0].headers.get('retry-after'), '1');
  assert.equal((await simGet(app, '/api/v1/user', sim.keys.admin)).status, 200, 'another key has its own budget');
  await control(app, 'POST', '/faults', { rateLimit: { perSecond: 1, retryAfter: false } });
  const again = [];
  for (let i = 0; i < 4; i++) again.push(await simGet(app, '/api/v1/user'));
  const r429 = again.find((r) => r.status === 429);
  assert.ok(r429, 'limited again');
  assert.equal(r429!.headers.get('retry-after'), null);
  assert.equal((await control(app, 'GET', '/stats')).status, 200, 'the control API is never limited');
});

test('errorRate 1 answers 500 (JSON), 502 and 503 (HTML); the sequence is deterministic from the fault seed', async () => {
  const run = async () => {
    const { app } = createSimulator({ ...small, faults: { errorRate: 1, seed: 42 } });
    const out: number[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await simGet(app, '/api/v1/workspaces');
      out.push(r.status);
      if (r.status === 500) assert.deepEqual(r.body, { message: 'Internal server error', code: 500 });
      else assert.match(r.text, new RegExp(`<h1>${r.status} `));
    }
    return out;
  };
  const a = await run();
  assert.deepEqual(new Set(a), new Set([500, 502, 503]));
  assert.deepEqual(await run(), a);
  const { app } = createSimulator({ ...small, faults: { errorRate: 0.5, seed: 7 } });
  const mixed = [];
  for (let i = 0; i < 40; i++) mixed.push((await simGet(app, '/api/v1/user')).status);
  assert.ok(mixed.includes(200) && mixed.some((s) => s >= 500), 'a share of errors');
});

test('truncateRate 1 sends a complete response with half the JSON', async () => {
  const { app } = createSimulator(small);
  const full = await simGet(app, '/api/v1/workspaces');
  await control(app, 'POST', '/faults', { truncateRate: 1 });
  const cut = await simGet(app, '/api/v1/workspaces');
  assert.equal(cut.status, 200);
  assert.ok(cut.text.length < full.text.length && full.text.startsWith(cut.text), 'a prefix');
  assert.throws(() => JSON.parse(cut.text));
  await control(app, 'DELETE', '/faults');
  assert.equal((await simGet(app, '/api/v1/workspaces')).text, full.text, 'reset');
});

test('slowBodyMs streams the same body more slowly', async () => {
  const { app } = createSimulator(small);
  const full = await simGet(app, '/api/v1/workspaces');
  await control(app, 'POST', '/faults', { slowBodyMs: 100 });
  const t0 = performance.now();
  const slow = await simGet(app, '/api/v1/workspaces');
  assert.ok(performance.now() - t0 >= 80, 'took at least most of slowBodyMs');
  assert.equal(slow.text, full.text);
});

test('fault settings are validated and readable', async () => {
  const { app } = createSimulator(small);
  const bad = await control(app, 'POST', '/faults', { errorRate: 2 });
  assert.equal(bad.status, 400);
  const unknown = await control(app, 'POST', '/faults', { chaos: true });
  assert.equal(unknown.status, 400);
  const set = await control(app, 'POST', '/faults', { latencyMs: 5, dropRate: 0.25 });
  assert.equal(set.body.latencyMs, 5);
  assert.equal((await control(app, 'GET', '/faults')).body.dropRate, 0.25);
  assert.equal((await control(app, 'DELETE', '/faults')).body.dropRate, 0);
});

test('dropRate 1 destroys the connection mid-body (in-process: the body stream fails)', async () => {
  const { app } = createSimulator({ ...small, faults: { dropRate: 1 } });
  const res = await app.request('/api/v1/workspaces', { headers: { 'X-Api-Key': 'sim-admin-key' } });
  assert.equal(res.status, 200);
  await assert.rejects(res.text());
});

test('dropRate 1 over loopback: headers arrive, then the socket closes before the announced length', async () => {
  const server = await startSimulator({ ...small, port: 0, faults: { dropRate: 1 } });
  try {
    const res = await fetch(`${server.url}/api/v1/workspaces`, { headers: { 'X-Api-Key': server.keys.owner } });
    assert.equal(res.status, 200);
    assert.ok(Number(res.headers.get('content-length')) > 0, 'full length announced');
    await assert.rejects(res.text());
    await control(server.app.app, 'DELETE', '/faults');
    const ok = await fetch(`${server.url}/api/v1/workspaces`, { headers: { 'X-Api-Key': server.keys.owner } });
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray(await ok.json()), 'served normally after reset');
  } finally {
    await server.close();
  }
});
