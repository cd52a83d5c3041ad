import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { simGet } from '../src/simulator/sim-testing.ts';

const NOW = '2026-11-23T12:00:00Z';
const { app, sim } = createSimulator({ seed: 3, workspaces: 2, users: 12, projects: 30, entries: 1500, now: NOW });
const ws = sim.store.workspaces()[0].id;
const owner = sim.resolveKey('api-key', sim.keys.owner)!.userId;

/** Reads every page; returns the ids per page and the Last-Page headers. */
async function readAll(path: string, size: number): Promise<{ pages: string[][]; lastPage: (string | null)[] }> {
  const pages: string[][] = [];
  const lastPage: (string | null)[] = [];
  for (let page = 1; page < 100; page++) {
    const r = await simGet<{ id: string }[]>(app, `${path}${path.includes('?') ? '&' : '?'}page=${page}&page-size=${size}`);
    assert.equal(r.status, 200, r.text);
    pages.push(r.body.map((x) => x.id));
    lastPage.push(r.headers.get('last-page'));
    if (r.headers.get('last-page') === 'true') break;
  }
  return { pages, lastPage };
}

test('page-size defaults to 50 and pages are 1-based, disjoint and complete', async () => {
  const total = sim.store.projects(ws).length; // 30
  const first = await simGet<unknown[]>(app, `/api/v1/workspaces/${ws}/projects`);
  assert.equal(first.body.length, total);
  assert.equal(first.headers.get('last-page'), 'true');
  const { pages, lastPage } = await readAll(`/api/v1/workspaces/${ws}/projects`, 7);
  assert.deepEqual(pages.map((p) => p.length), [7, 7, 7, 7, 2]);
  assert.deepEqual(lastPage, ['false', 'false', 'false', 'false', 'true']);
  const ids = pages.flat();
  assert.equal(new Set(ids).size, total);
  const page0 = await simGet<{ id: string }[]>(app, `/api/v1/workspaces/${ws}/projects?page=0&page-size=7`);
  assert.deepEqual(page0.body.map((p) => p.id), pages[0], 'page 0 reads as page 1');
});

test('an exact multiple of the page size ends with Last-Page: true on the last full page', async () => {
  const { pages, lastPage } = await readAll(`/api/v1/workspaces/${ws}/projects`, 10);
  assert.deepEqual(pages.map((p) => p.length), [10, 10, 10]);
  assert.deepEqual(lastPage, ['false', 'false', 'true']);
  const past = await simGet<unknown[]>(app, `/api/v1/workspaces/${ws}/projects?page=4&page-size=10`);
  assert.deepEqual(past.body, []);
  assert.equal(past.headers.get('last-page'), 'true');
});

test('per-user time entries page through every entry of the user, newest first, without overlap', async () => {
  const expected = [...sim.store.userTimeEntries(ws, owner)].map((e) => e.id);
  assert.ok(expected.length > 40, `owner has ${expected.length} entries`);
  const { pages, lastPage } = await readAll(`/api/v1/workspaces/${ws}/user/${owner}/time-entries`, 20);
  assert.deepEqual(pages.flat(), expected);
  assert.equal(lastPage.at(-1), 'true');
  assert.ok(lastPage.slice(0, -1).every((v) => v === 'false'), 'Last-Page false before the last page');
  const one = await simGet<unknown[]>(app, `/api/v1/workspaces/${ws}/user/${owner}/time-entries?page-size=${expected.length}`);
  assert.equal(one.body.length, expected.length);
  assert.equal(one.headers.get('last-page'), 'true', 'page size equal to the count: one page, last');
  const past = await simGet<unknown[]>(app, `/api/v1/workspaces/${ws}/user/${owner}/time-entries?page=999&page-size=50`);
  assert.deepEqual(past.body, []);
  assert.equal(past.headers.get('last-page'), 'true');
});

test('an empty list answers [] with Last-Page: true', async () => {
  const empty = createSimulator({ seed: 3, workspaces: 1, users: 3, projects: 0, entries: 0, now: NOW });
  const w = empty.sim.store.workspaces()[0].id;
  for (const path of [`/api/v1/workspaces/${w}/projects`, `/api/v1/workspaces/${w}/clients`, `/api/v1/workspaces/${w}/time-entries/status/in-progress`,
    `/api/v1/workspaces/${w}/user/${owner}/time-entries`]) {
    const r = await simGet<unknown[]>(empty.app, path);
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    assert.deepEqual(r.body, []);
    assert.equal(r.headers.get('last-page'), 'true');
  }
});

test('page-size above the maximum is refused with 400 code 501; 5000 is accepted', async () => {
  const over = await simGet(app, `/api/v1/workspaces/${ws}/projects?page-size=5001`);
  assert.equal(over.status, 400);
  assert.deepEqual(over.body, { message: 'page-size cannot be greater than 5000', code: 501 });
  const max = await simGet<unknown[]>(app, `/api/v1/workspaces/${ws}/user/${owner}/time-entries?page-size=5000`);
  assert.equal(max.status, 200);
  const zero = await simGet(app, `/api/v1/workspaces/${ws}/projects?page-size=0`);
  assert.equal(zero.status, 400);
  assert.equal((zero.body as { code: number }).code, 501);
  const bad = await simGet(app, `/api/v1/workspaces/${ws}/projects?page=abc`);
  assert.equal(bad.status, 400);
  assert.equal((bad.body as { code: number }).code, 3000);
  assert.match((bad.body as { message: string }).message, /abc/);
});

test('in-progress: default page size 10, maximum 1000', async () => {
  const big = createSimulator({ seed: 3, workspaces: 1, users: 40, projects: 5, entries: 40_000, now: NOW });
  const w = big.sim.store.workspaces()[0].id;
  const running = [...big.sim.store.entries.running].length;
  assert.ok(running > 10, `need more than 10 running timers, have ${running}`);
  const first = await simGet<{ timeInterval: { end: null; start: string } }[]>(big.app, `/api/v1/workspaces/${w}/time-entries/status/in-progress`);
  assert.equal(first.body.length, 10);
  assert.equal(first.headers.get('last-page'), 'false');
  assert.ok(first.body.every((e) => e.timeInterval.end === null), 'all running');
  const starts = first.body.map((e) => e.timeInterval.start);
  assert.deepEqual(starts, [...starts].sort().reverse(), 'newest first');
  assert.equal((await simGet(big.app, `/api/v1/workspaces/${w}/time-entries/status/in-progress?page-size=1000`)).status, 200);
  const over = await simGet(big.app, `/api/v1/workspaces/${w}/time-entries/status/in-progress?page-size=1001`);
  assert.equal(over.status, 400);
  assert.deepEqual(over.body, { message: 'page-size cannot be greater than 1000', code: 501 });
});

test('unpaginated endpoints ignore page and page-size and send no Last-Page', async () => {
  for (const path of ['/api/v1/workspaces', `/api/v1/workspaces/${ws}/custom-fields`, `/api/v1/workspaces/${ws}/holidays`]) {
    const all = await simGet<unknown[]>(app, path);
    const paged = await simGet<unknown[]>(app, `${path}?page=2&page-size=1`);
    assert.equal(paged.status, 200);
    assert.ok(all.body.length > 1, path);
    assert.deepEqual(paged.body, all.body, path);
    assert.equal(paged.headers.get('last-page'), null, path);
  }
});
