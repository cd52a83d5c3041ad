import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STREAMS, MAX_PAGE_SIZE, ALL_ACCOUNT_STATUSES } from '../src/streams/stream-table.ts';
import { selectStreams, streamByName, streamNames } from '../src/streams/stream-select.ts';
import { createNormalizer } from '../src/normalize/normalizer.ts';
import { SyncError } from '../src/errors.ts';

const REQUIRED = ['workspaces', 'users', 'user_groups', 'projects', 'clients', 'tags', 'tasks', 'time_entries', 'custom_fields', 'holidays'];

test('every core stream is in the table, once', () => {
  assert.deepEqual(streamNames(), REQUIRED);
  assert.equal(new Set(streamNames()).size, STREAMS.length);
});

test('each row is consistent: parents exist and come first, placeholders match, keys and children are columns', () => {
  const normalizer = createNormalizer(STREAMS);
  const tableNames = new Set<string>();
  STREAMS.forEach((s, i) => {
    const parent = s.parent?.stream ?? s.fromParent?.stream;
    if (parent) assert.ok(STREAMS.findIndex((p) => p.name === parent) < i, `${s.name}: parent ${parent} comes first`);
    assert.equal(s.path.includes('{parent.id}'), !!(s.parent || s.fromParent), `${s.name}: {parent.id} iff it has a parent`);
    assert.ok(s.path.startsWith('/workspaces/{workspaceId}'), s.name);
    assert.match(s.name, /^[a-z_]+$/);
    if (s.pagination.kind === 'query') assert.ok(s.pagination.maxPageSize >= 1000, `${s.name} uses a large page size`);
    const tables = normalizer.tablesFor(s.name);
    assert.equal(tables[0].name, s.name);
    for (const t of tables) {
      assert.ok(!tableNames.has(t.name), `table ${t.name} declared once`);
      tableNames.add(t.name);
      const cols = new Set(t.columns.map((c) => c.name));
      assert.ok(cols.has('workspace_id'), `${t.name}.workspace_id`);
      for (const k of t.primaryKey) assert.ok(cols.has(k), `${t.name} key ${k} is a column`);
      for (const c of t.columns) assert.match(c.name, /^[a-z_][a-z0-9_]*$/, `${t.name}.${c.name}`);
      if (t.parent) {
        assert.equal(t.parent.table, s.name);
        for (const c of t.parent.columns) assert.ok(t.primaryKey.includes(c), `${t.name}: parent column ${c} is in its key`);
      }
    }
    assert.equal(tables.length, 1 + s.children.length);
    for (const c of s.children) assert.ok(c.table.startsWith(`${s.name}__`), c.table);
  });
});

test('the requests follow the API facts: memberships and every status for users, hydrated projects, max page sizes', () => {
  const users = streamByName('users');
  assert.equal(users.query?.memberships, 'ALL');
  assert.equal(users.query?.status, 'ALL');
  assert.deepEqual(users.query?.['account-statuses']?.split(','), ALL_ACCOUNT_STATUSES);
  assert.ok(ALL_ACCOUNT_STATUSES.includes('LIMITED'));
  assert.equal(streamByName('projects').query?.hydrated, 'true');
  assert.ok(!('archived' in (streamByName('projects').query ?? {})), 'archived projects included');
  assert.deepEqual(streamByName('tasks').fromParent, { stream: 'projects', field: 'tasks' });
  const te = streamByName('time_entries');
  assert.deepEqual(te.parent, { stream: 'users' });
  assert.equal(te.partitioning, 'parent');
  assert.equal(te.cursorField, 'timeInterval.start');
  assert.deepEqual(te.pagination, { kind: 'query', maxPageSize: MAX_PAGE_SIZE });
  assert.equal(streamByName('custom_fields').pagination.kind, 'none');
  assert.equal(streamByName('holidays').pagination.kind, 'none');
});

test('the expected child tables exist', () => {
  const names = new Set(createNormalizer(STREAMS).tables().map((t) => t.name));
  for (const t of ['time_entries__tags', 'time_entries__custom_field_values', 'tasks__assignees', 'user_groups__users', 'users__memberships', 'projects__memberships']) {
    assert.ok(names.has(t), t);
  }
});

test('selecting streams by name: order of the table, forgiving spelling, unknown names listed', () => {
  assert.deepEqual(selectStreams().map((s) => s.name), REQUIRED);
  assert.deepEqual(selectStreams('').map((s) => s.name), REQUIRED);
  assert.deepEqual(selectStreams('time_entries,tags').map((s) => s.name), ['tags', 'time_entries']);
  assert.deepEqual(selectStreams([' Time-Entries ', 'users']).map((s) => s.name), ['users', 'time_entries']);
  assert.throws(() => selectStreams('tags,timeentries,foo'), (e: unknown) => {
    assert.ok(e instanceof SyncError);
    assert.equal(e.code, 'CONFIG_UNKNOWN_STREAM');
    assert.equal(e.kind, 'config');
    assert.match(e.message, /timeentries, foo/);
    for (const n of REQUIRED) assert.ok(e.message.includes(n), n);
    return true;
  });
});
