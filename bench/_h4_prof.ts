import { createDuckDBDestination } from '../src/destinations/duckdb.ts';
import { TIME_ENTRIES, timeEntries } from './destinations-data.ts';
import { DuckDBCore } from '../src/destinations/duckdb-core.ts';
const origRun = DuckDBCore.prototype.run;
const times: Record<string, number> = {};
DuckDBCore.prototype.run = async function (sql: string, values?: any) {
  const t = performance.now();
  try { return await origRun.call(this, sql, values); } finally {
    const k = sql.trim().slice(0, 40).replace(/\s+/g, ' ');
    times[k] = (times[k] ?? 0) + performance.now() - t;
  }
};
import { rmSync } from 'node:fs';
rmSync('/tmp/h4/prof.duckdb', { force: true });
const dest = createDuckDBDestination('/tmp/h4/prof.duckdb');
await dest.open();
await dest.ensureTables([TIME_ENTRIES]);
for (let off = 0; off < 300000; off += 100000) {
  const rows = timeEntries(off, off + 100000);
  const t0 = performance.now();
  const tx = await dest.begin();
  await tx.write('time_entries', rows);
  const t1 = performance.now();
  await tx.commit();
  console.log('write', Math.round(t1 - t0), 'commit', Math.round(performance.now() - t1));
}
console.log(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(v)])));
await dest.close();
