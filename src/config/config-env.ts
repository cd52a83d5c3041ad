/**
 * The environment and flag layers: which variables and flags exist, and how they become the
 * same settings the config file has (validated by the same schema, errors named by variable or flag).
 */
import { SettingsSchema, type Settings } from './config-schema.ts';
import { invalidConfig, issueLines, type Path } from './config-issues.ts';
import { closest } from './config-suggest.ts';
import { configError } from '../errors.ts';
import { registerSecret } from '../secrets.ts';

/** Variables that hold a per-source setting (applied to every selected source). */
export const ENV_SETTINGS: Record<string, string> = {
  CLOCKIFY_API_KEY_FILE: 'apiKeyFile',
  CLOCKIFY_ADDON_TOKEN_FILE: 'addonTokenFile',
  CLOCKIFY_REGION: 'region',
  CLOCKIFY_BASE_URL: 'baseUrl',
  CLOCKIFY_REPORTS_BASE_URL: 'reportsBaseUrl',
  CLOCKIFY_WORKSPACES: 'workspaces',
  CLOCKIFY_STREAMS: 'streams',
  CLOCKIFY_DESTINATION: 'destination',
  CLOCKIFY_SCHEMA: 'schema',
  CLOCKIFY_MODE: 'mode',
  CLOCKIFY_DELETES: 'deletes',
  CLOCKIFY_UPDATE_WINDOW: 'updateWindow',
  CLOCKIFY_START_DATE: 'startDate',
  CLOCKIFY_TIME_ENTRIES_SOURCE: 'timeEntriesSource',
  CLOCKIFY_REQUESTS_PER_SECOND: 'requestsPerSecond',
  CLOCKIFY_CONCURRENCY: 'concurrency',
  CLOCKIFY_TIMEOUT_MS: 'timeoutMs',
  CLOCKIFY_PLAN: 'plan',
  CLOCKIFY_REPORT_TIME_ZONE: 'reports.timeZone',
};

/** Every variable clockify-sync reads, with what it does (for --help and the README). */
export const ENV_VARS: Record<string, string> = {
  CLOCKIFY_CONFIG: 'path of the config file (like --config)',
  CLOCKIFY_SOURCE: 'source name(s) of the config file to run, comma-separated (like --source)',
  CLOCKIFY_API_KEY: 'the API key itself (preferred over a file only in CI secret stores)',
  CLOCKIFY_API_KEY_FILE: 'a file holding the API key (like --api-key-file)',
  CLOCKIFY_ADDON_TOKEN: 'a Marketplace add-on token instead of an API key',
  CLOCKIFY_ADDON_TOKEN_FILE: 'a file holding the add-on token (like --addon-token-file)',
  CLOCKIFY_REGION: 'global, euc1, use2, euw2 or apse2',
  CLOCKIFY_BASE_URL: 'main API base URL, e.g. https://euc1.clockify.me/api/v1 (overrides the region)',
  CLOCKIFY_REPORTS_BASE_URL: 'Reports API base URL (with CLOCKIFY_BASE_URL)',
  CLOCKIFY_WORKSPACES: 'workspace ids, comma-separated (default: every workspace the key sees)',
  CLOCKIFY_STREAMS: 'stream names, comma-separated (default: all)',
  CLOCKIFY_DESTINATION: 'duckdb:FILE, postgres://…, csv:DIR, jsonl:DIR, parquet:DIR or xlsx:FILE',
  CLOCKIFY_SCHEMA: 'database schema (or table prefix) to write to',
  CLOCKIFY_MODE: 'full or incremental',
  CLOCKIFY_DELETES: 'soft or hard',
  CLOCKIFY_UPDATE_WINDOW: 'how far back incremental syncs re-read: 7d, 48h, 2w or lock',
  CLOCKIFY_START_DATE: 'earliest date to sync (YYYY-MM-DD)',
  CLOCKIFY_TIME_ENTRIES_SOURCE: 'auto, users or report',
  CLOCKIFY_REQUESTS_PER_SECOND: 'request rate limit per source (max 50)',
  CLOCKIFY_CONCURRENCY: 'requests in flight at once (1-32)',
  CLOCKIFY_TIMEOUT_MS: 'HTTP request timeout in milliseconds',
  CLOCKIFY_PLAN: 'free or paid (report date-range limits)',
  CLOCKIFY_REPORT_TIME_ZONE: 'IANA time zone for reports',
  CLOCKIFY_SCHEDULE: 'cron expression for the schedule command',
  CLOCKIFY_LOG_LEVEL: 'debug, info, warn or error',
  CLOCKIFY_LOG_FORMAT: 'text or json',
  CLOCKIFY_DUCKDB_MEMORY_LIMIT: "DuckDB's memory limit, e.g. 1GB (default for a database file: 64MB, raised for large transactions)",
  CLOCKIFY_RAW_PAGES: '0: parse and normalize every time-entry page in JavaScript instead of flattening the pages that fit the schema to CSV for DuckDB',
};

/** Flags the CLI may pass (commander's camelCase names), mapped to settings. */
export interface ConfigFlags {
  source?: string | string[];
  apiKeyFile?: string;
  addonTokenFile?: string;
  region?: string;
  baseUrl?: string;
  reportsBaseUrl?: string;
  workspaces?: string | string[];
  /** Alias of workspaces (a repeatable --workspace flag). */
  workspace?: string | string[];
  streams?: string | string[];
  /** Alias of streams (a repeatable --stream flag). */
  stream?: string | string[];
  destination?: string;
  schema?: string;
  mode?: string;
  deletes?: string;
  updateWindow?: string;
  startDate?: string;
  timeEntriesSource?: string;
  requestsPerSecond?: number | string;
  concurrency?: number | string;
  timeoutMs?: number | string;
  plan?: string;
  reportTimeZone?: string;
  /** Cron expression (schedule --cron). */
  cron?: string;
  logLevel?: string;
  verbose?: boolean;
  quiet?: boolean;
  json?: boolean;
  /** Any other option commander passes is ignored. */
  [other: string]: unknown;
}

const FLAG_SETTINGS: Record<string, string> = {
  apiKeyFile: 'apiKeyFile',
  addonTokenFile: 'addonTokenFile',
  region: 'region',
  baseUrl: 'baseUrl',
  reportsBaseUrl: 'reportsBaseUrl',
  workspaces: 'workspaces',
  workspace: 'workspaces',
  streams: 'streams',
  stream: 'streams',
  destination: 'destination',
  schema: 'schema',
  mode: 'mode',
  deletes: 'deletes',
  updateWindow: 'updateWindow',
  startDate: 'startDate',
  timeEntriesSource: 'timeEntriesSource',
  requestsPerSecond: 'requestsPerSecond',
  concurrency: 'concurrency',
  timeoutMs: 'timeoutMs',
  plan: 'plan',
  reportTimeZone: 'reports.timeZone',
};

const NUMERIC = new Set(['requestsPerSecond', 'concurrency', 'timeoutMs']);
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** One layer of settings plus, for each setting, the name of the variable or flag that gave it. */
export interface Layer {
  settings: Settings;
  names: Record<string, string>;
}

function setSetting(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key.startsWith('reports.')) {
    const reports = (target.reports ??= {}) as Record<string, unknown>;
    reports[key.slice('reports.'.length)] = value;
  } else target[key] = value;
}

function toNumberIfNumeric(key: string, value: unknown): unknown {
  if (NUMERIC.has(key) && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return value;
}

function validateLayer(raw: Record<string, unknown>, names: Record<string, string>, where: string): Layer {
  const namer = (path: Path) => {
    const key = path[0] === 'reports' && path.length > 1 ? `reports.${String(path[1])}` : String(path[0]);
    const idx = path.find((p) => typeof p === 'number');
    return `${names[key] ?? key}${idx !== undefined ? ` (item ${Number(idx) + 1})` : ''}`;
  };
  const parsed = SettingsSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw invalidConfig(where, issueLines(parsed.error, raw, SettingsSchema, namer));
  return { settings: parsed.data, names };
}

/** The settings given by environment variables; unknown CLOCKIFY_* variables become warnings. */
export function envLayer(env: NodeJS.ProcessEnv, warnings: string[]): Layer {
  const raw: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  for (const [name, key] of Object.entries(ENV_SETTINGS)) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    setSetting(raw, key, toNumberIfNumeric(key, value.trim()));
    names[key] = name;
  }
  // The key itself from the environment: recorded as a reference, never copied.
  if (env.CLOCKIFY_API_KEY?.trim()) {
    registerSecret(env.CLOCKIFY_API_KEY.trim());
    raw.apiKeyEnv = 'CLOCKIFY_API_KEY';
    names.apiKeyEnv = 'CLOCKIFY_API_KEY';
  }
  if (env.CLOCKIFY_ADDON_TOKEN?.trim()) {
    registerSecret(env.CLOCKIFY_ADDON_TOKEN.trim());
    raw.addonTokenEnv = 'CLOCKIFY_ADDON_TOKEN';
    names.addonTokenEnv = 'CLOCKIFY_ADDON_TOKEN';
  }
  for (const name of Object.keys(env)) {
    if (!name.startsWith('CLOCKIFY_') || name.startsWith('CLOCKIFY_SYNC_') || name in ENV_VARS) continue;
    const guess = closest(name, Object.keys(ENV_VARS));
    warnings.push(`Unknown environment variable ${name} is ignored${guess ? ` (did you mean ${guess}?)` : ''}.`);
  }
  return validateLayer(raw, names, 'environment');
}

/** The settings given by command-line flags (other options commander passes are ignored). */
export function flagLayer(flags: ConfigFlags): Layer {
  for (const secretFlag of ['apiKey', 'addonToken', 'key', 'token']) {
    if (flags[secretFlag] !== undefined) {
      if (typeof flags[secretFlag] === 'string') registerSecret(flags[secretFlag] as string);
      throw configError(
        'CONFIG_INVALID',
        `--${kebab(secretFlag)} is refused: a key on the command line ends up in shell history and process lists.`,
        'Set CLOCKIFY_API_KEY, or pass --api-key-file PATH (a file holding only the key).',
      );
    }
  }
  const raw: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  for (const [flag, key] of Object.entries(FLAG_SETTINGS)) {
    const value = flags[flag];
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    setSetting(raw, key, toNumberIfNumeric(key, value));
    names[key] = `--${kebab(flag)}`;
  }
  return validateLayer(raw, names, 'command-line flags');
}
