/**
 * DuckDB destination load throughput: 1,000,000 time entries (16 columns) written in
 * 100,000-row batches, one transaction each, into an empty table; then the same rows again (all
 * unchanged); then every row changed. Prints one line: staging rows/s and
 * end-to-end write+commit rows/s per pass.
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
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
try {
  const config = process.env.BENCH_DUCKDB_CONFIG ? JSON.parse(process.env.BENCH_DUCKDB_CONFIG) : undefined;
  const dest = createDuckDBDestination(join(dir, 'bench.duckdb'), { config, primaryKeys: process.env.BENCH_DUCKDB_PK === undefined ? undefined : process.env.BENCH_DUCKDB_PK !== '0' });
  await dest.open();
  await dest.ensureTables([TIME_ENTRIES]);
  let peakRss = 0;
  const pass = async (variant: string) => {
    let ms = 0;
    const before = dest.stats();
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
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const after = dest.stats();
    return { ms, counts, stageRate: ((after.stagedRows - before.stagedRows) / (after.stageMs - before.stageMs)) * 1000 };
  };
  const first = await pass('');
  const same = await pass('');
  const changed = await pass('v2 ');
  await dest.close();
  if (first.counts.inserted !== total || same.counts.unchanged !== total || changed.counts.updated !== total) {
    throw new Error(`unexpected counts ${JSON.stringify([first.counts, same.counts, changed.counts])}`);
  }
  const rate = (ms: number) => fmt((total / ms) * 1000);
  console.log(
    `duckdb load, ${fmt(total)} time entries in ${fmt(batch)}-row transactions: staging ${fmt(first.stageRate)} rows/s; ` +
      `write+commit: insert ${rate(first.ms)} rows/s, unchanged ${rate(same.ms)} rows/s, changed ${rate(changed.ms)} rows/s; ` +
      `peak rss ${fmt(peakRss / 1e6)} MB`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
