import { createClockifyClient, type ClockifyClient } from '../clockify/client.ts';
import { readJobCredentials, type ResolvedJob } from '../config/index.ts';
import { createDestination } from '../destinations/index.ts';
import type { Destination } from '../destinations/destination.ts';

/**
 * The HTTP client a resolved job describes (credentials read here, never logged). `limits`
 * lets a command fail fast (e.g. `check` does not retry an unreachable host for a minute).
 */
export function clientForJob(job: ResolvedJob, limits: { maxRetries?: number; maxRetryAfterMs?: number } = {}, env: NodeJS.ProcessEnv = process.env): ClockifyClient {
  const creds = readJobCredentials(job, env);
  return createClockifyClient({
    hosts: job.endpoints,
    apiKey: creds.apiKey,
    addonToken: creds.addonToken,
    requestsPerSecond: job.requestsPerSecond,
    concurrency: job.concurrency,
    timeoutMs: job.timeoutMs,
    ...limits,
  });
}

/** The destination a resolved job names (not opened yet). */
export function destinationForJob(job: ResolvedJob, extra: { csvBom?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): Destination {
  const { kind, target } = job.destination;
  const spec = kind === 'postgres' ? target : `${kind}:${target}`;
  // The default schema (clockify) is PostgreSQL's; DuckDB keeps its tables in `main` unless a
  // schema is asked for, so `SELECT … FROM time_entries` works on the file as it is.
  const schema = kind === 'postgres' || job.origins.schema !== 'default' ? job.schema : undefined;
  return createDestination(spec, { schema, csvBom: extra.csvBom, password: env.PGPASSWORD || undefined, duckdbMemoryLimit: env.CLOCKIFY_DUCKDB_MEMORY_LIMIT || undefined });
}
