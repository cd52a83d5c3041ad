/**
 * DuckDB destination load throughput: 1,000,000 time entries written in 100,000-row batches
 * (appender staging + merge by primary key) into an empty table, then the same rows again
 * (all unchanged), then a batch with every row changed. Prints one line of rows/s.
 * Run: npx tsx bench/destinations-duckdb.ts [rows]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDuckDBDestination } from '../src/destinations/duckdb.ts';
import { TIME_ENTRIES, timeEntries } from './destinations-data.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const batch = 100_000;
const dir = await mkdtemp(join(tmpdir(), 'bench-duckdb-'));
try {
  const dest = createDuckDBDestination(join(dir, 'bench.duckdb'));
  await dest.open();
  await dest.ensureTables([TIME_ENTRIES]);
  const pass = async (variant: string) => {
    let ms = 0;
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    for (let off = 0; off < total; off += batch) {
      const rows = timeEntries(off, Math.min(total, off + batch), variant); // generation not timed
      const t0 = performance.now();
      const tx = await dest.begin();
      await tx.write('time_entries', rows);
      const c = (await tx.commit()).time_entries;
      ms += performance.now() - t0;
      counts.inserted += c.inserted;
      counts.updated += c.updated;
      counts.unchanged += c.unchanged;
    }
    return { ms, counts };
  };
  const first = await pass('');
  const same = await pass('');
  const changed = await pass('v2 ');
  await dest.close();
  const rate = (ms: number) => Math.round((total / ms) * 1000).toLocaleString('en-US');
  if (first.counts.inserted !== total || same.counts.unchanged !== total || changed.counts.updated !== total) {
    throw new Error(`unexpected counts ${JSON.stringify([first.counts, same.counts, changed.counts])}`);
  }
  console.log(
    `duckdb load (${total.toLocaleString('en-US')} time entries, ${batch.toLocaleString('en-US')}-row batches, one transaction each): ` +
      `insert ${rate(first.ms)} rows/s, unchanged re-merge ${rate(same.ms)} rows/s, all-changed merge ${rate(changed.ms)} rows/s ` +
      `(rss ${Math.round(process.memoryUsage().rss / 1e6)} MB)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
