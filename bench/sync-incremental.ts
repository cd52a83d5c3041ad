/**
 * Benchmark (issue 4 item 7): the request count of an incremental re-sync with nothing changed,
 * on the 100,000-entry simulator dataset (1 workspace, 100 users, 200 projects), 7-day update
 * window. Target ≤ 15 requests. Also prints the full sync and the per-user incremental source
 * for comparison, with the requests per endpoint.
 *
 *   npx tsx bench/sync-incremental.ts [entries]
 */
import { createClockifyClient } from '../src/clockify/client.ts';
import { resolveHosts } from '../src/clockify/hosts.ts';
import { createDestination } from '../src/destinations/index.ts';
import { runSync } from '../src/pipeline/run-sync.ts';
import type { SyncOptions } from '../src/pipeline/run-sync.ts';
import { startSimulator } from '../src/simulator/server.ts';

const entries = Number(process.argv[2] ?? 100_000);
const sim = await startSimulator({ port: 0, seed: 3, workspaces: 1, users: 100, projects: 200, entries, now: '2026-11-20T12:00:00Z' });
const destination = createDestination('duckdb::memory:');
const now = () => new Date(sim.sim.now());
try {
  const run = async (label: string, opts: Partial<SyncOptions>) => {
    const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: sim.url }), apiKey: sim.keys.owner, requestsPerSecond: 0, concurrency: 4 });
    const result = await runSync({ client, destination, log: () => {}, now, updateWindow: { kind: 'duration', ms: 7 * 86_400_000 }, ...opts });
    if (result.error) throw result.error;
    const te = Object.values(result.timeEntries)[0];
    const changed = Object.values(result.tables).reduce((n, c) => n + c.inserted + c.updated + c.deleted, 0);
    console.log(`${label}: ${result.requests} requests, ${(result.durationMs / 1000).toFixed(1)} s (${te.mode}, ${te.source}: ${te.sourceReason}; rows changed ${changed})`);
    for (const [t, n] of Object.entries(client.requestsByTemplate()).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${t}`);
    return result;
  };
  await run('full sync (first run)', {});
  sim.sim.setClock({ advance: 'PT1H' });
  const inc = await run('incremental, nothing changed (auto source)', {});
  sim.sim.setClock({ advance: 'PT1H' });
  await run('incremental, nothing changed (users source)', { timeEntriesSource: 'users' });
  console.log(`sync-incremental: ${inc.requests} requests for an incremental re-sync with nothing changed (target ≤ 15: ${inc.requests <= 15 ? 'PASS' : 'FAIL'})`);
} finally {
  await destination.close();
  await sim.close();
}
