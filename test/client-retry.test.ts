import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClockifyClient } from '../src/clockify/client.ts';
import type { ClientOptions, RequestInfo } from '../src/clockify/client.ts';
import { resolveHosts } from '../src/clockify/hosts.ts';
import { classify } from '../src/clockify/errors-classify.ts';
import { backoffDelay, parseRetryAfter } from '../src/clockify/retry.ts';
import { SyncError } from '../src/errors.ts';

const KEY = 'test-secret-key-0123456789';
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let script: Handler[] = [];
let seen: Array<{ url: string; key: string | undefined }> = [];
let server: Server;
let base = '';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const ok = json(200, [{ id: 'a' }, { id: 'b' }]);

before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', key: req.headers['x-api-key'] as string | undefined });
    const next = script.shift();
    if (!next) return json(500, { message: 'script exhausted', code: 0 })(req, res);
    next(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function setup(handlers: Handler[], extra: Partial<ClientOptions> = {}) {
  script = [...handlers];
  seen = [];
  const sleeps: number[] = [];
  const infos: RequestInfo[] = [];
  const client = createClockifyClient({
    hosts: resolveHosts({ baseUrl: base }), apiKey: KEY, requestsPerSecond: 0, maxRetries: 4,
    sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, onRequest: (i) => infos.push(i), ...extra,
  });
  return { client, sleeps, infos };
}

function assertNoSecret(value: unknown) {
  const seenObjs = new Set<unknown>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || v === undefined || seenObjs.has(v)) return;
    if (typeof v === 'string') return assert.ok(!v.includes(KEY), 'the key leaked');
    if (typeof v !== 'object') return;
    seenObjs.add(v);
    for (const k of Object.getOwnPropertyNames(v)) walk((v as Record<string, unknown>)[k], depth + 1);
  };
  walk(value, 0);
  assert.ok(!JSON.stringify(value, Object.getOwnPropertyNames(value as object)).includes(KEY));
}

test('a plain request: auth header, parsed JSON, counted per template', async () => {
  const { client } = setup([ok]);
  const res = await client.request({ path: '/workspaces/w1/tags', template: '/workspaces/{workspaceId}/tags', query: { page: 1, 'page-size': 5000 } });
  assert.deepEqual(res.data, [{ id: 'a' }, { id: 'b' }]);
  assert.equal(res.attempts, 1);
  assert.equal(seen[0].url, '/api/v1/workspaces/w1/tags?page=1&page-size=5000');
  assert.equal(seen[0].key, KEY);
  assert.equal(client.requestCount, 1);
  assert.deepEqual(client.requestsByTemplate(), { 'GET /workspaces/{workspaceId}/tags': 1 });
});

test('429 with Retry-After in seconds waits exactly that long, then succeeds', async () => {
  const { client, sleeps } = setup([json(429, { message: 'Too many requests', code: 429 }, { 'Retry-After': '3' }), ok]);
  const res = await client.request({ path: '/x' });
  assert.equal(res.attempts, 2);
  assert.deepEqual(sleeps, [3000]);
  assert.equal(client.requestCount, 2);
  assert.equal(client.retryCount, 1);
});

test('429 with Retry-After as an HTTP date, and 429 with an empty body and no header (backoff with jitter)', async () => {
  const when = new Date(Date.now() + 5000).toUTCString();
  const { client, sleeps } = setup([
    json(429, {}, { 'Retry-After': when }),
    (_q, res) => { res.writeHead(429); res.end(); },
    (_q, res) => { res.writeHead(429); res.end(); },
    ok,
  ]);
  await client.request({ path: '/x' });
  assert.equal(sleeps.length, 3);
  assert.ok(sleeps[0] > 3000 && sleeps[0] <= 5000, `date-based wait ${sleeps[0]}`);
  // random()=0.5, base 500 ms doubling: 2nd retry ceiling 1000 → 500; 3rd ceiling 2000 → 1000.
  assert.deepEqual(sleeps.slice(1), [500, 1000]);
});

test('500, 502 and 503 are retried; backoff is capped', async () => {
  const { client, sleeps, infos } = setup([json(500, { message: 'boom', code: 0 }), json(502, {}), json(503, {}), ok], { backoff: { baseMs: 1000, capMs: 1500 } });
  const res = await client.request({ path: '/x' });
  assert.equal(res.attempts, 4);
  assert.deepEqual(sleeps, [500, 750, 750]);
  assert.deepEqual(infos.map((i) => i.status), [500, 502, 503, 200]);
  assert.deepEqual(infos.slice(0, 3).map((i) => i.errorCode), ['SERVER_ERROR', 'SERVER_ERROR', 'SERVER_ERROR']);
});

test('a connection dropped mid-body is retried', async () => {
  const { client } = setup([
    (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('[{"id":"a"},');
      setImmediate(() => res.socket?.destroy());
    },
    (q) => q.socket.destroy(),
    ok,
  ]);
  const res = await client.request({ path: '/x' });
  assert.equal(res.attempts, 3);
  assert.deepEqual(res.data, [{ id: 'a' }, { id: 'b' }]);
});

test('a truncated JSON body (complete HTTP response) is retried', async () => {
  const { client, infos } = setup([(_q, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('[{"id":"a"},{"i'); }, ok]);
  const res = await client.request({ path: '/x' });
  assert.equal(res.attempts, 2);
  assert.equal(infos[0].errorCode, 'INVALID_RESPONSE');
});

test('a request that times out is retried', async () => {
  const { client, infos } = setup([() => { /* never answers */ }, ok], { timeoutMs: 150 });
  const res = await client.request({ path: '/x' });
  assert.equal(res.attempts, 2);
  assert.equal(infos[0].errorCode, 'REQUEST_TIMEOUT');
});

test('retries run out: 429 → RATE_LIMITED_TOO_LONG, 5xx → SERVER_ERROR, with the attempts counted', async () => {
  const tooMany = json(429, { message: 'Too many requests', code: 429 });
  let c = setup([tooMany, tooMany, tooMany], { maxRetries: 2 });
  await assert.rejects(c.client.request({ path: '/workspaces/w/users', template: '/workspaces/{workspaceId}/users' }), (e: unknown) => {
    assert.ok(e instanceof SyncError);
    assert.equal(e.code, 'RATE_LIMITED_TOO_LONG');
    assert.match(e.message, /GET \/workspaces\/\{workspaceId\}\/users/);
    assert.match(e.message, /3 attempts/);
    return true;
  });
  assert.equal(c.client.requestCount, 3);
  c = setup([json(503, {}), json(503, {})], { maxRetries: 1 });
  await assert.rejects(c.client.request({ path: '/x' }), { code: 'SERVER_ERROR' });
  // A Retry-After beyond the limit is not waited for.
  c = setup([json(429, {}, { 'Retry-After': '3600' })], { maxRetryAfterMs: 60_000 });
  await assert.rejects(c.client.request({ path: '/x' }), { code: 'RATE_LIMITED_TOO_LONG' });
  assert.deepEqual(c.sleeps, []);
});

test('401, 403 and 400/501 fail at once with actionable codes and never carry the key', async () => {
  const cases: Array<[Handler, string, RegExp]> = [
    [json(401, { message: `Api key does not exist ${KEY}`, code: 4003 }), 'AUTH_REJECTED', /Profile settings → API/],
    [json(403, { message: 'Access Denied', code: 0 }), 'FORBIDDEN', /owner or admin/],
    [json(400, { message: "Project doesn't belong to Workspace", code: 501 }), 'NOT_FOUND_OR_FOREIGN_ID', /--workspace/],
    [json(404, { message: 'No static resource', code: 3000 }), 'ENDPOINT_NOT_FOUND', /base-url/],
  ];
  for (const [handler, code, hint] of cases) {
    const { client, sleeps } = setup([handler]);
    const err = await client.request({ path: '/x' }).catch((e: unknown) => e);
    assert.ok(err instanceof SyncError);
    assert.equal(err.code, code);
    assert.match(err.hint ?? '', hint);
    assert.deepEqual(sleeps, [], 'not retried');
    assert.equal(client.requestCount, 1);
    assertNoSecret(err);
    assert.ok(!String(err.stack).includes(KEY));
  }
});

test('an unreachable host: NETWORK_UNREACHABLE after the retries, key not in the error', async () => {
  // A port that was free a moment ago: connection refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const client = createClockifyClient({
    hosts: resolveHosts({ baseUrl: `http://127.0.0.1:${port}` }), apiKey: KEY, requestsPerSecond: 0, maxRetries: 2, sleep: async () => {},
  });
  const err = await client.request({ path: '/x' }).catch((e: unknown) => e);
  assert.ok(err instanceof SyncError);
  assert.equal(err.code, 'NETWORK_UNREACHABLE');
  assert.equal(client.requestCount, 3);
  assertNoSecret(err);
});

test('credentials: exactly one of key and add-on token; the add-on token header', async () => {
  assert.throws(() => createClockifyClient({ hosts: resolveHosts() }), { code: 'AUTH_MISSING' });
  assert.throws(() => createClockifyClient({ hosts: resolveHosts(), apiKey: 'a', addonToken: 'b' }), { code: 'AUTH_MISSING' });
  script = [(q, res) => json(200, { token: q.headers['x-addon-token'], key: q.headers['x-api-key'] ?? null })(q, res)];
  const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: base }), addonToken: 'addon-jwt', requestsPerSecond: 0 });
  const res = await client.request<{ token: string; key: null }>({ path: '/x' });
  assert.deepEqual(res.data, { token: 'addon-jwt', key: null });
});

test('pacing: requests per second and concurrency are honoured (counted, not timed)', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const slow: Handler = (_q, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => { inFlight--; json(200, [])(_q, res); }, 20);
  };
  const { client } = setup(Array.from({ length: 8 }, () => slow), { concurrency: 2, requestsPerSecond: 1000 });
  await Promise.all(Array.from({ length: 8 }, () => client.request({ path: '/x' })));
  assert.equal(client.requestCount, 8);
  assert.ok(maxInFlight <= 2, `max in flight ${maxInFlight}`);
});

test('classify is pure and total', () => {
  assert.equal(classify({ type: 'status', status: 429 }).action, 'rate-limited');
  assert.equal(classify({ type: 'status', status: 503 }).action, 'retry');
  assert.equal(classify({ type: 'status', status: 401 }).code, 'AUTH_REJECTED');
  assert.equal(classify({ type: 'status', status: 400, clockifyCode: 501 }).code, 'NOT_FOUND_OR_FOREIGN_ID');
  assert.equal(classify({ type: 'status', status: 400, clockifyCode: 3000 }).action, 'fail');
  assert.equal(classify({ type: 'exception', error: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } }) }).code, 'NETWORK_UNREACHABLE');
  assert.equal(classify({ type: 'exception', error: new TypeError('terminated') }).code, 'NETWORK_ERROR');
  assert.equal(classify({ type: 'exception', error: new DOMException('t', 'TimeoutError') }).code, 'REQUEST_TIMEOUT');
  assert.equal(classify({ type: 'invalid-body' }).action, 'retry');
  assert.deepEqual(classify({ type: 'status', status: 502 }), classify({ type: 'status', status: 502 }));
});

test('backoff and Retry-After parsing', () => {
  assert.equal(parseRetryAfter('2', 0), 2000);
  assert.equal(parseRetryAfter('0.5', 0), 500);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(parseRetryAfter(new Date(1000).toUTCString(), 5000), 0);
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter(null, 0), undefined);
  assert.equal(backoffDelay(1, () => 0.999, { baseMs: 100, capMs: 1000 }), 99);
  assert.equal(backoffDelay(10, () => 0.999, { baseMs: 100, capMs: 1000 }), 999);
  assert.equal(backoffDelay(10, () => 0.999, { baseMs: 100, capMs: 1000 }, 4321), 4321);
  assert.equal(backoffDelay(3, () => 0, { baseMs: 100, capMs: 1000 }), 0);
});
