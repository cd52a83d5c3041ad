/**
 * Connection settings for the PostgreSQL destination: URL parsing (password from the URL,
 * options or PGPASSWORD), a description with the password masked, value parsers giving the
 * canonical read-back forms, and the mapping of connection failures to SyncError.
 */
import pg from 'pg';
import { SyncError, configError } from '../errors.ts';
import { registerSecret } from '../secrets.ts';

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string | undefined;
  ssl: boolean | { rejectUnauthorized: boolean } | undefined;
  schema: string;
  /** The URL without its password, for messages. */
  description: string;
}

export interface PostgresOptions {
  schema?: string;
  password?: string;
  /** Defaults to process.env (PGPASSWORD, PGUSER, PGHOST). */
  env?: Record<string, string | undefined>;
}

export function parsePostgresUrl(url: string, options: PostgresOptions = {}): PostgresTarget {
  const env = options.env ?? process.env;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw configError('DESTINATION_BAD_URL', 'The PostgreSQL destination is not a valid URL.', 'Use postgres://user@host:5432/database.');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw configError('DESTINATION_BAD_URL', `A PostgreSQL destination starts with postgres:// (got ${u.protocol}//).`, 'Use postgres://user@host:5432/database.');
  }
  const urlPassword = u.password ? decodeURIComponent(u.password) : undefined;
  const password = urlPassword ?? options.password ?? env.PGPASSWORD ?? undefined;
  registerSecret(password);
  const user = decodeURIComponent(u.username) || env.PGUSER || 'postgres';
  const host = u.searchParams.get('host') ?? (decodeURIComponent(u.hostname) || env.PGHOST || 'localhost');
  const port = u.port ? Number(u.port) : 5432;
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
  const schema = options.schema ?? u.searchParams.get('schema') ?? 'clockify';
  const sslmode = u.searchParams.get('sslmode');
  const ssl = sslmode === 'require' || sslmode === 'prefer' ? { rejectUnauthorized: false }
    : sslmode === 'verify-ca' || sslmode === 'verify-full' ? { rejectUnauthorized: true }
    : undefined;
  const shownHost = host.includes(':') && !host.startsWith('/') ? `[${host}]` : host;
  const description = `postgres://${encodeURIComponent(user)}${password ? ':***' : ''}@${shownHost}:${port}/${encodeURIComponent(database)} (schema ${schema})`;
  return { host, port, user, database, password, ssl, schema, description };
}

function parseInt8(v: string): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : BigInt(v);
}

const parsers: Record<number, (v: string) => unknown> = {
  20: parseInt8, // int8
  1700: (v) => Number(v), // numeric
  1082: (v) => v, // date stays 'YYYY-MM-DD'
};

/** Value parsers giving the canonical read-back forms of the Destination interface. */
export const pgTypeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (v: string) => unknown {
    if ((format ?? 'text') === 'text' && parsers[oid]) return parsers[oid];
    return pg.types.getTypeParser(oid, format ?? 'text') as (v: string) => unknown;
  },
};

export function createPool(t: PostgresTarget): pg.Pool {
  const pool = new pg.Pool({
    host: t.host,
    port: t.port,
    user: t.user,
    database: t.database,
    password: t.password,
    ssl: t.ssl,
    max: 3,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'clockify-sync',
    types: pgTypeParsers as pg.CustomTypesConfig,
  });
  // an idle client losing its connection must not crash the process; the next query reports it
  pool.on('error', () => {});
  return pool;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);

/** Remove the password from any text that might reach a user. */
export function maskSecret(text: string, t: PostgresTarget): string {
  return t.password && t.password.length > 0 ? text.split(t.password).join('***') : text;
}

/** Is this error a lost or refused connection (as opposed to an SQL error)? */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code && (NETWORK_CODES.has(e.code) || e.code.startsWith('08') || e.code === '57P01' || e.code === '57P03')) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connection timeout|connection error and is not queryable/i.test(e?.message ?? '');
}

/** A connection failure as a SyncError that says what to check; never contains the password. */
export function unreachableError(err: unknown, t: PostgresTarget): SyncError {
  const e = err as { code?: string; message?: string };
  const raw = maskSecret(String(e?.message ?? err), t);
  let what: string;
  if (e?.code === '28P01' || e?.code === '28000') {
    what = `authentication failed for user "${t.user}". Check the user and the password (in the URL, a password file or PGPASSWORD) and pg_hba.conf.`;
  } else if (e?.code === '3D000') {
    what = `database "${t.database}" does not exist. Create it (createdb ${t.database}) or fix the database name in the URL.`;
  } else if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') {
    what = `host "${t.host}" was not found. Check the host name in the URL.`;
  } else {
    what = `the server did not accept a connection (${raw}). Check that PostgreSQL is running on ${t.host}:${t.port} and accepts TCP connections from here (listen_addresses, firewall).`;
  }
  return new SyncError('DESTINATION_UNREACHABLE', `Cannot connect to PostgreSQL at ${t.description}: ${what}`, {
    kind: 'destination',
    hint: 'Check the --destination URL, that the server is up, and the credentials.',
    cause: new Error(raw),
  });
}

/** Any other database error during a step, as a SyncError (connection losses stay UNREACHABLE). */
export function destinationError(err: unknown, t: PostgresTarget, step: string): SyncError {
  if (err instanceof SyncError) return err;
  if (isConnectionError(err)) {
    const raw = maskSecret(String((err as Error)?.message ?? err), t);
    return new SyncError('DESTINATION_UNREACHABLE', `Lost the connection to PostgreSQL at ${t.description} while ${step} (${raw}). The open transaction was not committed, so the destination keeps its previous state.`, {
      kind: 'destination',
      hint: 'Check that the server is up and reachable, then run the sync again: it resumes from the last committed state.',
      cause: new Error(raw),
    });
  }
  const e = err as { code?: string; message?: string; detail?: string; where?: string };
  const parts = [e?.message ?? String(err)];
  if (e?.detail) parts.push(e.detail);
  if (e?.where) parts.push(`(${e.where.split('\n')[0]})`);
  const msg = maskSecret(parts.join(' '), t).slice(0, 2000);
  return new SyncError('DESTINATION_WRITE_FAILED', `PostgreSQL ${t.description}: ${step} failed: ${msg}`, {
    kind: 'destination',
    cause: new Error(msg),
  });
}
