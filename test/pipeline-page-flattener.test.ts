/**
 * page-flattener.ts: the worker thread flattens pages as this thread does; a worker that stops
 * fails only the pages it held (their requests are retried as invalid bodies), and later pages
 * are flattened in this thread.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flatShapeOf } from '../src/normalize/json-flatten.ts';
import { shapeOf } from '../src/normalize/json-shape.ts';
import { createNormalizer } from '../src/normalize/normalizer.ts';
import type { FlattenResult } from '../src/pipeline/page-flatten.ts';
import { inThreadFlattener, workerFlattener } from '../src/pipeline/page-flattener.ts';
import { createSimulator } from '../src/simulator/index.ts';
import { simGet } from '../src/simulator/sim-testing.ts';
import { STREAMS } from '../src/streams/stream-table.ts';

const plan = createNormalizer(STREAMS.filter((s) => s.name === 'time_entries')).planFor('time_entries');
const json = shapeOf(plan)!;
const flat = flatShapeOf(plan);

test('the worker flattens a simulator page to the same CSV as this thread, and pages that do not fit come back to be parsed', async () => {
  const { app } = createSimulator({ seed: 3, workspaces: 1, users: 2, projects: 3, entries: 400, now: '2026-11-23T12:00:00Z' });
  const [ws] = (await simGet<Array<{ id: string }>>(app, '/api/v1/workspaces')).body;
  const [user] = (await simGet<Array<{ id: string }>>(app, `/api/v1/workspaces/${ws.id}/users`)).body;
  const body = Buffer.from((await simGet(app, `/api/v1/workspaces/${ws.id}/user/${user.id}/time-entries?page-size=5000`)).text);
  const local = await inThreadFlattener().flatten(0, json, flat, Buffer.from(body));
  const worker = workerFlattener();
  try {
    const remote = await worker.flatten(0, json, flat, Buffer.from(body));
    assert.equal(local.kind, 'flat');
    // Byte for byte (the worker's buffers come back as plain Uint8Arrays).
    const bytes = (r: FlattenResult) => (r.kind === 'flat' ? { ...r, tables: r.tables.map((t) => Buffer.from(t).toString('latin1')) } : r);
    assert.deepEqual(bytes(remote), bytes(local));
    if (local.kind === 'flat') assert.ok(local.scan.count > 50 && local.tables[0].length > 1000);
    const other = await worker.flatten(0, json, flat, Buffer.from('[{"id":"x","unknownField":1}]'));
    assert.equal(other.kind, 'parse');
    if (other.kind === 'parse') assert.equal(other.body.toString(), '[{"id":"x","unknownField":1}]');
  } finally {
    await worker.close();
  }
});

test('a page held by a worker that stops is flattened or refused, never lost; later pages are flattened in this thread', async () => {
  const worker = workerFlattener();
  const page = (n = 1) => Buffer.from(JSON.stringify(Array.from({ length: n }, (_, i) => ({ id: `e${i}`, description: 'd'.repeat(100) }))));
  assert.equal((await worker.flatten(0, json, flat, page())).kind, 'flat');
  // A large page, so that the worker most likely still holds it when it is stopped.
  const held = worker.flatten(0, json, flat, page(20_000));
  await worker.close();
  const outcome = await held.then((r) => r.kind, (err: Error) => err.message);
  assert.ok(outcome === 'flat' || /worker/.test(outcome), outcome);
  assert.equal((await worker.flatten(0, json, flat, page())).kind, 'flat');
});

test('recycled CSV buffers are reused for later pages: in this thread, and by the worker (they leave this thread)', async () => {
  const { app } = createSimulator({ seed: 5, workspaces: 1, users: 2, projects: 3, entries: 400, now: '2026-11-23T12:00:00Z' });
  const [ws] = (await simGet<Array<{ id: string }>>(app, '/api/v1/workspaces')).body;
  const [user] = (await simGet<Array<{ id: string }>>(app, `/api/v1/workspaces/${ws.id}/users`)).body;
  const body = Buffer.from((await simGet(app, `/api/v1/workspaces/${ws.id}/user/${user.id}/time-entries?page-size=5000`)).text);
  const csv = (r: FlattenResult) => (r.kind === 'flat' ? r.tables.map((t) => Buffer.from(t).toString('latin1')) : assert.fail(r.kind));
  const local = inThreadFlattener();
  const first = await local.flatten(0, json, flat, Buffer.from(body));
  const expected = csv(first);
  const buffers = first.kind === 'flat' ? first.tables.map((t) => t.buffer) : [];
  local.recycle(first.kind === 'flat' ? first.tables : []);
  const second = await local.flatten(0, json, flat, Buffer.from(body));
  assert.deepEqual(csv(second), expected);
  const reused = second.kind === 'flat' ? second.tables.filter((t) => t.length > 0 && buffers.includes(t.buffer)) : [];
  assert.ok(reused.length > 0, 'a recycled buffer holds the next page');

  const worker = workerFlattener();
  try {
    const a = await worker.flatten(0, json, flat, Buffer.from(body));
    const tables = a.kind === 'flat' ? a.tables : [];
    worker.recycle(tables);
    assert.ok(tables.every((t) => t.buffer.byteLength === 0), 'transferred back to the worker');
    for (let i = 0; i < 3; i++) assert.deepEqual(csv(await worker.flatten(0, json, flat, Buffer.from(body))), expected);
  } finally {
    await worker.close();
  }
});
