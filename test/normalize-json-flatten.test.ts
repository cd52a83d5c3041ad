/**
 * json-flatten.ts: the CSV a page that fits is flattened to, byte for byte (the rows themselves
 * are held to the normalizer's in destination-duckdb-flat.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flatShapeOf, flattenPage, type FlatPage } from '../src/normalize/json-flatten.ts';
import { scanJsonPage, shapeOf } from '../src/normalize/json-shape.ts';
import { createNormalizer } from '../src/normalize/normalizer.ts';
import { STREAMS } from '../src/streams/stream-table.ts';

const plan = createNormalizer(STREAMS.filter((s) => s.name === 'time_entries')).planFor('time_entries');
const shape = flatShapeOf(plan);

function flat(text: string): string[] {
  assert.equal(scanJsonPage(Buffer.from(text), shapeOf(plan))?.fits, true, `fits: ${text}`);
  const page = flattenPage(Buffer.from(text), shape) as FlatPage;
  return page.tables.map((t) => Buffer.from(t).toString('utf8'));
}

test('the tables and their CSV columns follow the plan (the workspace id is added by the loader)', () => {
  assert.deepEqual(shape.tables.map((t) => t.table), ['time_entries', 'time_entries__tags', 'time_entries__custom_field_values']);
  assert.deepEqual(shape.tables[1].columns.map((c) => c.name), ['time_entry_id', 'tag_id']);
  assert.deepEqual(shape.tables[2].columns.map((c) => `${c.name}:${c.type}`), ['time_entry_id:text', 'custom_field_id:text', 'name:text', 'type:text', 'value:json']);
  const cols = shape.tables[0].columns.map((c) => c.name);
  assert.equal(cols[0], 'id');
  assert.ok(cols.includes('time_interval__duration_seconds') && !cols.includes('workspace_id'));
});

test('values: strings copied with their quotes, escapes decoded and quoted for CSV, null empty, "" an empty string', () => {
  const cols = shape.tables[0].columns.map((c) => c.name);
  const [main] = flat('[{"id":"e1","description":"say \\"hi\\"\\nbye \\u00e9","billable":true,"isLocked":null,"type":"","projectId":"p\\/1"}]');
  const fields = new Map(cols.map((c, i) => [c, i]));
  const line = main.slice(0, -1);
  // Split on the commas outside quotes.
  const values = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((v) => v.replace(/,$/, '')).slice(0, cols.length);
  assert.equal(values[fields.get('id')!], '"e1"');
  assert.equal(values[fields.get('description')!], '"say ""hi""\nbye é"');
  assert.equal(values[fields.get('billable')!], 'true');
  assert.equal(values[fields.get('is_locked')!], '');
  assert.equal(values[fields.get('type')!], '""');
  assert.equal(values[fields.get('project_id')!], '"p/1"');
  assert.ok(main.endsWith('\n') && main.split('\n').length === 3, 'one row; the newline inside the quotes is data');
});

test('durations become seconds, with the fallback from start and end when the duration is null', () => {
  const cols = shape.tables[0].columns.map((c) => c.name);
  const at = (line: string, c: string) => line.split(',')[cols.indexOf(c)];
  const [main] = flat(JSON.stringify([
    { id: 'a', timeInterval: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z', duration: 'PT1H2M3S' } },
    { id: 'b', timeInterval: { duration: null, end: '2026-01-01T00:00:01.500Z', start: '2026-01-01T00:00:00Z' } },
    { id: 'c', timeInterval: { start: '2026-01-01T00:00:00Z', end: null, duration: null } },
    { id: 'd', timeInterval: { duration: 'PT45S' } },
  ]));
  const lines = main.trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => at(l, 'time_interval__duration_seconds')), ['3723', '2', '', '45']);
  assert.deepEqual(lines.map((l) => at(l, 'time_interval__duration')), ['"PT1H2M3S"', '', '', '"PT45S"']);
  assert.equal(at(lines[1], 'time_interval__end'), '"2026-01-01T00:00:01.500Z"', 'instants as the API wrote them');
});

test('child lists: the parent key first; id lists without nulls or repeats (escaped spellings included); object items with their JSON values', () => {
  const [, tags, cfv] = flat(JSON.stringify([
    { id: 'e1', tagIds: ['t1', null, 't2', 't1'], customFieldValues: [{ customFieldId: 'c1', name: 'n', type: 'T', value: { a: [1, 'x "y"'] } }, null] },
    { id: 'e2', tagIds: null, customFieldValues: [{ customFieldId: 'c2', value: null }, { customFieldId: 'c3', value: 'text' }] },
  ]).replace('"t2"', '"\\u0074\\u0031"'));
  // "\u0074\u0031" is "t1" again.
  assert.equal(tags, '"e1","t1"\n');
  // A repeated key's list replaces the first one, as JSON.parse keeps the last.
  assert.equal(flat('[{"id":"a","tagIds":["x","z"],"tagIds":["y"]}]')[1], '"a","y"\n');
  assert.equal(cfv, '"e1","c1","n","T","{""a"":[1,""x \\""y\\""""]}"\n"e2","c2",,,\n"e2","c3",,,"""text"""\n');
});

test('a page with no records gives empty tables; a record or item without its key gives no flat page', () => {
  assert.deepEqual(flat('[]'), ['', '', '']);
  assert.deepEqual(flat(' [ ] '), ['', '', '']);
  assert.equal(flattenPage(Buffer.from('[{"id":"a"},{"description":"no id"}]'), shape), null);
  assert.equal(flattenPage(Buffer.from('[{"id":null}]'), shape), null);
  assert.equal(flattenPage(Buffer.from('[{"id":"a","customFieldValues":[{"name":"no field id"}]}]'), shape), null);
});

test('two items of one list with the same key give no flat page (the normalizer\'s merge keeps the last); the same key under two records does', () => {
  const cfv = (id: string) => `{"customFieldId":${id},"name":"n","value":"v"}`;
  assert.equal(flattenPage(Buffer.from(`[{"id":"a","customFieldValues":[${cfv('"f1"')},${cfv('"f2"')},${cfv('"f1"')}]}]`), shape), null);
  // The same value spelled with an escape is the same key.
  assert.equal(flattenPage(Buffer.from(`[{"id":"a","customFieldValues":[${cfv('"f1"')},${cfv('"\\u0066\\u0031"')}]}]`), shape), null);
  assert.deepEqual(flat(`[{"id":"a","customFieldValues":[${cfv('"f1"')},${cfv('"f2"')}]},{"id":"b","customFieldValues":[${cfv('"f1"')}]}]`)[2].split('\n').filter(Boolean).length, 3);
});

test('whitespace anywhere between tokens is read as JSON allows', () => {
  const compact = flat(JSON.stringify([{ id: 'a', tagIds: ['t'], timeInterval: { start: '2026-01-01T00:00:00Z', duration: null, end: null }, customFieldValues: [] }]));
  const spaced = flat(JSON.stringify([{ id: 'a', tagIds: ['t'], timeInterval: { start: '2026-01-01T00:00:00Z', duration: null, end: null }, customFieldValues: [] }], null, '\t').replaceAll('\n', '\r\n '));
  assert.deepEqual(spaced, compact);
});
