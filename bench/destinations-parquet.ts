/**
 * Parquet destination: 1,000,000 time entries (16 columns) written in 100,000-row batches in one
 * transaction and committed to DIR/time_entries.parquet (working copy, merge, export, rename).
 * Target: ≤ 15 s. Prints one line. Run: npx tsx bench/destinations-parquet.ts [rows]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileDestination } from '../src/destinations/files.ts';
import { TIME_ENTRIES, timeEntries } from './destinations-data.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const batch = 100_000;
const dir = await mkdtemp(join(tmpdir(), 'bench-parquet-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
try {
  const dest = createFileDestination('parquet', dir);
  await dest.open();
  await dest.ensureTables([TIME_ENTRIES]);
  let ms = 0;
  let peakRss = 0;
  const tx = await dest.begin();
  for (let off = 0; off < total; off += batch) {
    const rows = timeEntries(off, Math.min(total, off + batch)); // generation not timed
    const t0 = performance.now();
    await tx.write('time_entries', rows);
    ms += performance.now() - t0;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const t0 = performance.now();
  const counts = await tx.commit();
  const commitMs = performance.now() - t0;
  ms += commitMs;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await dest.close();
  if (counts.time_entries.inserted !== total) throw new Error(`unexpected counts ${JSON.stringify(counts)}`);
  const size = (await stat(join(dir, 'time_entries.parquet'))).size;
  console.log(
    `parquet: ${fmt(total)} time entries written in ${(ms / 1000).toFixed(1)} s (target ≤ 15 s; commit/export ${(commitMs / 1000).toFixed(1)} s), ` +
      `${fmt(size / 1e6)} MB file, ${fmt((total / ms) * 1000)} rows/s, peak rss ${fmt(peakRss / 1e6)} MB`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
