/**
 * `state show` prints the committed sync state (`_clockify_sync_state`) of a destination;
 * `state reset [--stream S] [--workspace W]` removes state records so the next sync of those
 * streams is a full one. Neither talks to Clockify; a destination file that does not exist is
 * not created.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { ResolvedJob } from '../../config/index.ts';
import type { StateRecord } from '../../destinations/destination.ts';
import { configError, EXIT } from '../../errors.ts';
import { formatRows, loadJobs, printData, toJson, type CommandOptions } from '../cli-jobs.ts';
import { destinationForJob } from '../job.ts';
import { createCliLogger } from '../output.ts';
import { checkStreamName } from './preview.ts';

interface StateOptions extends CommandOptions {
  destination?: string;
  schema?: string;
  stream?: string;
}

/** True when the job's destination is a file or folder that does not exist yet (nothing to show or reset). */
export function destinationMissing(job: ResolvedJob): boolean {
  const { kind, target } = job.destination;
  if (kind === 'postgres' || target === ':memory:') return false;
  return !existsSync(target);
}

function addDestinationOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'configuration file (YAML or JSON); env CLOCKIFY_CONFIG')
    .option('--source <name>', 'only this source of the configuration file')
    .option('--destination <spec>', 'duckdb:PATH (default duckdb:./clockify.duckdb), postgres://…, csv:DIR, jsonl:DIR, parquet:DIR, xlsx:FILE')
    .option('--schema <name>', 'database schema (PostgreSQL default clockify)')
    .option('--quiet', 'only warnings and errors')
    .option('--verbose', 'debug log lines (secrets are still masked)');
}

export async function readJobState(job: ResolvedJob): Promise<StateRecord[]> {
  if (destinationMissing(job)) return [];
  const destination = destinationForJob(job);
  try {
    await destination.open();
    return await destination.readState();
  } finally {
    await destination.close().catch(() => {});
  }
}

export function registerState(program: Command): void {
  const state = program.command('state').description("Show or reset the sync state stored in the destination's _clockify_sync_state table.");
  state.addHelpText(
    'after',
    `
Examples:
  clockify-sync state show
  clockify-sync state show --destination postgres://me@db/warehouse --json
  clockify-sync state reset --stream time_entries --workspace 64a687e29ae1f428e7ebe303`,
  );

  addDestinationOptions(state.command('show').description('Print the state records (stream, workspace, partition, cursor, updated at).'))
    .option('--json', 'the records as JSON')
    .addHelpText(
      'after',
      `
Examples:
  clockify-sync state show
  clockify-sync state show --destination duckdb:./warehouse.duckdb --json`,
    )
    .action(async (opts: StateOptions) => {
      const { jobs } = loadJobs(opts);
      const all: (StateRecord & { source: string })[] = [];
      for (const job of jobs) for (const r of await readJobState(job)) all.push({ source: job.source, ...r });
      all.sort((a, b) => a.source.localeCompare(b.source) || a.workspaceId.localeCompare(b.workspaceId) || a.stream.localeCompare(b.stream) || a.partition.localeCompare(b.partition));
      if (opts.json) printData(toJson(all));
      else if (!all.length) printData('No sync state yet (the next sync is a full one).');
      else {
        const multi = jobs.length > 1;
        printData(
          formatRows(
            all.map((r) => ({ ...(multi ? { source: r.source } : {}), workspace: r.workspaceId, stream: r.stream, partition: r.partition, cursor: r.cursor, updated_at: r.updatedAt })),
            undefined,
            60,
          ),
        );
      }
      process.exitCode = EXIT.ok;
    });

  addDestinationOptions(state.command('reset').description('Remove state records (all, or of one stream and/or workspace): the next sync of them is full.'))
    .option('--stream <name>', 'only this stream')
    .option('--workspace <id>', 'only this workspace')
    .addHelpText(
      'after',
      `
Examples:
  clockify-sync state reset                       # everything: the next sync is full
  clockify-sync state reset --stream time_entries
  clockify-sync state reset --stream projects --workspace 64a687e29ae1f428e7ebe303`,
    )
    .action(async (opts: StateOptions & { workspace?: string }) => {
      const stream = opts.stream !== undefined ? checkStreamName(opts.stream) : undefined;
      const workspaceId = opts.workspace?.trim();
      if (opts.workspace !== undefined && !workspaceId) throw configError('CONFIG_INVALID', '--workspace needs a workspace id.');
      const { jobs } = loadJobs({ ...opts, workspace: undefined });
      const log = createCliLogger(opts);
      let removed = 0;
      for (const job of jobs) {
        if (destinationMissing(job)) continue;
        const destination = destinationForJob(job);
        try {
          await destination.open();
          removed += await destination.resetState({ ...(stream ? { stream } : {}), ...(workspaceId ? { workspaceId } : {}) });
        } finally {
          await destination.close().catch(() => {});
        }
      }
      const what = [stream ? `stream ${stream}` : '', workspaceId ? `workspace ${workspaceId}` : ''].filter(Boolean).join(', ') || 'every stream';
      log('info', `removed ${removed} state record${removed === 1 ? '' : 's'} (${what}); the next sync of ${stream ?? 'them'} is a full one`);
      process.exitCode = EXIT.ok;
    });
}
