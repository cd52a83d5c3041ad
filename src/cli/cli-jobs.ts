/**
 * Shared plumbing of the commands that read the configuration: resolve the jobs (sources) a
 * command runs for, pick workspaces, and
 * print requested data (stdout) as a table or JSON.
 */
import type { Command } from 'commander';
import type { ClockifyClient } from '../clockify/client.ts';
import { loadConfig, type ResolvedConfig, type ResolvedJob } from '../config/index.ts';
import { configError, SyncError } from '../errors.ts';
import { listWorkspaces, type ClockifyRecord } from '../extract/index.ts';
import { redact } from '../secrets.ts';
import { STREAMS } from '../streams/stream-table.ts';
import { REPORT_TABLES } from '../reports/report-tables.ts';
import { formatTable } from './output.ts';

/** Stream names a command may be given: the built-in streams and the report tables. */
export const REPORT_STREAMS: readonly string[] = [REPORT_TABLES.summary, REPORT_TABLES.detailed, REPORT_TABLES.weekly];
export const KNOWN_STREAMS: readonly string[] = [...STREAMS.map((s) => s.name), ...REPORT_STREAMS];

/** Commander's options of a command using addSourceOptions (plus anything else). */
export type CommandOptions = Record<string, unknown> & { config?: string; source?: string; workspace?: string[]; json?: boolean; quiet?: boolean; verbose?: boolean };

/** Loads the configuration (flags > env > file > defaults) and keeps the jobs `--source` selects. */
export function loadJobs(opts: CommandOptions, env: NodeJS.ProcessEnv = process.env): { config: ResolvedConfig; jobs: ResolvedJob[] } {
  const config = loadConfig({ file: opts.config, env, flags: { ...opts, workspaces: opts.workspace }, knownStreams: KNOWN_STREAMS });
  const jobs = opts.source ? config.jobs.filter((j) => j.source === opts.source) : config.jobs;
  if (!jobs.length) {
    throw configError('CONFIG_UNKNOWN_SOURCE', `No source named "${opts.source}" in the configuration.`, `Sources: ${config.jobs.map((j) => j.source).join(', ') || 'none'}.`);
  }
  return { config, jobs };
}

/** The workspaces a job names (every visible one when it names none); unknown ids → WORKSPACE_UNKNOWN (exit 2). */
export function pickWorkspaces(visible: ClockifyRecord[], wanted: readonly string[]): ClockifyRecord[] {
  if (!wanted.length) return visible;
  const unknown = wanted.filter((id) => !visible.some((w) => w.id.toLowerCase() === id.toLowerCase()));
  if (unknown.length) {
    throw new SyncError('WORKSPACE_UNKNOWN', `Workspace ${unknown.join(', ')} is not visible to this key.`, {
      kind: 'config',
      exitCode: 2,
      hint: `Workspaces this key can see: ${visible.map((w) => `${w.id} (${String(w.name ?? '')})`).join(', ') || 'none'}. Run \`clockify-sync check\` to list them with your role.`,
    });
  }
  return visible.filter((w) => wanted.some((id) => id.toLowerCase() === w.id.toLowerCase()));
}

/** listWorkspaces + pickWorkspaces. */
export async function workspacesFor(client: ClockifyClient, job: ResolvedJob): Promise<ClockifyRecord[]> {
  return pickWorkspaces(await listWorkspaces(client), job.workspaces);
}

/** JSON text of requested data: Dates as ISO strings, bigints as numbers when safe (else strings). */
export function toJson(value: unknown, indent = 2): string {
  return redact(
    JSON.stringify(
      value,
      (_k, v) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v),
      indent,
    ),
  );
}

/** One cell of a readable table: JSON for objects, ISO for dates, cut to `width` characters. */
export function cell(value: unknown, width = 40): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return value;
  let text: string;
  if (value instanceof Date) text = Number.isNaN(value.getTime()) ? '' : value.toISOString();
  else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  text = text.replace(/[\r\n\t]+/g, ' ');
  return text.length > width ? text.slice(0, width - 1) + '…' : text;
}

/** Rows as a readable table over `columns` (default: every key seen, in first-seen order). */
export function formatRows(rows: Record<string, unknown>[], columns?: string[], width = 40): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return redact(formatTable(cols, rows.map((r) => cols.map((c) => cell(r[c], width)))));
}

/** Rewrites the help text of an option added by a shared helper (e.g. --json of addSourceOptions). */
export function describeOption(cmd: Command, long: string, description: string): Command {
  const option = cmd.options.find((o) => o.long === long);
  if (option) option.description = description;
  return cmd;
}

/** Writes requested data to stdout (never logs). */
export function printData(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}
