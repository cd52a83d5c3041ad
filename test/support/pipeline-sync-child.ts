/**
 * Child process of the kill test: one sync of a loopback simulator into a DuckDB file, with small
 * transactions (many commits to be killed between). Prints "started" when the sync begins and
 * "done <status>" at the end.
 * Usage: node --import tsx pipeline-sync-child.ts BASE_URL DB_PATH
 */
import { createClockifyClient } from '../../src/clockify/client.ts';
import { resolveHosts } from '../../src/clockify/hosts.ts';
import { createDuckDBDestination } from '../../src/destinations/duckdb.ts';
import { runSync } from '../../src/pipeline/run-sync.ts';

const [url, dbPath] = process.argv.slice(2);
const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: url }), apiKey: 'sim-admin-key', requestsPerSecond: 0, concurrency: 2 });
const destination = createDuckDBDestination(dbPath, { config: { threads: '1' } });
process.stdout.write('started\n');
const result = await runSync({ client, destination, log: () => {}, batchRows: 400, concurrency: 2, timeEntriesSource: 'users' });
await destination.close();
process.stdout.write(`done ${result.status} ${result.error ? result.error.message : ''}\n`);
process.exit(result.error ? 1 : 0);
