/**
 * Benchmark (issue 3 item 7): full sync of a 1,000,000-entry simulator dataset (200 users,
 * 500 projects, no latency or rate limit) into DuckDB. Targets: ≥ 50,000 time entries/s end
 * to end (the sync and the destination's close, where DuckDB's last checkpoint runs), peak RSS
 * of the sync process < 400 MB. The simulator runs in its own process.
 *
 *   npx tsx bench/sync-full.ts [entries]
 *
 * The destination is the one `--destination duckdb:PATH` makes (same defaults), and the heap is
 * tuned as the CLI tunes it. Knobs for experiments: BENCH_DUCKDB_CONFIG='{"memory_limit":"256MB"}'
 * (DuckDB settings), BENCH_DUCKDB_PK=1 (declared primary keys), BENCH_BATCH_ROWS /
 * BENCH_COMMIT_ROWS (the loader's batch and commit sizes; a batch size alone is also the commit
 * size; flat pages commit at twice the commit size). Further lines: the CPU time of both
 * processes, the memory at the sampled peak (V8 heap, buffers, native), and DuckDB's time by
 * phase (direct loads and their checks, staging, merges, reconciles, child replacement,
 * commits) and the close.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClockifyClient } from '../src/clockify/client.ts';
import { resolveHosts } from '../src/clockify/hosts.ts';
import { createDuckDBDestination } from '../src/destinations/duckdb.ts';
import { flattensPages, runSync } from '../src/pipeline/run-sync.ts';
import { tuneHeapForSync } from '../src/cli/heap-tuning.ts';
import { startSimProcess } from './sim-process.ts';

/** CPU seconds of this process's JavaScript thread, and of all its other threads (Linux /proc). */
function threadCpu(): { main: number; others: number } {
  const out = { main: 0, others: 0 };
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[tid === String(process.pid) ? 'main' : 'others'] += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out;
}

const entries = Number(process.argv[2] ?? 1_000_000);
const sim = await startSimProcess(['--seed', '7', '--workspaces', '1', '--users', '200', '--projects', '500', '--entries', String(entries)]);
const dir = mkdtempSync(join(tmpdir(), 'clockify-bench-'));
try {
  const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: sim.url }), apiKey: 'sim-admin-key', requestsPerSecond: 0, concurrency: 4 });
  const config = process.env.BENCH_DUCKDB_CONFIG ? JSON.parse(process.env.BENCH_DUCKDB_CONFIG) : undefined;
  const destination = createDuckDBDestination(join(dir, 'bench.duckdb'), { config, primaryKeys: process.env.BENCH_DUCKDB_PK === undefined ? undefined : process.env.BENCH_DUCKDB_PK !== '0' });
  // The sync process as the CLI runs it (clockify-sync sync/demo tune the heap the same way).
  tuneHeapForSync(flattensPages(destination));
  // Where the memory is at the peak: V8 heap, buffers outside it, and the rest (native: DuckDB).
  let peak = { rss: 0, heapTotal: 0, external: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = { rss: m.rss, heapTotal: m.heapTotal, external: m.external };
  }, 100);
  const cpu0 = process.cpuUsage();
  const simCpu0 = sim.cpuSeconds();
  const batchRows = process.env.BENCH_BATCH_ROWS ? Number(process.env.BENCH_BATCH_ROWS) : undefined;
  const result = await runSync({ client, destination, log: () => {}, batchRows, commitRows: process.env.BENCH_COMMIT_ROWS ? Number(process.env.BENCH_COMMIT_ROWS) : undefined }).finally(() => clearInterval(sampler));
  const stats = destination.stats();
  const closeStart = performance.now();
  await destination.close();
  const closeMs = performance.now() - closeStart;
  if (result.error) throw result.error;
  const te = result.tables['time_entries'];
  const rows = te.inserted + te.updated;
  // End to end: the sync and the destination's close (DuckDB's last checkpoint happens there).
  const seconds = (result.durationMs + closeMs) / 1000;
  const rate = rows / seconds;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `sync-full: ${rows} time entries in ${seconds.toFixed(1)} s = ${Math.round(rate)} entries/s (target ≥ 50000: ${rate >= 50000 ? 'PASS' : 'FAIL'}); ` +
      `peak RSS ${peakMb.toFixed(0)} MB (target < 400: ${peakMb < 400 ? 'PASS' : 'FAIL'}); ${result.requests} requests; the close took ${(closeMs / 1000).toFixed(1)} of those seconds`,
  );
  const cpu = process.cpuUsage(cpu0);
  const threads = threadCpu();
  console.log(`  cpu: sync process ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (JavaScript thread ${threads.main.toFixed(1)} s, other threads ${threads.others.toFixed(1)} s: DuckDB, GC, I/O), simulator ${(sim.cpuSeconds() - simCpu0).toFixed(1)} s (2 cores = ${(2 * seconds).toFixed(0)} s available)`);
  const mb = (n: number) => Math.round(n / 1048576);
  console.log(`  at the sampled peak: rss ${mb(peak.rss)} MB = V8 heap ${mb(peak.heapTotal)} + external ${mb(peak.external)} + native ${mb(peak.rss - peak.heapTotal - peak.external)}`);
  console.log(`  duckdb: ${Object.entries(stats).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}; close ${Math.round(closeMs)} ms`);
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
