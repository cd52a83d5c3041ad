import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../src/config/index.ts';
import { SyncError } from '../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'config-custom-'));
let n = 0;
function load(doc: unknown, knownStreams?: string[]) {
  const path = join(dir, `c${n++}.yaml`);
  writeFileSync(path, stringify(doc));
  return loadConfig({ file: path, env: {}, knownStreams });
}
function refused(stream: Record<string, unknown>, ...expected: string[]) {
  assert.throws(
    () => load({ customStreams: [stream] }),
    (e: SyncError) => {
      assert.equal(e.code, 'CONFIG_INVALID');
      for (const x of expected) assert.ok(e.message.includes(x), `message lacks ${JSON.stringify(x)}:\n${e.message}`);
      return true;
    },
  );
}

test('a GET custom stream gets defaults, its placeholders and shorthands resolved', () => {
  const cfg = load({
    customStreams: [
      {
        name: 'holidays_in_period',
        path: '/workspaces/{workspaceId}/holidays/in-period',
        query: { start: '{{startOfYear}}', end: '{{ today }}', 'assigned-to': ['u1', 'u2'] },
        primaryKey: 'id',
      },
    ],
  });
  assert.deepEqual(cfg.customStreams, [
    {
      name: 'holidays_in_period',
      method: 'GET',
      host: 'api',
      path: '/workspaces/{workspaceId}/holidays/in-period',
      query: { start: '{{startOfYear}}', end: '{{ today }}', 'assigned-to': ['u1', 'u2'] },
      recordsPath: '$',
      pagination: { kind: 'none', pageSize: 50 },
      primaryKey: ['id'],
      macros: ['startOfYear', 'today'],
      perWorkspace: true,
    },
  ]);
  assert.deepEqual(cfg.jobs[0].customStreams, cfg.customStreams, 'a job without a stream list syncs every custom stream');
});

test('a POST custom stream with a JSON body, body pagination and a records path', () => {
  const cfg = load({
    customStreams: [
      {
        name: 'detailed_billable',
        method: 'post',
        host: 'reports',
        path: '/workspaces/{workspaceId}/reports/detailed',
        body: { dateRangeStart: '{{lastMonthStart}}', dateRangeEnd: '{{lastMonthEnd}}', billable: true, detailedFilter: {} },
        recordsPath: '$.timeentries',
        pagination: { kind: 'body-page', pageSize: 1000 },
        primaryKey: ['_id'],
      },
      { name: 'me', path: '/user', pagination: 'none', primaryKey: ['id'] },
    ],
    sources: [{ name: 'a', streams: ['me'] }],
  });
  const [detailed, me] = cfg.customStreams;
  assert.equal(detailed.method, 'POST');
  assert.equal(detailed.host, 'reports');
  assert.equal(detailed.recordsPath, 'timeentries');
  assert.deepEqual(detailed.pagination, { kind: 'body-page', pageSize: 1000 });
  assert.deepEqual(detailed.macros.sort(), ['lastMonthEnd', 'lastMonthStart']);
  assert.deepEqual(detailed.body, { dateRangeStart: '{{lastMonthStart}}', dateRangeEnd: '{{lastMonthEnd}}', billable: true, detailedFilter: {} });
  assert.equal(me.perWorkspace, false);
  assert.deepEqual(cfg.jobs[0].customStreams.map((c) => c.name), ['me'], 'a job lists the custom streams it syncs');
});

test('invalid custom streams are refused naming the key, the value and what is allowed', () => {
  const ok = { name: 'x', path: '/workspaces/{workspaceId}/things', primaryKey: ['id'] };
  refused({ ...ok, body: { a: 1 } }, 'customStreams[0].body', 'is only allowed with method: POST');
  refused({ ...ok, pagination: 'body-page' }, 'customStreams[0].pagination.kind', '"body-page" needs method: POST');
  refused({ ...ok, pagination: 'cursor' }, 'customStreams[0].pagination.kind: "cursor" is not allowed; allowed values: none, page, body-page');
  refused({ ...ok, pagination: { kind: 'page', pageSize: 10000 } }, 'customStreams[0].pagination.pageSize: 10000 must be at most 5000');
  refused({ ...ok, path: '/workspaces/{workspace}/things' }, 'customStreams[0].path', 'unknown placeholder {workspace}; allowed: {workspaceId} and {{macro}}');
  refused({ ...ok, path: 'workspaces/x' }, 'customStreams[0].path: "workspaces/x" must start with "/"');
  refused({ ...ok, name: 'My Stream' }, 'customStreams[0].name: "My Stream" must be a lowercase name');
  refused({ ...ok, method: 'DELETE' }, 'customStreams[0].method: "DELETE" is not allowed; allowed values: GET, POST');
  refused({ ...ok, primaryKey: [] }, 'customStreams[0].primaryKey: a list ([]) must name at least one field');
  refused({ name: 'x', path: '/user' }, 'customStreams[0].primaryKey: is required');
  refused({ ...ok, recordsPath: 'a..b' }, 'customStreams[0].recordsPath: "a..b" must be "$"');
  refused({ ...ok, query: { a: { nested: 1 } } }, 'customStreams[0].query.a', 'must be text, a number, true/false, or a list of those');
  refused({ ...ok, paginate: 'page' }, 'customStreams[0].paginate: unknown key (did you mean "pagination"?)');
  assert.throws(() => load({ customStreams: [ok, ok] }), (e: SyncError) => e.message.includes('customStreams[1].name: "x" is already the name of customStreams[0]'));
  assert.throws(() => load({ customStreams: [{ ...ok, name: 'projects' }] }, ['projects']), (e: SyncError) => e.message.includes('"projects" is already a built-in stream'));
});
