import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClockifyClient } from '../src/clockify/client.ts';
import { paginate } from '../src/clockify/paginate.ts';
import type { PageRequest } from '../src/clockify/paginate.ts';
import { resolveHosts } from '../src/clockify/hosts.ts';

interface Seen { page: string | null; size: string | null; search: string; body: unknown }

/** An in-process fake API: `answer(page, size)` → [items, Last-Page header or undefined]. */
function fakeApi(answer: (page: number, size: number, body: any) => [unknown[], string | undefined] | unknown) {
  const seen: Seen[] = [];
  const client = createClockifyClient({
    hosts: resolveHosts({ baseUrl: 'http://fake.local' }), apiKey: 'k', requestsPerSecond: 0, sleep: async () => {},
    fetch: async (url, init) => {
      const u = new URL(url);
      const body = init.body ? JSON.parse(String(init.body)) : undefined;
      seen.push({ page: u.searchParams.get('page'), size: u.searchParams.get('page-size'), search: u.search, body });
      const page = Number(u.searchParams.get('page') ?? body?.page ?? body?.detailedFilter?.page ?? 1);
      const size = Number(u.searchParams.get('page-size') ?? body?.pageSize ?? body?.detailedFilter?.pageSize ?? 0);
      const out = answer(page, size, body);
      if (Array.isArray(out) && out.length === 2 && Array.isArray(out[0])) {
        const [items, last] = out as [unknown[], string | undefined];
        return new Response(JSON.stringify(items), { headers: last === undefined ? {} : { 'Last-Page': last } });
      }
      return new Response(JSON.stringify(out));
    },
  });
  return { client, seen };
}

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `e${from + i}` }));
/** A list of `total` records served in pages, with Last-Page when `header`. */
const listOf = (total: number, header: boolean) => (page: number, size: number): [unknown[], string | undefined] => {
  const from = (page - 1) * size;
  const items = ids(from, Math.max(0, Math.min(size, total - from)));
  return [items, header ? String(from + size >= total) : undefined];
};

async function collect(p: AsyncIterable<{ items: unknown[]; page: number }>) {
  const pages: number[] = [];
  const items: unknown[] = [];
  for await (const page of p) {
    pages.push(page.page);
    items.push(...page.items);
  }
  return { pages, items };
}

const req = (extra: Partial<PageRequest> = {}): PageRequest => ({ path: '/w/x', pagination: { kind: 'query', maxPageSize: 5000 }, ...extra });

test('uses the maximum page size, 1-based pages, kebab-case parameters', async () => {
  const { client, seen } = fakeApi(listOf(3, true));
  const { items } = await collect(paginate(client, req({ query: { hydrated: 'true' } })));
  assert.equal(items.length, 3);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].search, '?hydrated=true&page=1&page-size=5000');
});

test('an exact multiple of the page size with Last-Page: no extra request', async () => {
  const { client, seen } = fakeApi(listOf(10, true));
  const chain = paginate(client, req({ pageSize: 5 }));
  const { pages, items } = await collect(chain);
  assert.deepEqual(pages, [1, 2]);
  assert.equal(items.length, 10);
  assert.equal(seen.length, 2);
  assert.equal(chain.requests, 2);
});

test('an exact multiple without Last-Page: one more request answers an empty page, and it stops', async () => {
  const { client, seen } = fakeApi(listOf(10, false));
  const { pages, items } = await collect(paginate(client, req({ pageSize: 5 })));
  assert.deepEqual(pages, [1, 2]);
  assert.equal(items.length, 10);
  assert.deepEqual(seen.map((s) => s.page), ['1', '2', '3']);
});

test('a short page stops even when Last-Page says false', async () => {
  const { client, seen } = fakeApi((page) => [page === 1 ? ids(0, 5) : ids(5, 2), 'false']);
  const { items } = await collect(paginate(client, req({ pageSize: 5 })));
  assert.equal(items.length, 7);
  assert.equal(seen.length, 2);
});

test('Last-Page: true stops even on a full page; the header is case-insensitive', async () => {
  const { client, seen } = fakeApi(() => [ids(0, 5), 'TRUE']);
  await collect(paginate(client, req({ pageSize: 5 })));
  assert.equal(seen.length, 1);
});

test('a server that ignores page and repeats itself: the loop guard stops, warns, never asks a page twice', async () => {
  const { client, seen } = fakeApi(() => [ids(0, 5), 'false']);
  const chain = paginate(client, req({ pageSize: 5 }));
  const { items } = await collect(chain);
  assert.equal(items.length, 5, 'the repeated page is not yielded again');
  assert.deepEqual(seen.map((s) => s.page), ['1', '2']);
  assert.match(chain.warning ?? '', /repeated/);
});

test('the page size never exceeds the endpoint maximum', async () => {
  const { client, seen } = fakeApi(listOf(0, true));
  await collect(paginate(client, req({ pagination: { kind: 'query', maxPageSize: 1000 }, pageSize: 5000 })));
  assert.equal(seen[0].size, '1000');
});

test('unpaginated endpoints: one request, no paging parameters, even for a long list', async () => {
  const { client, seen } = fakeApi(() => ids(0, 7000));
  const { items } = await collect(paginate(client, req({ pagination: { kind: 'none' } })));
  assert.equal(items.length, 7000);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].search, '');
});

test('single objects come as a one-item page', async () => {
  const { client } = fakeApi(() => ({ id: 'ws1', name: 'W' }));
  const { items } = await collect(paginate(client, req({ pagination: { kind: 'single' } })));
  assert.deepEqual(items, [{ id: 'ws1', name: 'W' }]);
});

test('body paging (detailed report): camelCase page/pageSize in the body, items from an envelope, capped at 1000', async () => {
  const total = 2500;
  const { client, seen } = fakeApi((page, size) => ({ totals: [], timeentries: ids((page - 1) * size, Math.max(0, Math.min(size, total - (page - 1) * size))) }));
  const chain = paginate(client, {
    api: 'reports', method: 'POST', path: '/workspaces/w/reports/detailed', body: { dateRangeStart: 'a', detailedFilter: { sortColumn: 'ID' } },
    pagination: { kind: 'body', maxPageSize: 1000, bodyPath: 'detailedFilter' }, itemsPath: 'timeentries',
  });
  const { items } = await collect(chain);
  assert.equal(items.length, 2500);
  assert.deepEqual(seen.map((s) => (s.body as any).detailedFilter), [
    { sortColumn: 'ID', page: 1, pageSize: 1000 }, { sortColumn: 'ID', page: 2, pageSize: 1000 }, { sortColumn: 'ID', page: 3, pageSize: 1000 },
  ]);
  assert.equal((seen[0].body as any).dateRangeStart, 'a');
});

test('a fresh paginator per chain: two chains over the same endpoint both start at page 1', async () => {
  const { client, seen } = fakeApi(listOf(3, true));
  await collect(paginate(client, req()));
  await collect(paginate(client, req()));
  assert.deepEqual(seen.map((s) => s.page), ['1', '1']);
});

test('pages stream: the first page is yielded before the second is requested', async () => {
  const { client, seen } = fakeApi(listOf(12, true));
  const it = paginate(client, req({ pageSize: 5 }))[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal((first.value as { items: unknown[] }).items.length, 5);
  assert.equal(seen.length, 1);
  await it.return(undefined);
});

test('raw pages (a decode that keeps the bytes): counted by the decoder, short page and repeated page stop the chain, a refused body is retried', async () => {
  let calls = 0;
  const decode = (body: Buffer) => {
    calls++;
    if (calls === 2) throw new Error('cut body'); // the second response is refused: retried
    const text = body.toString();
    const count = (JSON.parse(text) as unknown[]).length;
    return { raw: true as const, body, count, fingerprint: `${count}:${text.slice(0, 20)}` };
  };
  const { client, seen } = fakeApi(listOf(25, false));
  const r = await collect(paginate(client, req({ pageSize: 10, decode })));
  assert.deepEqual(r.pages, [1, 2, 3]);
  assert.deepEqual(r.items, [], 'raw pages carry no parsed records');
  assert.deepEqual(seen.map((s) => s.page), ['1', '2', '2', '3'], 'page 2 retried once, page 3 short: no page 4');
  const raws: number[] = [];
  const { client: again } = fakeApi(() => [ids(0, 10), undefined]);
  const chain = paginate(again, req({ pageSize: 10, decode: (body: Buffer) => ({ raw: true as const, body, count: 10, fingerprint: 'same' }) }));
  for await (const p of chain) raws.push(p.raw!.count);
  assert.deepEqual(raws, [10]);
  assert.match(String(chain.warning), /repeated/);
});
