/** `npm run bench`: every benchmark script, one after the other, each in its own process. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const scripts = [
  'sync-requests.ts',
  'sync-full.ts',
  'sim-render.ts',
  'sync-incremental.ts',
  'destinations-duckdb.ts',
  'duckdb-merge-memory.ts',
  'destinations-parquet.ts',
  'destinations-postgres.ts',
];
let failed = 0;
for (const s of scripts) {
  const path = new URL(s, import.meta.url).pathname;
  if (!existsSync(path)) continue;
  if (s.includes('postgres') && !process.env.PG_URL) {
    console.log(`${s}: skipped (set PG_URL=postgres://postgres@127.0.0.1:5432/test to run it)`);
    continue;
  }
  console.log(`\n== ${s}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
