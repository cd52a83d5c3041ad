import type { Command } from 'commander';
import { createClockifyClient } from '../../clockify/client.ts';
import { resolveHosts } from '../../clockify/hosts.ts';
import { createDestination } from '../../destinations/index.ts';
import { EXIT } from '../../errors.ts';
import { flattensPages, runSync } from '../../pipeline/run-sync.ts';
import { startSimulator } from '../../simulator/server.ts';
import { tuneHeapForSync } from '../heap-tuning.ts';
import { intOption } from '../options.ts';
import { createCliLogger, formatTable } from '../output.ts';
import { reportError } from '../report-error.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Start the bundled Clockify simulator with a seeded dataset and sync it into a DuckDB file (what `npm start` runs).')
    .option('--destination <spec>', 'where to write', 'duckdb:./clockify.duckdb')
    .option('--entries <n>', 'time entries in the simulated account', intOption, 100000)
    .option('--seed <n>', 'dataset seed', intOption, 1)
    .option('--quiet', 'only the final summary')
    .action(async (opts) => {
      const log = createCliLogger({ quiet: opts.quiet });
      // The simulated clock is pinned to today's midnight (UTC), so reruns on the same day see the
      // same account and change no row.
      const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z').toISOString();
      const sim = await startSimulator({ port: 0, seed: opts.seed, workspaces: 2, users: 50, projects: 100, entries: opts.entries, now: today });
      log('info', `simulator on ${sim.url} (seed ${opts.seed}: 2 workspaces, 50 users, 100 projects, ${opts.entries} time entries)`);
      const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: sim.url }), apiKey: sim.keys.owner, requestsPerSecond: 0, concurrency: 4 });
      const destination = createDestination(opts.destination);
      tuneHeapForSync(flattensPages(destination));
      try {
        const result = await runSync({ client, destination, log });
        if (result.error) {
          process.exitCode = reportError(result.error, false);
          return;
        }
        const rows = Object.entries(result.tables)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([table, c]) => [table, c.inserted + c.updated, c.inserted, c.updated, c.unchanged, c.deleted] as (string | number)[]);
        const out = [
          `Synced the simulated Clockify account into ${destination.description}:`,
          '',
          formatTable(['table', 'written', 'inserted', 'updated', 'unchanged', 'deleted'], rows),
          '',
          `time: ${(result.durationMs / 1000).toFixed(1)} s   requests: ${result.requests}   workspaces: ${result.workspaces.map((w) => w.name).join(', ')}`,
          '',
          'Try a query:',
          `  duckdb ${destination.description.replace(/^duckdb:/, '')} "SELECT p.name AS project, round(sum(t.time_interval__duration_seconds) / 3600, 1) AS hours`,
          '    FROM time_entries t JOIN projects p ON p.id = t.project_id GROUP BY 1 ORDER BY 2 DESC LIMIT 10"',
          '  (or from Node: @duckdb/node-api; the same SQL works in any DuckDB client)',
        ];
        process.stdout.write(out.join('\n') + '\n');
        process.exitCode = EXIT.ok;
      } finally {
        await destination.close().catch(() => {});
        await sim.close();
      }
    });
}
