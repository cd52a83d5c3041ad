/**
 * End to end: a full and then an incremental sync from the simulator into PostgreSQL give the
 * same tables as the ground truth (a fresh full sync into DuckDB). Needs PG_URL.
 */
import { test } from 'node:test';
import { createPostgresDestination } from '../src/destinations/postgres.ts';
import { dropPostgresSchema } from '../src/destinations/postgres-admin.ts';
import { assertMatchesTruth, setupSim, sync } from './support/pipeline-harness.ts';

const PG_URL = process.env.PG_URL;

test('sync from the simulator into PostgreSQL matches the ground truth, full then incremental', {
  skip: PG_URL ? false : 'PostgreSQL tests skipped: set PG_URL=postgres://postgres@127.0.0.1:5432/test to run them',
  timeout: 120_000,
}, async () => {
  const schema = `cs_pgsync_${process.pid}`;
  const sim = setupSim({ entries: 400, users: 5 });
  const dest = createPostgresDestination(PG_URL!, { schema });
  try {
    await dest.open();
    await sync(sim, dest, { mode: 'full' });
    await assertMatchesTruth(sim, dest, 'after a full sync');
    await sync(sim, dest, { mode: 'incremental' });
    await assertMatchesTruth(sim, dest, 'after an incremental sync');
  } finally {
    await dest.close();
    await dropPostgresSchema(PG_URL!, schema);
  }
});
