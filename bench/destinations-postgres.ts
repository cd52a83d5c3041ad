/**
 * PostgreSQL destination throughput: loads time-entry-shaped rows through COPY + merge.
 *
 *   PG_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/destinations-postgres.ts [rows] [batch]
 *
 * Defaults: 1,000,000 rows in batches of 50,000, one transaction (as one sync would), in a
 * throw-away schema. Prints rows/s for the first load (all inserts) and for a second load of
 * the same rows (all unchanged: the merge compares every row). Target: ≥ 100,000 rows/s.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createPostgresDestination } from '../src/destinations/postgres.ts';
import { dropPostgresSchema } from '../src/destinations/postgres-admin.ts';
import type { Row, TableSchema } from '../src/normalize/table-schema.ts';
import { TIME_ENTRIES as SHARED_TIME_ENTRIES } from './destinations-data.ts';

const url = process.env.PG_URL;
if (!url) {
  process.stderr.write('Set PG_URL=postgres://postgres@127.0.0.1:5432/test\n');
  process.exit(2);
}
const TOTAL = Number(process.argv[2] ?? 1_000_000);
const BATCH = Number(process.argv[3] ?? 50_000);

/** The shared time-entry table, plus two JSON columns (the COPY path's escaping of nested values). */
const TIME_ENTRIES: TableSchema = {
  ...SHARED_TIME_ENTRIES,
  columns: [...SHARED_TIME_ENTRIES.columns, { name: 'tag_ids', type: 'json' }, { name: 'custom_field_values', type: 'json' }],
};

const DESCRIPTIONS = ['Code review', 'Standup', 'Client call — Zoë', 'Design\tspec', 'Bugfix #42\nfollow-up', '日本語の作業', 'Planning 🎯', ''];

function entry(i: number): Row {
  const start = Date.UTC(2024, 0, 1) + i * 61_000;
  const seconds = 600 + (i % 7200);
  return {
    id: 'te' + i.toString(16).padStart(22, '0'),
    workspace_id: `ws${i % 3}`,
    user_id: `user${i % 250}`,
    project_id: i % 11 === 0 ? null : `proj${i % 400}`,
    task_id: i % 5 === 0 ? null : `task${i % 2000}`,
    description: DESCRIPTIONS[i % DESCRIPTIONS.length],
    billable: i % 4 !== 0,
    is_locked: false,
    type: 'REGULAR',
    time_interval__start: new Date(start),
    time_interval__end: new Date(start + seconds * 1000),
    time_interval__duration: `PT${Math.floor(seconds / 60)}M${seconds % 60}S`,
    time_interval__duration_seconds: seconds,
    hourly_rate__amount: (i % 150) * 100,
    hourly_rate__currency: 'USD',
    cost_rate__amount: null,
    tag_ids: i % 3 === 0 ? [] : [`tag${i % 40}`, `tag${(i * 7) % 40}`],
    custom_field_values: null,
  };
}

/** CPU seconds used so far by every local `postgres` process (Linux /proc; 0 elsewhere). */
function postgresCpuSeconds(): number {
  let ticks = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
        const f = stat.slice(close + 2).split(' ');
        ticks += Number(f[11]) + Number(f[12]); // utime + stime
      } catch {
        // process ended meanwhile
      }
    }
  } catch {
    return 0;
  }
  return ticks / 100; // USER_HZ
}

function cpu<T>(fn: () => Promise<T>): Promise<T & { nodeCpu: number; pgCpu: number }> {
  const node0 = process.cpuUsage();
  const pg0 = postgresCpuSeconds();
  return fn().then((r) => {
    const n = process.cpuUsage(node0);
    return { ...r, nodeCpu: (n.user + n.system) / 1e6, pgCpu: postgresCpuSeconds() - pg0 };
  });
}

async function loadAll(dest: ReturnType<typeof createPostgresDestination>): Promise<{ seconds: number; writeSeconds: number; writeCpu: number; counts: unknown }> {
  const t0 = performance.now();
  let writeMs = 0;
  let writeCpu = 0;
  const tx = await dest.begin();
  for (let from = 0; from < TOTAL; from += BATCH) {
    const rows: Row[] = [];
    for (let i = from; i < Math.min(TOTAL, from + BATCH); i++) rows.push(entry(i));
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    await tx.write('time_entries', rows);
    writeMs += performance.now() - w0;
    const c1 = process.cpuUsage(c0);
    writeCpu += (c1.user + c1.system) / 1e6;
  }
  const m0 = performance.now();
  const counts = await tx.commit();
  writeMs += performance.now() - m0;
  return { seconds: (performance.now() - t0) / 1000, writeSeconds: writeMs / 1000, writeCpu, counts: counts.time_entries };
}

const schema = `cs_bench_${process.pid}`;
const dest = createPostgresDestination(url, { schema });
try {
  await dest.open();
  await dest.ensureTables([TIME_ENTRIES]);
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`PostgreSQL destination bench: ${TOTAL.toLocaleString('en')} time entries, batches of ${BATCH.toLocaleString('en')}, ${dest.description}`);
  out(`load average before: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const report = (label: string, r: Awaited<ReturnType<typeof loadAll>> & { nodeCpu: number; pgCpu: number }) => {
    const rate = (s: number) => Math.round(TOTAL / s).toLocaleString('en');
    out(`${label} ${r.seconds.toFixed(1)} s total (row generation included), ${rate(r.seconds)} rows/s; ` +
      `destination calls only: ${rate(r.writeSeconds)} rows/s ${JSON.stringify(r.counts)}`);
    out(`${' '.repeat(label.length)} CPU: node ${r.nodeCpu.toFixed(1)} s (${r.writeCpu.toFixed(1)} s inside the destination), ` +
      `postgres processes ${r.pgCpu.toFixed(1)} s → destination ${rate(r.writeCpu + r.pgCpu)} rows per CPU-second ` +
      `(node and postgres overlap during COPY, so an idle 2-core machine does better than that)`);
  };
  const first = await cpu(() => loadAll(dest));
  report('first load (inserts):   ', first);
  const second = await cpu(() => loadAll(dest));
  report('second load (unchanged):', second);
  out(`load average now: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
  const target = 100_000;
  const rate = TOTAL / first.writeSeconds;
  out(`target ≥ ${target.toLocaleString('en')} rows/s through the destination (first load, row generation excluded): ` +
    `${Math.round(rate).toLocaleString('en')} rows/s, ${rate >= target ? 'met' : 'NOT met'}` +
    `${rate < target ? ' (compare the load average: other work on the machine slows this down)' : ''}`);
} finally {
  await dest.close();
  await dropPostgresSchema(url, schema);
}
