import type { Destination } from '../../src/destinations/destination.ts';
import { createDuckDBDestination } from '../../src/destinations/duckdb.ts';
import { createFileDestination } from '../../src/destinations/files.ts';

/**
 * Every destination the shared conformance suite runs against. Each entry makes a fresh,
 * empty destination in `dir` (a new temporary directory per test) and says whether it can
 * run here (PostgreSQL needs PG_URL).
 */
export interface DestinationFactory {
  name: string;
  /** A reason to skip, or null when the destination can run. */
  skipReason(): string | null;
  /** A fresh, empty destination. Calling it twice with the same dir reopens the same data. */
  create(dir: string): Destination;
}

export const destinationFactories: DestinationFactory[] = [];

destinationFactories.push({
  name: 'duckdb',
  skipReason: () => null,
  create: (dir) => createDuckDBDestination(`${dir}/test.duckdb`, { config: { threads: '2' } }),
});
for (const format of ['csv', 'jsonl', 'parquet'] as const) {
  destinationFactories.push({
    name: format,
    skipReason: () => null,
    create: (dir) => createFileDestination(format, `${dir}/out`, { csvBom: format === 'csv' }),
  });
}

// ---- PostgreSQL (needs PG_URL); each test directory gets its own schema, dropped after the test.
import { after } from 'node:test';
import { basename } from 'node:path';
import { createPostgresDestination } from '../../src/destinations/postgres.ts';
import { dropPostgresSchema } from '../../src/destinations/postgres-admin.ts';

const pgSchemasToDrop = new Set<string>();

destinationFactories.push({
  name: 'postgres',
  skipReason: () =>
    process.env.PG_URL ? null : 'PostgreSQL tests skipped: set PG_URL=postgres://postgres@127.0.0.1:5432/test to run them',
  create(dir: string): Destination {
    const url = process.env.PG_URL!;
    const schema = ('cs_conf_' + basename(dir).replace(/[^A-Za-z0-9]/g, '_')).toLowerCase().slice(0, 60);
    if (!pgSchemasToDrop.has(schema)) {
      pgSchemasToDrop.add(schema);
      // registered inside the running test, so it runs when that test ends
      after(async () => {
        pgSchemasToDrop.delete(schema);
        await dropPostgresSchema(url, schema);
      });
    }
    return createPostgresDestination(url, { schema });
  },
});

// ---- Excel workbook (sidecar store next to it)
import { createXlsxDestination } from '../../src/destinations/xlsx.ts';

destinationFactories.push({
  name: 'xlsx',
  skipReason: () => null,
  create: (dir: string): Destination => createXlsxDestination(`${dir}/clockify.xlsx`),
});
