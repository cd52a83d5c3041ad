import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { simGet } from '../src/simulator/sim-testing.ts';

const { app, sim } = createSimulator({ seed: 2, workspaces: 1, users: 6, projects: 4, entries: 0, now: '2026-11-23T12:00:00Z' });
const ws = sim.store.workspaces()[0].id;
const owner = sim.resolveKey('api-key', sim.keys.owner)!.userId; // Europe/Berlin (UTC+1 in November)
const admin = sim.resolveKey('api-key', sim.keys.admin)!.userId; // America/New_York (UTC-5)
const member = sim.resolveKey('api-key', sim.keys.member)!.userId; // Asia/Tokyo (UTC+9)

// Entries of the member, around midnight UTC of 2026-11-10.
const at = (iso: string) => Date.parse(iso);
const entries = [
  sim.addTimeEntry({ workspaceId: ws, userId: member, start: '2026-11-09T22:30:00Z', end: '2026-11-09T23:30:00Z', description: 'a' }),
  sim.addTimeEntry({ workspaceId: ws, userId: member, start: '2026-11-10T00:30:00Z', end: '2026-11-10T01:00:00Z', description: 'b' }),
  sim.addTimeEntry({ workspaceId: ws, userId: member, start: '2026-11-10T16:00:00Z', end: '2026-11-10T17:00:00Z', description: 'c' }),
  sim.addTimeEntry({ workspaceId: ws, userId: member, start: '2026-11-11T03:00:00Z', end: '2026-11-11T04:00:00Z', description: 'd' }),
];

async function window(key: string, start: string, end: string): Promise<string[]> {
  const r = await simGet<{ description: string }[]>(app, `/api/v1/workspaces/${ws}/user/${member}/time-entries?start=${start}&end=${end}`, key);
  assert.equal(r.status, 200, r.text);
  return r.body.map((e) => e.description).sort();
}

test('the key owner\'s zones are as documented', () => {
  assert.equal(sim.store.user(owner)!.timeZone, 'Europe/Berlin');
  assert.equal(sim.store.user(admin)!.timeZone, 'America/New_York');
  assert.equal(sim.store.user(member)!.timeZone, 'Asia/Tokyo');
  assert.equal(entries.length, 4);
});

test('start/end are read as wall clock in the key owner\'s zone, not as UTC', async () => {
  const start = '2026-11-10T00:00:00Z';
  const end = '2026-11-10T23:59:59Z';
  // Owner (Berlin): window = 2026-11-09T23:00Z .. 2026-11-10T22:59:59Z → b, c (a starts 22:30Z on the 9th)
  assert.deepEqual(await window(sim.keys.owner, start, end), ['b', 'c']);
  // Admin (New York): window = 2026-11-10T05:00Z .. 2026-11-11T04:59:59Z → c, d
  assert.deepEqual(await window(sim.keys.admin, start, end), ['c', 'd']);
  // Member (Tokyo): window = 2026-11-09T15:00Z .. 2026-11-10T14:59:59Z → a, b
  assert.deepEqual(await window(sim.keys.member, start, end), ['a', 'b']);
});

test('an offset in the parameter is first applied, then the UTC wall clock is re-read in the zone', async () => {
  // 2026-11-10T01:00:00+01:00 is 2026-11-10T00:00:00Z → same as above for the owner.
  assert.deepEqual(await window(sim.keys.owner, '2026-11-10T01:00:00%2B01:00', '2026-11-11T00:59:59%2B01:00'), ['b', 'c']);
});

test('returned timestamps are UTC with Z whatever the key owner\'s zone', async () => {
  for (const key of [sim.keys.owner, sim.keys.admin, sim.keys.member]) {
    const r = await simGet<{ id: string; timeInterval: { start: string } }[]>(app, `/api/v1/workspaces/${ws}/user/${member}/time-entries`, key);
    const a = r.body.find((e) => e.id === entries[0].id)!;
    assert.equal(a.timeInterval.start, '2026-11-09T22:30:00Z');
  }
  assert.equal(DateTime.fromMillis(at('2026-11-09T22:30:00Z'), { zone: 'Asia/Tokyo' }).day, 10, 'entry a is on the 10th in Tokyo');
});
