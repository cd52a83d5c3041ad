/**
 * Issue 4: the reads an incremental run adds: the change feed (paged with `limit`, a long gap
 * split into 30-day windows, feed fields stripped from entities) and the in-progress list
 * (paged at its 1000 maximum).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FEED_PAGE_SIZE, feedEntity, fetchChanges, fetchInProgress } from '../src/extract/index.ts';
import { setupSim } from './support/pipeline-harness.ts';


test('change feed: every change of a long gap, in 30-day windows and pages of FEED_PAGE_SIZE', async () => {
  const s = setupSim({ entries: 600 });
  const ws = s.sim.store.workspaceList[0].id;
  const start = new Date(s.sim.now());
  const entries = [...s.sim.store.timeEntries(ws)].filter((e) => e.end !== null);
  const edited = entries.slice(0, FEED_PAGE_SIZE + 30);
  for (const e of edited) s.sim.updateTimeEntry(e.id, { description: `edited ${e.id}` });
  s.sim.setClock({ advance: 'P40D' });
  const late = entries.slice(FEED_PAGE_SIZE + 30, FEED_PAGE_SIZE + 40);
  for (const e of late) s.sim.deleteTimeEntry(e.id);
  s.sim.setClock({ advance: 'P25D' });
  const end = new Date(s.sim.now());

  const before = s.client.requestCount;
  const updated = await fetchChanges(s.client, ws, 'updated', ['TIME_ENTRY'], start, end);
  assert.deepEqual(updated.items.map((i) => i.id).sort(), edited.map((e) => e.id).sort());
  // 65 days = 3 windows; the first has two pages (FEED_PAGE_SIZE + 30 items), the others one each.
  assert.equal(updated.requests, 4);
  assert.equal(s.client.requestCount - before, 4);
  const entity = feedEntity(updated.items[0]);
  for (const f of ['documentType', 'documentCode', 'auditMetadata']) assert.ok(f in updated.items[0] && !(f in entity), f);
  assert.equal(entity.description, `edited ${entity.id}`);
  assert.ok((entity.timeInterval as { start: string }).start);

  const deleted = await fetchChanges(s.client, ws, 'deleted', ['TIME_ENTRY'], start, end);
  assert.deepEqual(deleted.items.map((i) => i.id).sort(), late.map((e) => e.id).sort());
  assert.ok(deleted.items.every((i) => typeof i.deletedAt === 'string'));
});

test('in-progress: every running timer of the workspace, paged at 1000', async () => {
  const s = setupSim({ users: 40, entries: 200 });
  const ws = s.sim.store.workspaceList[0].id;
  const members = s.sim.store.members(ws).filter((m) => m.status === 'ACTIVE').map((m) => m.userId);
  for (let i = 0; i < 1100; i++) {
    s.sim.addTimeEntry({ workspaceId: ws, userId: members[i % members.length], start: s.sim.now() - (i + 1) * 60_000, end: null });
  }
  const running = [...s.sim.store.timeEntries(ws)].filter((e) => e.end === null);
  const read = await fetchInProgress(s.client, ws);
  assert.equal(read.requests, 2);
  assert.deepEqual(read.items.map((e) => e.id).sort(), running.map((e) => e.id).sort());
  assert.ok(read.items.every((e) => (e.timeInterval as { end: unknown }).end === null));
});
