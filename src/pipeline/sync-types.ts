/** Options and result of `runSync` (src/pipeline/run-sync.ts). */
import type { StreamDef } from '../streams/stream-types.ts';
import type { ClockifyClient } from '../clockify/client.ts';
import type { Destination, WriteCounts } from '../destinations/destination.ts';
import type { SyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TimeEntriesSource, UpdateWindowOption } from './time-entry-plan.ts';

export interface SyncOptions {
  client: ClockifyClient;
  destination: Destination;
  /** Workspace ids; default: every workspace the key can see. */
  workspaces?: string[];
  /** Stream names; default: all (built-in and custom). */
  streams?: string[];
  /** Extra rows of the stream table: custom streams from the config file (see src/streams/custom-streams.ts). */
  customStreams?: StreamDef[];
  /**
   * `full`: every stream reread, rows gone from Clockify deleted (soft/hard). `incremental`:
   * entity streams reread in full, time entries only in [savepoint − updateWindow, now) plus
   * running timers and the change feed. Default: incremental for a workspace once a sync of it
   * has completed (state in the destination), full before.
   */
  mode?: 'full' | 'incremental';
  deletes?: 'soft' | 'hard';
  /** Incremental window before the previous savepoint (default 7 days), or the workspace lock date. */
  updateWindow?: UpdateWindowOption;
  /** Time entries before this instant are not read (a first run's savepoint; default: all history). */
  startDate?: Date;
  /** Where time entries come from (default auto: fewer requests). */
  timeEntriesSource?: 'auto' | TimeEntriesSource;
  /** `free`: warn when a workspace's run needs more than 30 requests (new Free plans: 30 per hour per workspace). */
  plan?: 'free' | 'paid';
  /** Per-user partitions of time entries fetched ahead (extractor default 4). */
  concurrency?: number;
  /** Rows per batch handed to the destination (loader default 50,000; it commits every 450,000 rows). */
  batchRows?: number;
  /** Rows of finished partitions per commit (loader default 450,000, or `batchRows` when only that is given). */
  commitRows?: number;
  /**
   * Whole-history time-entry pages that fit the schema are flattened to CSV byte by byte
   * (json-flatten.ts) and loaded by the destination when it can (DuckDB: `capabilities.flatPages`);
   * default true. False: every page is parsed and normalized in JavaScript.
   */
  rawPages?: boolean;
  log: Logger;
  /** Progress callback per stream and workspace (cumulative counts). */
  onProgress?: (stream: string, workspaceId: string, counts: { rows: number; requests: number; done?: boolean }) => void;
  now?: () => Date;
}

export interface SyncResult {
  runId: string;
  startedAt: Date;
  endedAt: Date;
  status: 'succeeded' | 'failed' | 'incomplete';
  workspaces: { id: string; name: string }[];
  tables: Record<string, WriteCounts>;
  requests: number;
  durationMs: number;
  warnings: string[];
  /** Streams that finished with some partitions skipped (status `incomplete`, exit status 3). */
  incomplete?: string[];
  /** How each workspace's time entries were read (absent when the stream was not selected). */
  timeEntries: Record<string, TimeEntriesSummary>;
  error?: SyncError;
}

export interface TimeEntriesSummary {
  mode: 'full' | 'incremental';
  source: TimeEntriesSource;
  sourceReason: string;
  /** Start of the window read (null: all history). */
  windowStart: Date | null;
  resumed: boolean;
  /** Users skipped because an interrupted run had already read them. */
  usersSkipped: number;
  feed: 'used' | 'unavailable' | 'not-needed';
  feedChanges: { upserted: number; deleted: number };
  running: number;
  /** Requests this workspace took (entity streams included). */
  requests: number;
}

/** New Free plans: 30 requests per hour per workspace. */
export const FREE_PLAN_REQUESTS_PER_HOUR = 30;
