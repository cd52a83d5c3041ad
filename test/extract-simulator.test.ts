import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator, FIXED_KEYS } from '../src/simulator/index.ts';
import type { SimulatorOptions } from '../src/simulator/index.ts';
import { createClockifyClient } from '../src/clockify/client.ts';
import type { ClientOptions, FetchLike } from '../src/clockify/client.ts';
import { resolveHosts } from '../src/clockify/hosts.ts';
import { currentUser, extractWorkspace, listWorkspaces, WINDOW_WIDENING_MS } from '../src/extract/index.ts';
import type { ExtractEvent, ExtractOptions } from '../src/extract/index.ts';
import { STREAMS } from '../src/streams/stream-table.ts';
import { selectStreams } from '../src/streams/stream-select.ts';
import { createNormalizer } from '../src/normalize/normalizer.ts';

const NOW = '2026-06-01T12:00:00Z';

function setup(simOptions: SimulatorOptions = {}, clientOptions: Partial<ClientOptions> = {}, wrap?: (f: FetchLike) => FetchLike) {
  const built = createSimulator({ seed: 7, workspaces: 2, users: 12, projects: 10, entries: 3000, now: NOW, ...simOptions });
  const urls: string[] = [];
  const base: FetchLike = async (url, init) => {
    urls.push(url);
    return built.app.request(url, init);
  };
  const client = createClockifyClient({
    hosts: resolveHosts({ baseUrl: 'http://sim.test' }), apiKey: built.sim.keys.owner, requestsPerSecond: 0,
    fetch: wrap ? wrap(base) : base, sleep: async () => {}, ...clientOptions,
  });
  return { ...built, client, urls };
}

async function run(client: ReturnType<typeof setup>['client'], ws: Parameters<typeof extractWorkspace>[1], names?: string, options?: ExtractOptions) {
  const events: ExtractEvent[] = [];
  for await (const ev of extractWorkspace(client, ws, selectStreams(names), options)) events.push(ev);
  return events;
}

const records = (events: ExtractEvent[], stream: string) =>
  events.flatMap((e) => (e.kind === 'records' && e.stream === stream ? (e.records as Array<Record<string, any>>) : []));
const ids = (rs: Array<{ id: string }>) => rs.map((r) => r.id).sort();

test('a full extract of each workspace returns every record of every stream, in the expected number of requests', async () => {
  const { client, sim, stats } = setup();
  const me = await currentUser(client);
  assert.equal(typeof me.id, 'string');
  const workspaces = await listWorkspaces(client);
  assert.equal(workspaces.length, 2);
  for (const ws of workspaces) {
    const before = client.requestCount;
    const events = await run(client, ws);
    const store = sim.store;
    assert.deepEqual(ids(records(events, 'workspaces') as any), [ws.id]);
    assert.deepEqual(ids(records(events, 'users') as any), store.members(ws.id).map((m) => m.userId).sort(), 'every member, inactive and limited included');
    assert.deepEqual(ids(records(events, 'user_groups') as any), ids(store.userGroups(ws.id)));
    assert.deepEqual(ids(records(events, 'projects') as any), ids(store.projects(ws.id)), 'archived projects included');
    assert.deepEqual(ids(records(events, 'tasks') as any), ids(store.tasks(ws.id)));
    assert.deepEqual(ids(records(events, 'clients') as any), ids(store.clients(ws.id)));
    assert.deepEqual(ids(records(events, 'tags') as any), ids(store.tags(ws.id)));
    assert.deepEqual(ids(records(events, 'custom_fields') as any), ids(store.customFields(ws.id)));
    assert.deepEqual(ids(records(events, 'holidays') as any), ids(store.holidays(ws.id)));
    const entries = records(events, 'time_entries');
    assert.equal(entries.length, store.countTimeEntries(ws.id));
    assert.deepEqual(ids(entries as any), ids([...store.timeEntries(ws.id)]));
    assert.ok(store.projects(ws.id).some((p) => p.archived), 'the dataset has archived projects');
    const members = store.members(ws.id);
    assert.ok(members.some((m) => m.status === 'INACTIVE'), 'the dataset has inactive members');
    assert.ok(members.some((m) => store.user(m.userId)?.status === 'LIMITED'), 'the dataset has LIMITED users');
    // 7 list requests (users, user groups, projects with tasks, clients, tags, custom fields, holidays)
    // + one page of time entries per member; the workspace record came from listWorkspaces.
    assert.equal(client.requestCount - before, 7 + store.members(ws.id).length);
  }
  assert.equal(stats.total, client.requestCount, 'the simulator counted the same requests');
});

test('events: each partition is contiguous and closed by partition-done with its record and request counts', async () => {
  const { client, sim } = setup();
  const [ws] = await listWorkspaces(client);
  const events = await run(client, ws);
  const closed = new Set<string>();
  let open: string | undefined;
  let count = 0;
  const streamOrder: string[] = [];
  for (const ev of events) {
    if (ev.kind === 'warning') continue;
    const key = `${ev.stream}/${ev.partition}`;
    if (streamOrder.at(-1) !== ev.stream) streamOrder.push(ev.stream);
    assert.ok(!closed.has(key), `${key} reopened`);
    if (open !== undefined && open !== key) assert.fail(`${open} interleaved with ${key}`);
    if (ev.kind === 'records') {
      open = key;
      count += ev.records.length;
      if (ev.stream === 'time_entries') for (const r of ev.records as Array<{ userId: string }>) assert.equal(r.userId, ev.partition);
      else assert.equal(ev.partition, '');
    } else {
      assert.equal(ev.kind, 'partition-done');
      if (ev.kind !== 'partition-done') continue;
      assert.equal(ev.records, count, key);
      if (ev.stream === 'time_entries') assert.equal(ev.requests, 1);
      closed.add(key);
      open = undefined;
      count = 0;
    }
  }
  assert.deepEqual(streamOrder, STREAMS.map((s) => s.name), 'stream-table order, each stream once');
  const partitions = events.filter((e) => e.kind === 'partition-done' && e.stream === 'time_entries').map((e) => (e as { partition: string }).partition);
  assert.deepEqual(partitions.sort(), sim.store.members(ws.id).map((m) => m.userId).sort(), 'one partition per user, even users without entries');
});

test('100 users: about one time-entry request per user at page size 5000', async () => {
  const { client, sim } = setup({ workspaces: 1, users: 100, projects: 20, entries: 20_000 });
  const [ws] = await listWorkspaces(client);
  const events = await run(client, ws, 'time_entries');
  assert.equal(records(events, 'time_entries').length, sim.store.countTimeEntries(ws.id));
  assert.deepEqual(Object.keys(client.requestsByTemplate()).sort(), [
    'GET /workspaces', 'GET /workspaces/{workspaceId}/user/{parent.id}/time-entries', 'GET /workspaces/{workspaceId}/users',
  ]);
  assert.equal(client.requestsByTemplate()['GET /workspaces/{workspaceId}/user/{parent.id}/time-entries'], sim.store.members(ws.id).length);
  assert.equal(records(events, 'users').length, 0, 'the users parent was read, not emitted');
});

test('tasks come from hydrated projects; without the hydrated list the per-project path is used', async () => {
  const strip: (f: FetchLike) => FetchLike = (f) => async (url, init) => {
    const res = await f(url, init);
    if (!/\/projects\?/.test(url)) return res;
    const body = (await res.json()) as Array<Record<string, unknown>>;
    for (const p of body) delete p.tasks;
    return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
  };
  const { client, sim } = setup({ workspaces: 1 }, {}, strip);
  const [ws] = await listWorkspaces(client);
  const events = await run(client, ws, 'tasks');
  assert.deepEqual(ids(records(events, 'tasks') as any), ids(sim.store.tasks(ws.id)));
  assert.equal(records(events, 'projects').length, 0);
  const byTemplate = client.requestsByTemplate();
  assert.equal(byTemplate['GET /workspaces/{workspaceId}/projects/{parent.id}/tasks'], sim.store.projects(ws.id).length);
  const done = events.find((e) => e.kind === 'partition-done' && e.stream === 'tasks') as { requests: number };
  assert.equal(done.requests, sim.store.projects(ws.id).length);
});

test('a time window: requested 14 h wider on each side, filtered to start ∈ [start, end) client side', async () => {
  const { client, sim, urls } = setup({ workspaces: 1 });
  const [ws] = await listWorkspaces(client);
  const start = new Date('2026-05-10T00:00:00Z');
  const end = new Date('2026-05-20T00:00:00Z');
  const events = await run(client, ws, 'time_entries', { start, end });
  const expected = [...sim.store.timeEntries(ws.id, { from: start.getTime(), to: end.getTime() })];
  assert.ok(expected.length > 50, 'the window holds entries');
  assert.deepEqual(ids(records(events, 'time_entries') as any), ids(expected));
  const teUrl = new URL(urls.find((u) => u.includes('/time-entries'))!);
  assert.equal(teUrl.searchParams.get('start'), new Date(start.getTime() - WINDOW_WIDENING_MS).toISOString().replace('.000Z', 'Z'));
  assert.equal(teUrl.searchParams.get('end'), new Date(end.getTime() + WINDOW_WIDENING_MS).toISOString().replace('.000Z', 'Z'));
});

test('only some partitions (resume), and a workspace given by id reads its record', async () => {
  const { client, sim } = setup({ workspaces: 1 });
  const [ws] = sim.store.workspaces();
  const users = sim.store.members(ws.id).map((m) => m.userId).slice(0, 2);
  const events = await run(client, ws.id, 'workspaces,time_entries', { partitions: users });
  assert.deepEqual(ids(records(events, 'workspaces') as any), [ws.id]);
  const got = records(events, 'time_entries');
  assert.ok(got.every((r) => users.includes(r.userId)));
  assert.equal(got.length, [...sim.store.timeEntries(ws.id)].filter((e) => users.includes(e.userId)).length);
});

test('under 5xx, dropped connections and truncated bodies the extract is identical; retries are counted', async () => {
  const clean = setup({ workspaces: 1 });
  const [ws] = await listWorkspaces(clean.client);
  const want = await run(clean.client, ws);
  const faulty = setup({ workspaces: 1, faults: { errorRate: 0.15, dropRate: 0.1, truncateRate: 0.1, seed: 3 } }, { maxRetries: 10 });
  const got = await run(faulty.client, ws);
  for (const s of STREAMS) assert.deepEqual(records(got, s.name), records(want, s.name), s.name);
  assert.ok(faulty.client.retryCount > 0, 'faults happened and were retried');
  assert.equal(faulty.client.requestCount, clean.client.requestCount - 1 + faulty.client.retryCount);
});

test('under the rate limit (429 with Retry-After) the extract is identical', async () => {
  const clean = setup({ workspaces: 1, users: 6, entries: 500 });
  const [ws] = await listWorkspaces(clean.client);
  const want = await run(clean.client, ws);
  const limited = setup(
    { workspaces: 1, users: 6, entries: 500, faults: { rateLimit: { perSecond: 6, retryAfter: true } } },
    { sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 1000))), concurrency: 4 },
  );
  const got = await run(limited.client, ws);
  for (const s of STREAMS) assert.deepEqual(records(got, s.name), records(want, s.name), s.name);
  assert.ok(limited.stats.byStatus.get(429)! > 0, 'the limit was hit');
});

test('the extracted records normalize with no unknown column: the schema covers what the API sends', async () => {
  const { client } = setup({ workspaces: 1 });
  const [ws] = await listWorkspaces(client);
  const normalizer = createNormalizer(STREAMS);
  const added: string[] = [];
  for (const ev of await run(client, ws)) {
    if (ev.kind !== 'records') continue;
    const res = normalizer.normalize(ev.stream, ev.workspaceId, ev.records);
    added.push(...res.newColumns.map((c) => `${c.table}.${c.column.name}`));
  }
  assert.deepEqual(added, []);
});

test('stopping early (the consumer breaks) aborts the requests fetched ahead', async () => {
  const { client } = setup({ workspaces: 1, users: 30 });
  const [ws] = await listWorkspaces(client);
  let seen = 0;
  for await (const ev of extractWorkspace(client, ws, selectStreams('time_entries'), { concurrency: 4 })) {
    if (ev.kind === 'records' && ++seen === 2) break;
  }
  await client.idle();
  assert.ok(client.requestCount < 1 + 1 + 30, `stopped early after ${client.requestCount} requests`);
});

test('on loopback: real sockets dropped mid-body and 5xx, same records as a clean run', async () => {
  const { startSimulator } = await import('../src/simulator/index.ts');
  const opts = { seed: 7, workspaces: 1, users: 6, projects: 6, entries: 800, now: NOW };
  const clean = setup(opts);
  const [ws] = await listWorkspaces(clean.client);
  const want = await run(clean.client, ws);
  const running = await startSimulator({ ...opts, faults: { dropRate: 0.25, errorRate: 0.15, seed: 5 } });
  try {
    const client = createClockifyClient({
      hosts: resolveHosts({ baseUrl: running.url }), apiKey: running.keys.owner, requestsPerSecond: 0, maxRetries: 10, sleep: async () => {},
    });
    const got = await run(client, ws);
    for (const s of STREAMS) assert.deepEqual(records(got, s.name), records(want, s.name), s.name);
    assert.ok(client.retryCount > 0);
  } finally {
    await running.close();
  }
});

test("a member's key: other users' entries are FORBIDDEN; thrown by default, skipped as partition-error on request", async () => {
  const { client: member, sim } = setup({ workspaces: 1 }, { apiKey: FIXED_KEYS.member });
  const [ws] = await listWorkspaces(member);
  await assert.rejects(run(member, ws, 'time_entries'), { code: 'FORBIDDEN' });
  const events = await run(member, ws, 'time_entries', { partitionErrors: 'skip' });
  const failed = events.filter((e) => e.kind === 'partition-error');
  const done = events.filter((e) => e.kind === 'partition-done');
  assert.ok(failed.length > 0 && done.length > 0, `${failed.length} failed, ${done.length} done`);
  for (const f of failed) assert.equal((f as { error: { code: string } }).error.code, 'FORBIDDEN');
  assert.equal(failed.length + done.length, sim.store.members(ws.id).length);
});
