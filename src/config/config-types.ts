/**
 * The resolved configuration: what the CLI and the pipeline read. It never holds a secret
 * itself, only where to find one (see CredentialRef and readJobCredentials).
 */

export const REGIONS = ['global', 'euc1', 'use2', 'euw2', 'apse2'] as const;
export const MODES = ['full', 'incremental'] as const;
export const DELETE_MODES = ['soft', 'hard'] as const;
export const TIME_ENTRIES_SOURCES = ['auto', 'users', 'report'] as const;
export const PLANS = ['free', 'paid'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const LOG_FORMATS = ['text', 'json'] as const;
export const DESTINATION_KINDS = ['duckdb', 'postgres', 'csv', 'jsonl', 'parquet', 'xlsx'] as const;
/** Summary report groups: the official enum plus USER (used widely, see REFERENCE.md §4). */
export const SUMMARY_GROUPS = ['PROJECT', 'CLIENT', 'USER', 'TASK', 'DATE', 'WEEK', 'MONTH', 'TIMEENTRY'] as const;
export const WEEKLY_GROUPS = ['USER', 'PROJECT'] as const;
export const AMOUNT_TYPES = ['EARNED', 'COST', 'PROFIT', 'HIDE_AMOUNT', 'EXPORT'] as const;
export const HTTP_METHODS = ['GET', 'POST'] as const;
export const PAGINATION_KINDS = ['none', 'page', 'body-page'] as const;
export const API_HOSTS = ['api', 'reports'] as const;

export type Region = (typeof REGIONS)[number];
export type SyncMode = (typeof MODES)[number];
export type DeleteMode = (typeof DELETE_MODES)[number];
export type TimeEntriesSource = (typeof TIME_ENTRIES_SOURCES)[number];
export type Plan = (typeof PLANS)[number];
export type LogLevelSetting = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

/** Where the credential is; the value is read only by readJobCredentials. */
export interface CredentialRef {
  type: 'apiKey' | 'addonToken';
  from: 'env' | 'file';
  /** Environment variable name (from: 'env') or absolute file path (from: 'file'). */
  name: string;
  /** Which setting supplied it, e.g. "sources[0].apiKeyEnv", "CLOCKIFY_API_KEY", "--api-key-file". */
  origin: string;
}

export interface ResolvedDestination {
  kind: DestinationKind;
  /** Absolute path for file destinations and DuckDB (or ":memory:"), the URL for PostgreSQL. */
  target: string;
  /** For messages and logs: the destination with any password masked. */
  description: string;
}

/** How far back an incremental sync re-reads entries: a duration, or back to the workspace lock date. */
export type UpdateWindow = { kind: 'duration'; text: string; ms: number } | { kind: 'lock'; text: 'lock' };

export interface ReportOptions {
  groups: string[];
  weeklyGroup: 'USER' | 'PROJECT';
  timeZone: string;
  rounding: boolean;
  amounts: string[];
  /** YYYY-MM-DD, an ISO date-time, or a {{macro}}; undefined = the sync's own window. */
  start?: string;
  end?: string;
}

export interface CustomStreamConfig {
  name: string;
  method: 'GET' | 'POST';
  /** Which Clockify host: the main API or the Reports API. */
  host: 'api' | 'reports';
  /** Relative to the host's base, e.g. "/workspaces/{workspaceId}/holidays". */
  path: string;
  query: Record<string, string | number | boolean | (string | number | boolean)[]>;
  body?: unknown;
  /** Dotted path to the records in the response ("timeentries", "expenses.expenses"), or "$" for a bare array. */
  recordsPath: string;
  pagination: { kind: 'none' | 'page' | 'body-page'; pageSize: number };
  primaryKey: string[];
  /** Macro names used in path, query or body ({{name}} placeholders). */
  macros: string[];
  /** True when the path or the request uses {workspaceId}: the stream runs once per workspace. */
  perWorkspace: boolean;
}

/** One sync job: a source with every setting resolved. */
export interface ResolvedJob {
  source: string;
  /** null when no credential was configured anywhere (commands that need one call readJobCredentials, which says what to do). */
  credentials: CredentialRef | null;
  region: Region;
  /** Main API base (…/api/v1) and Reports API base (…/v1 or …/report/v1). */
  endpoints: { api: string; reports: string };
  /** Empty list: every workspace the key can see. */
  workspaces: string[];
  /** null: every stream (built-in and custom). */
  streams: string[] | null;
  destination: ResolvedDestination;
  schema: string;
  mode: SyncMode;
  deletes: DeleteMode;
  updateWindow: UpdateWindow;
  /** YYYY-MM-DD or ISO date-time; undefined = all history. */
  startDate?: string;
  timeEntriesSource: TimeEntriesSource;
  requestsPerSecond: number;
  concurrency: number;
  timeoutMs: number;
  plan: Plan;
  reports: ReportOptions;
  /** The custom streams this job syncs (all declared ones when `streams` is null, else those listed). */
  customStreams: CustomStreamConfig[];
  /** For each setting, where its value came from. */
  origins: Record<string, 'flag' | 'env' | 'file' | 'default'>;
}

export interface ResolvedConfig {
  /** Absolute path of the config file read, if any. */
  file?: string;
  jobs: ResolvedJob[];
  /** Cron expression for `schedule`, if configured. */
  schedule?: string;
  log: { level: LogLevelSetting; format: LogFormat };
  customStreams: CustomStreamConfig[];
  /** Non-fatal remarks for the CLI to log (e.g. an unknown CLOCKIFY_* variable). */
  warnings: string[];
}
