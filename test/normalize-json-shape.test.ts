/**
 * The byte scanner of raw pages (json-shape.ts): what fits a stream's plan (and can be
 * flattened by DuckDB), what does not (and is parsed and normalized instead), and what is not a
 * complete JSON array at all (and is retried like a body JSON.parse refuses).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instantMs, isDuration, scanJsonPage, shapeOf, type JsonShape } from '../src/normalize/json-shape.ts';
import { planStream } from '../src/normalize/normalize-plan.ts';
import { STREAMS } from '../src/streams/stream-table.ts';

const plan = planStream(STREAMS.find((s) => s.name === 'time_entries')!);
const shape = shapeOf(plan) as JsonShape;
const scan = (text: string) => scanJsonPage(Buffer.from(text), shape);
const fits = (record: unknown) => scan(JSON.stringify([record]))?.fits;

test('a page is counted, fingerprinted, and its earliest cursor instant found', () => {
  const text = JSON.stringify([
    { id: 'a', timeInterval: { start: '2026-11-02T08:00:00Z' }, tagIds: ['x', null, 'y'], customFieldValues: [{ customFieldId: 'c', value: [1, { k: 'v' }] }] },
    { id: 'b', timeInterval: { start: '2026-11-01T08:00:00.5+01:00' } },
  ], null, 2);
  const r = scan(text)!;
  assert.equal(r.fits, true);
  assert.equal(r.count, 2);
  assert.equal(r.childRows, 3, 'non-null list items');
  assert.equal(r.minCursor, Date.parse('2026-11-01T07:00:00.500Z'));
  assert.match(r.fingerprint, /^2:\{/);
  assert.deepEqual(scan(' [ ] '), { count: 0, childRows: 0, fits: true, minCursor: Infinity, fingerprint: '0' });
});

test('not a complete JSON array: null (the body is refused)', () => {
  for (const bad of ['', '{}', '[{"id":"a"}', '[{"id":"a"}]]', '[{"id":"a"]}', '[{"id":"a\\"}]', '[nul]', '[tru]', '[{"id":"a"}] x', '[{"id":"a"}]\n{']) {
    assert.equal(scan(bad), null, bad);
  }
});

test('fits: known keys at their levels, values of their columns\' JSON types, nulls anywhere', () => {
  assert.equal(fits({ id: 'a', billable: true, isLocked: null, hourlyRate: { amount: 123456789012345, currency: 'USD' }, costRate: null }), true);
  assert.equal(fits({ workspaceId: 5, customFieldValues: [{ timeEntryId: { any: [1.5] }, value: 'x' }] }), true, 'skipped fields take anything');
  assert.equal(fits({ timeInterval: { start: null, end: null, duration: null }, tagIds: null, customFieldValues: null }), true);
});

test('does not fit: an unknown or escaped key at any level, or a value of another type', () => {
  const cases: Record<string, unknown> = {
    'unknown root key': { id: 'a', newField: 1 },
    'unknown nested key': { timeInterval: { start: '2026-11-02T08:00:00Z', zone: 'UTC' } },
    'unknown key in a list item': { customFieldValues: [{ customFieldId: 'c', extra: true }] },
    'a known key at another level': { timeInterval: { id: 'x' } },
    'string for a boolean': { billable: 'true' },
    'fraction for an integer': { hourlyRate: { amount: 1.5 } },
    'integer of 16 digits': { hourlyRate: { amount: 1234567890123456 } },
    'number for text': { description: 5 },
    'object for text': { description: { a: 1 } },
    'scalar for an object': { timeInterval: 'PT1H' },
    'object for a list': { tagIds: { a: 'b' } },
    'number in a list of ids': { tagIds: [1] },
    'scalar item of an object list': { customFieldValues: ['x'] },
    'fraction inside a JSON value': { customFieldValues: [{ value: { a: [1, 2.5] } }] },
    'exponent inside a JSON value': { customFieldValues: [{ value: 1e21 }] },
  };
  for (const [name, record] of Object.entries(cases)) assert.equal(fits(record), false, name);
  assert.equal(scan('[{"i\\u0064":"a"}]')?.fits, false, 'escaped key');
  assert.equal(scan('[1]')?.fits, false, 'a record that is not an object');
  assert.equal(scan('[null]')?.fits, false, 'a null record');
  assert.equal(scanJsonPage(Buffer.from('[{"id":"a"}]'), null)?.fits, false, 'no shape: never fits');
  const deep = `[{"customFieldValues":[{"value":${'['.repeat(300)}${']'.repeat(300)}}]}]`;
  assert.deepEqual(JSON.parse(deep).length, 1);
  assert.equal(scan(deep)?.fits, false, 'nested deeper than tracked: left to JSON.parse, not refused');
});

test('instants: ISO 8601 with Z or an offset and at most milliseconds; anything else does not fit', () => {
  const ms = (s: string) => instantMs(Buffer.from(s), 0, s.length);
  assert.equal(ms('2026-11-02T08:00:00Z'), Date.parse('2026-11-02T08:00:00Z'));
  assert.equal(ms('2026-11-02T08:00:00.12Z'), Date.parse('2026-11-02T08:00:00.120Z'));
  assert.equal(ms('2026-11-02T08:00:00-03:30'), Date.parse('2026-11-02T11:30:00Z'));
  assert.equal(ms('2024-02-29T00:00:00Z'), Date.parse('2024-02-29T00:00:00Z'));
  for (const bad of ['2026-11-02T08:00:00', '2026-11-02 08:00:00Z', '2026-11-02T08:00:00.123456Z', '2025-02-29T00:00:00Z', '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z', '2026-11-02T24:00:00Z', '0999-11-02T08:00:00Z', '2026-11-02T08:00:00+0530', '2026-11-02', '2026-11-02T08:00:00.Z']) {
    assert.ok(Number.isNaN(ms(bad)), bad);
    assert.equal(fits({ timeInterval: { start: bad } }), false, bad);
  }
  assert.equal(scan('[{"timeInterval":{"start":"2026-11-02T08:00:00\\u005a"}}]')?.fits, false, 'escaped instant');
});

test('durations: PT with hours, minutes and seconds in that order, whole numbers', () => {
  const ok = (s: string) => isDuration(Buffer.from(s), 0, s.length);
  for (const good of ['PT0S', 'PT1H', 'PT1H2M3S', 'PT59M', 'PT100H5S']) assert.equal(ok(good), true, good);
  for (const bad of ['PT', 'P1D', 'PT1.5S', 'PT5S1H', 'PT1H1H', '-PT5M', 'PT1234567890S', 'pt1h']) {
    assert.equal(ok(bad), false, bad);
    assert.equal(fits({ timeInterval: { duration: bad } }), false, bad);
  }
});

test('numbers of a double column fit without an exponent (1e400 would be infinite, which the normalizer refuses)', () => {
  const def = { ...STREAMS.find((s) => s.name === 'time_entries')!, name: 'nums' };
  const nums = shapeOf(planStream({ ...def, schema: { type: 'object', properties: { id: { type: 'string' }, x: { type: 'number' } } } } as typeof def));
  const fitsNum = (x: string) => scanJsonPage(Buffer.from(`[{"id":"a","x":${x}}]`), nums)?.fits;
  for (const ok of ['1.5', '-0.25', '12345678901234567890', '0']) assert.equal(fitsNum(ok), true, ok);
  for (const bad of ['1e400', '1E5', '2.5e-3']) assert.equal(fitsNum(bad), false, bad);
});

test('a plan with a column type the raw path does not carry has no shape', () => {
  const def = { ...STREAMS.find((s) => s.name === 'holidays')!, name: 'dated' };
  const dated = planStream({ ...def, schema: { type: 'object', properties: { id: { type: 'string' }, day: { type: 'string', format: 'date' } } } } as typeof def);
  assert.equal(shapeOf(dated), null);
});

test('strings DuckDB would refuse do not fit: a lone surrogate escape anywhere; a page of invalid UTF-8 is parsed instead', async () => {
  assert.equal(scan('[{"description":"pair \\ud83d\\ude00 ok"}]')?.fits, true);
  for (const bad of ['[{"description":"a\\ud800b"}]', '[{"description":"\\udc00"}]', '[{"description":"\\ud83d\\u0041"}]',
    '[{"customFieldValues":[{"value":{"k":"\\ud800"}}]}]', '[{"customFieldValues":[{"value":{"\\udfff":1}}]}]', '[{"workspaceId":"\\ud800"}]']) {
    assert.equal(scan(bad)?.fits, false, bad);
  }
  const { rawPageDecoder } = await import('../src/pipeline/raw-pages.ts');
  const { inThreadFlattener, workerFlattener } = await import('../src/pipeline/page-flattener.ts');
  const { createNormalizer } = await import('../src/normalize/normalizer.ts');
  const def = STREAMS.find((s) => s.name === 'time_entries')!;
  // The same answers in this thread and in the worker thread the sync uses.
  for (const flattener of [inThreadFlattener(), workerFlattener()]) {
    try {
      const decode = rawPageDecoder(createNormalizer([def]), flattener)(def)!;
      const good = await decode(Buffer.from('[{"id":"a","description":"é"}]')) as { raw?: boolean; count?: number; flat?: { tables: Uint8Array[] } };
      assert.equal(good.raw, true);
      assert.equal(good.count, 1);
      assert.equal(Buffer.from(good.flat!.tables[0]).toString(), '"a","é",,,,,,,,,,,,,,,,\n');
      const invalid = Buffer.concat([Buffer.from('[{"id":"a","description":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]')]);
      assert.deepEqual(await decode(invalid), [{ id: 'a', description: '\ufffd(' }], 'parsed, as TextDecoder reads it');
      await assert.rejects(async () => decode(Buffer.from('[{"id":"a"')), /not a complete JSON array/);
      assert.deepEqual(await decode(Buffer.from('[{"id":"b","extra":1}]')), [{ id: 'b', extra: 1 }], 'a page that does not fit is parsed');
    } finally {
      await flattener.close();
    }
  }
});
