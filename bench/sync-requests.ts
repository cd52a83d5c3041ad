/**
 * Benchmark (issue 3 item 7): a full sync of 100,000 entries, 100 users and 200 projects must
 * take at most 120 requests. Prints the count and the requests per endpoint.
 *
 *   npx tsx bench/sync-requests.ts
 */
import { createClockifyClient } from '../src/clockify/client.ts';
import { resolveHosts } from '../src/clockify/hosts.ts';
import { createDestination } from '../src/destinations/index.ts';
import { runSync } from '../src/pipeline/run-sync.ts';
import { startSimulator } from '../src/simulator/server.ts';

const sim = await startSimulator({ port: 0, seed: 3, workspaces: 1, users: 100, projects: 200, entries: 100_000 });
try {
  const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: sim.url }), apiKey: sim.keys.owner, requestsPerSecond: 0 });
  const destination = createDestination('duckdb::memory:');
  const result = await runSync({ client, destination, log: () => {} });
  await destination.close();
  if (result.error) throw result.error;
  const te = result.tables['time_entries'];
  console.log(`sync-requests: ${te.inserted + te.updated} time entries with ${result.requests} requests (target ≤ 120: ${result.requests <= 120 ? 'PASS' : 'FAIL'})`);
  for (const [t, n] of Object.entries(client.requestsByTemplate()).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${t}`);
} finally {
  await sim.close();
}
