/**
 * DuckDB merges into a large table at the file's default memory limit: a table of 1,000,000 time
 * entries with two tags each (100,000-entry transactions), then resync-shaped transactions that
 * mix new and changed entries (a changed entry's tags are replaced), each checked for its counts. A merge that reads the whole table into memory fails here
 * with DuckDB's "Out of Memory" (as 100,000 new + 20,000 changed rows once did at 80 MB).
 * Prints one line per transaction: rows, seconds, counts; then the peak RSS. Exits 1 on a failure.
 * Run: npx tsx bench/duckdb-merge-memory.ts [stored rows]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDuckDBDestination } from '../src/destinations/duckdb.ts';
import type { Row, TableSchema } from '../src/normalize/table-schema.ts';
import { TIME_ENTRIES, timeEntries } from './destinations-data.ts';

const TAGS: TableSchema = {
  name: 'time_entries__tags',
  primaryKey: ['time_entry_id', 'tag_id'],
  columns: [
    { name: 'time_entry_id', type: 'text' },
    { name: 'tag_id', type: 'text' },
    { name: 'workspace_id', type: 'text' },
  ],
  parent: { table: 'time_entries', columns: ['time_entry_id'] },
};

/** Two tags per entry; a changed entry (variant set) swaps its second one. */
function tags(entries: Row[], variant: string): Row[] {
  return entries.flatMap((e, i) => [
    { time_entry_id: e.id, tag_id: `tag${i % 7}`, workspace_id: e.workspace_id },
    { time_entry_id: e.id, tag_id: variant ? `tag-${variant.trim()}` : `tag${(i % 7) + 10}`, workspace_id: e.workspace_id },
  ]);
}

const stored = Number(process.argv[2] ?? 1_000_000);
const chunk = 50_000;
const dir = await mkdtemp(join(tmpdir(), 'bench-duckdb-merge-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
let peakRss = 0;
let failed = false;

/** One transaction writing rows [from, to) with `variant` in their description, in chunks. */
async function load(dest: ReturnType<typeof createDuckDBDestination>, parts: { from: number; to: number; variant: string }[]) {
  const t0 = performance.now();
  const tx = await dest.begin();
  for (const { from, to, variant } of parts) {
    for (let off = from; off < to; off += chunk) {
      const entries = timeEntries(off, Math.min(to, off + chunk), variant);
      await tx.write('time_entries', entries);
      await tx.write('time_entries__tags', tags(entries, variant));
    }
  }
  const all = await tx.commit();
  const counts = all.time_entries;
  const children = all.time_entries__tags;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { counts, children, s: (performance.now() - t0) / 1000 };
}

try {
  const dest = createDuckDBDestination(join(dir, 'bench.duckdb'));
  await dest.open();
  await dest.ensureTables([TIME_ENTRIES, TAGS]);
  let t0 = performance.now();
  for (let off = 0; off < stored; off += 100_000) await load(dest, [{ from: off, to: Math.min(stored, off + 100_000), variant: '' }]);
  console.log(`table of ${fmt(stored)} rows loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  let next = stored;
  const scenarios: [string, number, number][] = [
    // The largest transactions that keep the default limit (neither lift applies: 450,000 and
    // 495,000 rows staged with the tags, 50,000 and 5,000 stored keys).
    ['100,000 new + 50,000 changed', 100_000, 50_000],
    ['160,000 new + 5,000 changed', 160_000, 5_000],
    ['450,000 new + 50,000 changed', 450_000, 50_000],
    ['200,000 changed', 0, 200_000],
  ];
  for (const [label, fresh, changed] of scenarios) {
    const variant = `v${next} `;
    try {
      const { counts, children, s } = await load(dest, [
        { from: 0, to: changed, variant },
        { from: next, to: next + fresh, variant: '' },
      ]);
      // A changed entry's second tag is replaced: one child deleted, one inserted.
      const ok = counts.inserted === fresh && counts.updated === changed && children.inserted === 2 * fresh + changed && children.deleted === changed;
      if (!ok) failed = true;
      console.log(
        `${label}: ${s.toFixed(2)} s, entries inserted ${fmt(counts.inserted)}, updated ${fmt(counts.updated)}; ` +
          `tags inserted ${fmt(children.inserted)}, deleted ${fmt(children.deleted)}${ok ? '' : ' (WRONG COUNTS)'}`,
      );
    } catch (err) {
      failed = true;
      console.log(`${label}: FAILED: ${(err as Error).message.split('\n')[0]}`);
    }
    next += fresh;
  }
  t0 = performance.now();
  await dest.close();
  console.log(`close ${((performance.now() - t0) / 1000).toFixed(1)} s; peak rss ${fmt(peakRss / 1e6)} MB; ${failed ? 'FAIL' : 'PASS'}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
