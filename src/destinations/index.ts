import { SyncError, configError } from '../errors.ts';
import type { Row, TableSchema } from '../normalize/table-schema.ts';
import type { Destination, RunInfo, RunRecord, SchemaChange, StateRecord, Transaction } from './destination.ts';
import { createDuckDBDestination } from './duckdb.ts';
import { createFileDestination } from './files.ts';

export type { Destination } from './destination.ts';

export const DEFAULT_DESTINATION = 'duckdb:./clockify.duckdb';

export type DestinationSpec =
  | { kind: 'duckdb'; path: string }
  | { kind: 'csv' | 'jsonl' | 'parquet'; dir: string }
  | { kind: 'xlsx'; path: string }
  | { kind: 'postgres'; url: string };

export interface CreateDestinationOptions {
  /** Database schema (PostgreSQL; DuckDB: a schema inside the file, default main). */
  schema?: string;
  /** CSV: start each file with a UTF-8 byte-order mark (for Excel). */
  csvBom?: boolean;
  /** Clock for `_loaded_at` / `_deleted_at` (tests). */
  now?: () => Date;
  /** PostgreSQL password (from a file or PGPASSWORD); never part of the description. */
  password?: string;
  /** DuckDB: memory limit (e.g. `1GB`) instead of the destination's default (CLOCKIFY_DUCKDB_MEMORY_LIMIT). */
  duckdbMemoryLimit?: string;
}

const ACCEPTED = [
  'duckdb:PATH (default duckdb:./clockify.duckdb)',
  'postgres://USER@HOST:5432/DB (or postgresql://…)',
  'csv:DIR',
  'jsonl:DIR',
  'parquet:DIR',
  'xlsx:PATH',
];

function invalid(spec: string, why: string) {
  return configError(
    'DESTINATION_INVALID',
    `Invalid destination ${JSON.stringify(redactUrl(spec))}: ${why}. Accepted forms: ${ACCEPTED.join(', ')}`,
    'Example: --destination duckdb:./clockify.duckdb',
  );
}

/** Parse a `--destination` value. Throws SyncError DESTINATION_INVALID (config) listing the accepted forms. */
export function parseDestination(spec: string | undefined | null): DestinationSpec {
  const s = (spec ?? '').trim();
  if (s === '' || s === 'duckdb' || s === 'duckdb:') return { kind: 'duckdb', path: './clockify.duckdb' };
  if (/^postgres(ql)?:\/\//i.test(s)) {
    try {
      const u = new URL(s);
      if (!u.hostname && !u.searchParams.get('host')) throw new Error('no host');
    } catch {
      throw invalid(s, 'not a valid PostgreSQL URL');
    }
    return { kind: 'postgres', url: s };
  }
  const m = /^([a-z]+):(.*)$/is.exec(s);
  if (!m) throw invalid(s, 'no scheme');
  const scheme = m[1].toLowerCase();
  const rest = m[2];
  switch (scheme) {
    case 'duckdb':
      return { kind: 'duckdb', path: rest };
    case 'csv':
    case 'jsonl':
    case 'parquet':
      if (!rest.trim()) throw invalid(s, `${scheme}: needs a directory`);
      return { kind: scheme, dir: rest };
    case 'xlsx':
      if (!rest.trim()) throw invalid(s, 'xlsx: needs a file path');
      return { kind: 'xlsx', path: rest };
    default:
      throw invalid(s, `unknown kind "${scheme}"`);
  }
}

/** A URL with its password (and any password parameter) removed. */
export function redactUrl(url: string): string {
  if (!/^postgres(ql)?:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    for (const k of [...u.searchParams.keys()]) if (/pass/i.test(k)) u.searchParams.delete(k);
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1@');
  }
}

/** A printable description of a destination spec (never contains a password). */
export function describeDestination(spec: DestinationSpec): string {
  switch (spec.kind) {
    case 'duckdb': return `duckdb:${spec.path}`;
    case 'postgres': return redactUrl(spec.url);
    case 'xlsx': return `xlsx:${spec.path}`;
    default: return `${spec.kind}:${spec.dir}`;
  }
}

/** Make the destination a `--destination` value names (not yet opened). */
export function createDestination(spec: string, options: CreateDestinationOptions = {}): Destination {
  const parsed = parseDestination(spec);
  switch (parsed.kind) {
    case 'duckdb':
      return createDuckDBDestination(parsed.path, {
        schema: options.schema, now: options.now, config: options.duckdbMemoryLimit ? { memory_limit: options.duckdbMemoryLimit } : undefined,
      });
    case 'csv':
    case 'jsonl':
    case 'parquet':
      return createFileDestination(parsed.kind, parsed.dir, { csvBom: options.csvBom, now: options.now });
    case 'postgres':
      return lazyDestination(describeDestination(parsed), async () => {
        const mod = await import('./postgres.ts');
        return mod.createPostgresDestination(parsed.url, { schema: options.schema, password: options.password });
      });
    case 'xlsx':
      return lazyDestination(describeDestination(parsed), async () => {
        const mod = await import('./xlsx.ts');
        return mod.createXlsxDestination(parsed.path, { now: options.now });
      });
  }
}

/**
 * A destination whose implementation module is loaded at open() (PostgreSQL and Excel pull in
 * their drivers only when used).
 */
function lazyDestination(description: string, load: () => Promise<Destination>): Destination {
  let inner: Destination | null = null;
  const need = (): Destination => {
    if (!inner) throw new SyncError('DESTINATION_NOT_OPEN', `${description} is not open`, { kind: 'destination' });
    return inner;
  };
  return {
    description,
    get capabilities() {
      return inner?.capabilities;
    },
    async open() {
      inner ??= await load();
      await inner.open();
    },
    ensureTables: async (tables: TableSchema[]): Promise<SchemaChange[]> => need().ensureTables(tables),
    readState: async (): Promise<StateRecord[]> => need().readState(),
    resetState: async (filter?: { stream?: string; workspaceId?: string }) => need().resetState(filter),
    begin: async (): Promise<Transaction> => need().begin(),
    recordRun: async (run: RunRecord) => need().recordRun(run),
    readTable: (table: string): AsyncIterable<Row> => need().readTable(table),
    async readRuns(): Promise<RunRecord[]> {
      const d = need();
      return d.readRuns ? d.readRuns() : [];
    },
    async setRunInfo(info: RunInfo): Promise<void> {
      await need().setRunInfo?.(info);
    },
    async close() {
      if (inner) await inner.close();
    },
  };
}
