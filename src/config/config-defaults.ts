/** The defaults every setting falls back to (lowest precedence: flags > env > file > these). */
export const CONFIG_DEFAULTS = {
  /** Name of the single source when no config file (or a file without `sources`) is used. */
  sourceName: 'default',
  region: 'global',
  destination: 'duckdb:./clockify.duckdb',
  schema: 'clockify',
  mode: 'incremental',
  deletes: 'soft',
  updateWindow: '7d',
  timeEntriesSource: 'auto',
  /** REFERENCE.md §2: about 10 req/s per key is the documented-safe pace for X-Api-Key. */
  requestsPerSecond: 10,
  concurrency: 4,
  timeoutMs: 30_000,
  /** "free" keeps report windows ≤ 31 days, which works on every plan. */
  plan: 'free',
  reports: {
    groups: ['PROJECT', 'USER', 'DATE'],
    weeklyGroup: 'USER',
    timeZone: 'UTC',
    rounding: false,
    amounts: ['EARNED', 'COST', 'PROFIT'],
  },
  log: { level: 'info', format: 'text' },
  customStream: {
    method: 'GET',
    host: 'api',
    recordsPath: '$',
    pagination: { kind: 'none', pageSize: 50 },
  },
} as const;

