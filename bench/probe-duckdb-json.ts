/**
 * Probe (not a target of `npm run bench`): how fast could the 1M-entry sync of
 * bench/sync-full.ts be if DuckDB parsed the time-entry pages itself? The pages are fetched as
 * bytes, written to temporary files and read with `read_json` (explicit column types, no
 * sniffing); the entries and their tags and custom-field values are flattened in SQL, appended
 * to the tables, and committed every 40 pages. No JavaScript object is made per entry.
 *
 * It leaves out what the connector does on top (staging and merge by key, unknown-field
 * detection, state), so it measures the floor of that design, against the same simulator
 * process and dataset as bench/sync-full.ts:
 *
 *   npx tsx bench/probe-duckdb-json.ts [entries]
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tuneHeapForSync } from '../src/cli/heap-tuning.ts';
import { ALL_ACCOUNT_STATUSES, MAX_PAGE_SIZE } from '../src/streams/stream-table.ts';
import { startSimProcess } from './sim-process.ts';

const entries = Number(process.argv[2] ?? 1_000_000);
tuneHeapForSync(false);
const sim = await startSimProcess(['--seed', '7', '--workspaces', '1', '--users', '200', '--projects', '500', '--entries', String(entries)]);
const dir = mkdtempSync(join(tmpdir(), 'clockify-probe-'));
const headers = { 'X-Api-Key': 'sim-admin-key' };
const get = async (path: string): Promise<Array<{ id: string }>> => (await fetch(`${sim.url}/api/v1${path}`, { headers })).json() as Promise<Array<{ id: string }>>;

try {
  const [ws] = await get('/workspaces');
  const users = await get(`/workspaces/${ws.id}/users?status=ALL&account-statuses=${ALL_ACCOUNT_STATUSES.join(',')}&page-size=${MAX_PAGE_SIZE}`);
  const instance = await DuckDBInstance.create(join(dir, 'probe.duckdb'), { memory_limit: '128MB', allocator_flush_threshold: '8MB' });
  const con = await instance.connect();
  const meta = '_loaded_at TIMESTAMPTZ, _deleted_at TIMESTAMPTZ';
  await con.run(`CREATE TABLE time_entries (workspace_id VARCHAR, id VARCHAR, description VARCHAR, user_id VARCHAR, project_id VARCHAR,
    task_id VARCHAR, billable BOOLEAN, is_locked BOOLEAN, type VARCHAR, kiosk_id VARCHAR, approval_request_id VARCHAR,
    time_interval__start TIMESTAMPTZ, time_interval__end TIMESTAMPTZ, time_interval__duration VARCHAR, time_interval__duration_seconds BIGINT,
    hourly_rate__amount BIGINT, hourly_rate__currency VARCHAR, cost_rate__amount BIGINT, cost_rate__currency VARCHAR, ${meta})`);
  await con.run(`CREATE TABLE time_entries__tags (workspace_id VARCHAR, time_entry_id VARCHAR, tag_id VARCHAR, ${meta})`);
  await con.run(`CREATE TABLE time_entries__custom_field_values (workspace_id VARCHAR, time_entry_id VARCHAR, custom_field_id VARCHAR,
    name VARCHAR, type VARCHAR, value JSON, ${meta})`);
  const columns = `{id: 'VARCHAR', description: 'VARCHAR', userId: 'VARCHAR', workspaceId: 'VARCHAR', projectId: 'VARCHAR', taskId: 'VARCHAR',
    tagIds: 'VARCHAR[]', billable: 'BOOLEAN', isLocked: 'BOOLEAN', type: 'VARCHAR', kioskId: 'VARCHAR', approvalRequestId: 'VARCHAR',
    timeInterval: 'STRUCT(start TIMESTAMPTZ, "end" TIMESTAMPTZ, duration VARCHAR)', hourlyRate: 'STRUCT(amount BIGINT, currency VARCHAR)',
    costRate: 'STRUCT(amount BIGINT, currency VARCHAR)',
    customFieldValues: 'STRUCT(customFieldId VARCHAR, timeEntryId VARCHAR, name VARCHAR, type VARCHAR, value JSON)[]'}`;
  const part = (d: string, unit: string, factor: number) => `COALESCE(TRY_CAST(regexp_extract(${d}, '(\\d+)${unit}', 1) AS BIGINT), 0) * ${factor}`;
  const seconds = (d: string) => `(${part(d, 'H', 3600)} + ${part(d, 'M', 60)} + ${part(d, 'S', 1)})`;

  const load = async (files: string[]) => {
    await con.run('BEGIN TRANSACTION');
    await con.run(`CREATE OR REPLACE TEMP TABLE page AS SELECT * FROM read_json([${files.map((f) => `'${f}'`).join(', ')}], format = 'array', columns = ${columns})`);
    await con.run(`INSERT INTO time_entries SELECT workspaceId, id, description, userId, projectId, taskId, billable, isLocked, type, kioskId,
      approvalRequestId, timeInterval.start, timeInterval."end", timeInterval.duration, ${seconds('timeInterval.duration')},
      hourlyRate.amount, hourlyRate.currency, costRate.amount, costRate.currency, now(), NULL FROM page`);
    await con.run(`INSERT INTO time_entries__tags SELECT workspaceId, id, unnest(tagIds), now(), NULL FROM page`);
    await con.run(`INSERT INTO time_entries__custom_field_values SELECT workspaceId, id, c.customFieldId, c.name, c.type, c.value, now(), NULL
      FROM (SELECT workspaceId, id, unnest(customFieldValues) AS c FROM page)`);
    await con.run('DROP TABLE page');
    await con.run('COMMIT');
    for (const f of files) rmSync(f);
  };

  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const sim0 = sim.cpuSeconds();
  let files: string[] = [];
  let loading: Promise<void> = Promise.resolve();
  let pageNo = 0;
  const queue = users.map((u) => u.id);
  // Four request chains, as the connector runs them; pages are loaded 40 at a time, one load at a time.
  const chain = async () => {
    for (let user = queue.shift(); user; user = queue.shift()) {
      for (let page = 1; ; page++) {
        const res = await fetch(`${sim.url}/api/v1/workspaces/${ws.id}/user/${user}/time-entries?page-size=${MAX_PAGE_SIZE}&page=${page}`, { headers });
        const body = Buffer.from(await res.arrayBuffer());
        const file = join(dir, `p${pageNo++}.json`);
        writeFileSync(file, body);
        files.push(file);
        if (files.length >= 40) {
          const batch = files;
          files = [];
          loading = loading.then(() => load(batch));
          await loading;
        }
        if (res.headers.get('last-page') === 'true' || body.length <= 2) break;
      }
    }
  };
  await Promise.all([chain(), chain(), chain(), chain()]);
  await loading;
  if (files.length) await load(files);
  clearInterval(sampler);
  const seconds_ = (performance.now() - t0) / 1000;
  const count = async (t: string) => Number((await con.runAndReadAll(`SELECT count(*) FROM ${t}`)).getRows()[0][0]);
  const n = await count('time_entries');
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `probe-duckdb-json: ${n} time entries (${await count('time_entries__tags')} tags, ${await count('time_entries__custom_field_values')} custom-field values) ` +
      `from ${users.length} users in ${seconds_.toFixed(1)} s = ${Math.round(n / seconds_)} entries/s; peak RSS ${Math.round(peak / 1048576)} MB; ` +
      `cpu: this process ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, simulator ${(sim.cpuSeconds() - sim0).toFixed(1)} s`,
  );
  con.closeSync();
  instance.closeSync();
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
