/**
 * Helpers for the pipeline tests: an in-process simulator with a client on it, syncs into
 * DuckDB, and the ground truth of a simulator state (a fresh full sync through the main API,
 * per user, with the owner key, into an empty database) to compare with a destination.
 */
import assert from 'node:assert/strict';
import { createClockifyClient } from '../../src/clockify/client.ts';
import type { ClockifyClient } from '../../src/clockify/client.ts';
import { resolveHosts } from '../../src/clockify/hosts.ts';
import type { Destination } from '../../src/destinations/destination.ts';
import { createDuckDBDestination } from '../../src/destinations/duckdb.ts';
import type { Row } from '../../src/normalize/table-schema.ts';
import { runSync } from '../../src/pipeline/run-sync.ts';
import type { SyncOptions, SyncResult } from '../../src/pipeline/run-sync.ts';
import { createSimulator } from '../../src/simulator/index.ts';
import type { SimulatorOptions } from '../../src/simulator/index.ts';

export function simClient(app: { request: (url: string, init?: RequestInit) => Response | Promise<Response> }, key = 'sim-admin-key'): ClockifyClient {
  return createClockifyClient({
    hosts: resolveHosts({ baseUrl: 'http://sim.test' }), apiKey: key, requestsPerSecond: 0, sleep: async () => {},
    fetch: async (url, init) => app.request(url, init),
  });
}

export function setupSim(options: SimulatorOptions = {}) {
  const built = createSimulator({ seed: 11, workspaces: 1, users: 8, projects: 6, entries: 1200, now: '2026-11-20T12:00:00Z', ...options });
  return { ...built, client: simClient(built.app) };
}

export function memoryDuckDB(): Destination {
  return createDuckDBDestination(':memory:', { config: { threads: '1' } });
}

export async function sync(sim: { app: { request: (url: string, init?: RequestInit) => Response | Promise<Response> } }, destination: Destination, opts: Partial<SyncOptions> = {}): Promise<SyncResult> {
  const client = simClient(sim.app);
  const result = await runSync({ client, destination, log: () => {}, ...opts });
  if (result.error) throw result.error;
  return result;
}

export const TABLES = [
  'workspaces', 'workspaces__memberships', 'workspaces__currencies', 'users', 'users__memberships', 'users__custom_fields',
  'user_groups', 'user_groups__users', 'projects', 'projects__memberships', 'projects__custom_fields', 'clients', 'clients__cc_emails',
  'tags', 'tasks', 'tasks__assignees', 'tasks__user_groups', 'time_entries', 'time_entries__tags', 'time_entries__custom_field_values',
  'custom_fields', 'custom_fields__allowed_values', 'custom_fields__project_default_values', 'holidays', 'holidays__users', 'holidays__user_groups',
];

/** Live rows of a table (soft-deleted ones left out), without the metadata columns, keyed by their JSON. */
export async function liveRows(destination: Destination, table: string, keep?: (row: Row) => boolean): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  for await (const row of destination.readTable(table)) {
    if (row._deleted_at != null) continue;
    const r: Row = { ...row };
    delete r._loaded_at;
    delete r._deleted_at;
    if (keep && !keep(r)) continue;
    out.set(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), r);
  }
  return out;
}

/** Every table of `destination` equals the ground truth of the simulator's current state, row for row. */
export async function assertMatchesTruth(sim: { app: { request: (url: string, init?: RequestInit) => Response | Promise<Response> } }, destination: Destination, what: string): Promise<void> {
  const truth = memoryDuckDB();
  try {
    await sync(sim, truth, { mode: 'full', timeEntriesSource: 'users' });
    await assertSameTables(truth, destination, what);
  } finally {
    await truth.close();
  }
}

export async function assertSameTables(expected: Destination, actual: Destination, what: string, tables = TABLES): Promise<void> {
  for (const table of tables) {
    const want = await liveRows(expected, table);
    const got = await liveRows(actual, table);
    const missing = [...want.keys()].filter((k) => !got.has(k));
    const extra = [...got.keys()].filter((k) => !want.has(k));
    assert.deepEqual({ table, missing: missing.slice(0, 3), extra: extra.slice(0, 3), counts: [missing.length, extra.length] }, { table, missing: [], extra: [], counts: [0, 0] }, `${what}: ${table}`);
    assert.equal(got.size, want.size, `${what}: ${table} row count`);
  }
}
