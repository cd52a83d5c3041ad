import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GLOBAL_HOSTS, REGIONS, resolveHosts } from '../src/clockify/hosts.ts';
import { SyncError } from '../src/errors.ts';

test('no region and no base URL: the global hosts', () => {
  assert.deepEqual(resolveHosts(), { api: 'https://api.clockify.me/api/v1', reports: 'https://reports.api.clockify.me/v1' });
  assert.deepEqual(resolveHosts({}), GLOBAL_HOSTS);
  assert.deepEqual(resolveHosts({ region: '', baseUrl: '' }), GLOBAL_HOSTS);
});

test('every region: {r}.clockify.me/api/v1 and /report/v1', () => {
  const expected: Record<string, string> = { euc1: 'euc1', use2: 'use2', euw2: 'euw2', apse2: 'apse2' };
  assert.deepEqual([...REGIONS].sort(), Object.keys(expected).sort());
  for (const r of REGIONS) {
    assert.deepEqual(resolveHosts({ region: r }), { api: `https://${r}.clockify.me/api/v1`, reports: `https://${r}.clockify.me/report/v1` });
  }
  assert.equal(resolveHosts({ region: 'EUC1' }).api, 'https://euc1.clockify.me/api/v1');
});

test('an unknown region is a config error naming the allowed values', () => {
  assert.throws(() => resolveHosts({ region: 'us-east-1' }), (e: unknown) => {
    assert.ok(e instanceof SyncError);
    assert.equal(e.code, 'CONFIG_BAD_REGION');
    assert.equal(e.kind, 'config');
    for (const r of REGIONS) assert.match(e.message, new RegExp(r));
    return true;
  });
});

test('every base-URL form normalizes to URL/api/v1 and URL/report/v1', () => {
  const want = { api: 'https://acme.clockify.me/api/v1', reports: 'https://acme.clockify.me/report/v1' };
  for (const form of [
    'https://acme.clockify.me', 'https://acme.clockify.me/', 'https://acme.clockify.me/api', 'https://acme.clockify.me/api/',
    'https://acme.clockify.me/api/v1', 'https://acme.clockify.me/api/v1/', '  https://acme.clockify.me//  ',
  ]) {
    assert.deepEqual(resolveHosts({ baseUrl: form }), want, form);
  }
  assert.deepEqual(resolveHosts({ baseUrl: 'http://127.0.0.1:8080' }), { api: 'http://127.0.0.1:8080/api/v1', reports: 'http://127.0.0.1:8080/report/v1' });
  // A self-hosted server under a path prefix keeps it.
  assert.deepEqual(resolveHosts({ baseUrl: 'https://example.com/clockify/api' }), {
    api: 'https://example.com/clockify/api/v1', reports: 'https://example.com/clockify/report/v1',
  });
  // The base URL wins over a region.
  assert.equal(resolveHosts({ region: 'euc1', baseUrl: 'http://127.0.0.1:1' }).api, 'http://127.0.0.1:1/api/v1');
});

test('bad base URLs are config errors that say what is expected', () => {
  for (const bad of ['not a url', 'ftp://example.com', 'https://example.com/?x=1', 'https://user:pw@example.com', 'example.com']) {
    assert.throws(() => resolveHosts({ baseUrl: bad }), (e: unknown) => {
      assert.ok(e instanceof SyncError, bad);
      assert.equal(e.code, 'CONFIG_BAD_BASE_URL');
      assert.match(e.message, /URL\/api\/v1/);
      assert.ok(!e.message.includes('pw@'), 'credentials from the URL are not echoed beyond the input');
      return true;
    });
  }
});
