/**
 * `discover`: the catalog — every stream (built-in, report, custom), its tables, columns, types,
 * primary keys and parents. Needs no key and no network: the catalog comes from the stream table,
 * the normalizer and the report schemas.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { createNormalizer } from '../../normalize/normalizer.ts';
import { DELETED_AT, LOADED_AT, type TableSchema } from '../../normalize/table-schema.ts';
import { REPORT_KINDS } from '../../reports/report-options.ts';
import { reportTableSchemas } from '../../reports/report-tables.ts';
import { STREAMS } from '../../streams/stream-table.ts';
import { configError } from '../../errors.ts';
import { closest } from '../../config/config-suggest.ts';
import { printData, toJson } from '../cli-jobs.ts';
import { formatTable } from '../output.ts';

export interface CatalogStream {
  name: string;
  kind: 'entity' | 'report' | 'custom';
  description: string;
  /** e.g. "GET /workspaces/{workspaceId}/projects" (main API) or "POST …/reports/summary" (Reports API). */
  request: string;
  /** Stream this one reads per record of (time entries per user). */
  parentStream?: string;
  incrementalCursor?: string;
  deletions?: string;
  /** Tables written, the stream's own first; empty for custom streams (columns appear at sync time). */
  tables: TableSchema[];
  /** Custom streams only: the declared primary key (API field names). */
  primaryKey?: string[];
}

/** The whole catalog (custom streams from a loaded config file, when given). */
export function buildCatalog(custom: { name: string; method: string; host: string; path: string; primaryKey: string[] }[] = []): CatalogStream[] {
  const normalizer = createNormalizer(STREAMS);
  const entity: CatalogStream[] = STREAMS.map((s) => ({
    name: s.name,
    kind: 'entity',
    description: s.description,
    request: `${s.method} ${s.api === 'reports' ? '(reports) ' : ''}${s.path}`,
    ...(s.parent ? { parentStream: s.parent.stream } : s.fromParent ? { parentStream: s.fromParent.stream } : {}),
    ...(s.cursorField ? { incrementalCursor: s.cursorField } : {}),
    deletions: s.deletion,
    tables: normalizer.tablesFor(s.name),
  }));
  const reports: CatalogStream[] = REPORT_KINDS.map((kind) => {
    const tables = reportTableSchemas(kind);
    return {
      name: tables[0].name,
      kind: 'report',
      description: `The ${kind[0].toUpperCase()}${kind.slice(1)} report (\`clockify-sync report ${kind}\`); rows carry their range and time zone, a rerun replaces its range.`,
      request: `POST (reports) /workspaces/{workspaceId}/reports/${kind}`,
      deletions: 'range (a rerun replaces the rows of its range)',
      tables,
    };
  });
  const customs: CatalogStream[] = custom.map((c) => ({
    name: c.name,
    kind: 'custom',
    description: 'Custom stream from the config file (columns are discovered from the records at sync time).',
    request: `${c.method} ${c.host === 'reports' ? '(reports) ' : ''}${c.path}`,
    tables: [],
    primaryKey: c.primaryKey,
  }));
  return [...entity, ...reports, ...customs];
}

function formatStream(s: CatalogStream): string {
  const head = [`${s.name}  [${s.kind}]  ${s.request}`, `  ${s.description}`];
  const facts = [
    s.parentStream ? `read per ${s.parentStream} record` : '',
    s.incrementalCursor ? `incremental cursor ${s.incrementalCursor}` : '',
    s.deletions ? `deletions: ${s.deletions}` : '',
    s.primaryKey ? `primary key ${s.primaryKey.join(', ')}` : '',
  ].filter(Boolean);
  if (facts.length) head.push(`  ${facts.join('; ')}`);
  for (const t of s.tables) {
    head.push('', `  table ${t.name}  (primary key ${t.primaryKey.join(', ')}${t.parent ? `; child of ${t.parent.table} by ${t.parent.columns.join(', ')}` : ''})`);
    const table = formatTable(
      ['column', 'type', 'key', 'nullable'],
      t.columns.map((c) => [c.name, c.type, t.primaryKey.includes(c.name) ? 'PK' : '', c.nullable === false || t.primaryKey.includes(c.name) ? 'no' : 'yes']),
    );
    head.push(...table.split('\n').map((l) => `    ${l}`));
  }
  return head.join('\n');
}

export function formatCatalog(catalog: CatalogStream[]): string {
  return [
    ...catalog.map(formatStream),
    '',
    `Every data table also has ${LOADED_AT} (when the row last changed) and ${DELETED_AT} (soft deletes).`,
  ].join('\n\n');
}

export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description('Print the catalog: streams, tables, columns, types, primary keys and parents (no key needed).')
    .option('--json', 'the catalog as JSON')
    .option('--stream <name>', 'only this stream (repeatable or comma-separated)', (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)])
    .option('--config <file>', 'also list the custom streams of this configuration file')
    .addHelpText(
      'after',
      `
Examples:
  clockify-sync discover
  clockify-sync discover --stream time_entries
  clockify-sync discover --json | jq '.[] | {name, tables: [.tables[].name]}'
  clockify-sync discover --config clockify-sync.yaml   # custom streams too`,
    )
    .action((opts: { json?: boolean; stream?: string[]; config?: string }) => {
      const custom = opts.config || process.env.CLOCKIFY_CONFIG?.trim() ? loadConfig({ file: opts.config, env: process.env }).customStreams : [];
      let catalog = buildCatalog(custom);
      if (opts.stream?.length) {
        const names = catalog.map((s) => s.name);
        const unknown = opts.stream.filter((n) => !names.includes(n));
        if (unknown.length) {
          const guess = closest(unknown[0], names);
          throw configError('CONFIG_UNKNOWN_STREAM', `Unknown stream ${unknown.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}.`, `Streams: ${names.join(', ')}.`);
        }
        catalog = catalog.filter((s) => opts.stream!.includes(s.name));
      }
      printData(opts.json ? toJson(catalog) : formatCatalog(catalog));
    });
}
