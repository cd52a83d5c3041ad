/**
 * THE config schema (zod 4): one place for every key of clockify-sync.yaml / .json, and for the
 * same settings when they come from the environment or flags. Every object is strict: an unknown
 * key is refused (config-issues.ts turns the issue into a message that suggests the closest key).
 */
import { z } from 'zod';
import {
  cronProblem,
  dateProblem,
  destinationProblem,
  timeZoneProblem,
  updateWindowProblem,
  urlProblem,
  WORKSPACE_ID_RE,
} from './config-checks.ts';
import {
  AMOUNT_TYPES,
  API_HOSTS,
  DELETE_MODES,
  HTTP_METHODS,
  LOG_FORMATS,
  LOG_LEVELS,
  MODES,
  PAGINATION_KINDS,
  PLANS,
  REGIONS,
  SUMMARY_GROUPS,
  TIME_ENTRIES_SOURCES,
  WEEKLY_GROUPS,
} from './config-types.ts';

/** A string checked by one of config-checks.ts (its message names what is allowed). */
const checked = (problem: (s: string) => string | null) =>
  z.string().superRefine((value, ctx) => {
    const p = problem(value);
    if (p) ctx.addIssue({ code: 'custom', message: p, input: value });
  });

const upper = (v: unknown) => (typeof v === 'string' ? v.toUpperCase() : v);
const upperEnum = <T extends readonly [string, ...string[]]>(values: T) => z.preprocess(upper, z.enum(values));
/** A list given as YAML/JSON list, or as one comma-separated string. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
    z.array(item),
  );

export const ENV_VAR_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as ACME_CLOCKIFY_KEY');
const filePath = z.string().min(1, 'must be a file path');

export const ReportOptionsSchema = z.strictObject({
  groups: list(upperEnum(SUMMARY_GROUPS)).refine((g) => g.length >= 1 && g.length <= 3, 'must list 1 to 3 groups').optional(),
  weeklyGroup: upperEnum(WEEKLY_GROUPS).optional(),
  timeZone: checked(timeZoneProblem).optional(),
  rounding: z.boolean().optional(),
  amounts: list(upperEnum(AMOUNT_TYPES)).optional(),
  start: checked((s) => dateProblem(s, true)).optional(),
  end: checked((s) => dateProblem(s, true)).optional(),
});

/** Every setting a source can have; each may also come from defaults, the environment or flags. */
export const settingsShape = {
  apiKeyEnv: ENV_VAR_NAME.optional(),
  apiKeyFile: filePath.optional(),
  addonTokenEnv: ENV_VAR_NAME.optional(),
  addonTokenFile: filePath.optional(),
  region: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(REGIONS)).optional(),
  baseUrl: checked(urlProblem).optional(),
  reportsBaseUrl: checked(urlProblem).optional(),
  workspaces: list(z.string().regex(WORKSPACE_ID_RE, 'must be a workspace id (24 hex characters; `clockify-sync check` lists them)')).optional(),
  streams: list(z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'must be a stream name (`clockify-sync discover` lists them)')).optional(),
  destination: checked(destinationProblem).optional(),
  schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a name of letters, digits and _ (not starting with a digit)').optional(),
  mode: z.enum(MODES).optional(),
  deletes: z.enum(DELETE_MODES).optional(),
  updateWindow: checked(updateWindowProblem).optional(),
  startDate: checked((s) => dateProblem(s, false)).optional(),
  timeEntriesSource: z.enum(TIME_ENTRIES_SOURCES).optional(),
  requestsPerSecond: z.number().positive().max(50).optional(),
  concurrency: z.int().min(1).max(32).optional(),
  timeoutMs: z.int().min(1000).max(600_000).optional(),
  plan: z.enum(PLANS).optional(),
  reports: ReportOptionsSchema.optional(),
};

export const SettingsSchema = z.strictObject(settingsShape);
export type Settings = z.infer<typeof SettingsSchema>;

export const SourceSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be a name of letters, digits, - and _'),
  ...settingsShape,
});

const PLACEHOLDER_RE = /\{\{([^{}]*)\}\}|\{([^{}]*)\}/g;
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const CustomStreamSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a lowercase name of letters, digits and _ (it becomes a table name)'),
    method: upperEnum(HTTP_METHODS).optional(),
    host: z.enum(API_HOSTS).optional(),
    path: z.string().regex(/^\/\S*$/, 'must start with "/" (relative to the API base), e.g. /workspaces/{workspaceId}/holidays'),
    query: z.record(z.string(), z.union([scalar, z.array(scalar)])).optional(),
    body: z.unknown().optional(),
    recordsPath: z
      .string()
      .regex(/^(\$|(\$\.)?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)$/, 'must be "$" (the response is the list) or a dotted path such as timeentries or expenses.expenses')
      .optional(),
    pagination: z
      .preprocess(
        (v) => (typeof v === 'string' ? { kind: v } : v),
        z.strictObject({ kind: z.enum(PAGINATION_KINDS), pageSize: z.int().min(1).max(5000).optional() }),
      )
      .optional(),
    primaryKey: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string().min(1)).min(1, 'must name at least one field')),
  })
  .superRefine((s, ctx) => {
    const method = s.method ?? 'GET';
    if (s.body !== undefined && method !== 'POST') {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'is only allowed with method: POST', input: s.body });
    }
    if (s.pagination?.kind === 'body-page' && method !== 'POST') {
      ctx.addIssue({ code: 'custom', path: ['pagination', 'kind'], message: '"body-page" needs method: POST (page and pageSize go in the JSON body)', input: 'body-page' });
    }
    for (const m of s.path.matchAll(PLACEHOLDER_RE)) {
      if (m[2] !== undefined && m[2] !== 'workspaceId') {
        ctx.addIssue({ code: 'custom', path: ['path'], message: `has an unknown placeholder {${m[2]}}; allowed: {workspaceId} and {{macro}}`, input: s.path });
      }
      if (m[1] !== undefined && !m[1].trim()) {
        ctx.addIssue({ code: 'custom', path: ['path'], message: 'has an empty {{}} macro placeholder', input: s.path });
      }
    }
  });
export type CustomStreamInput = z.infer<typeof CustomStreamSchema>;

export const LogSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).optional(),
  format: z.enum(LOG_FORMATS).optional(),
});

export const ConfigFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  schedule: checked(cronProblem).optional(),
  log: LogSchema.optional(),
  defaults: SettingsSchema.optional(),
  sources: z.array(SourceSchema).optional(),
  customStreams: z.array(CustomStreamSchema).optional(),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** Placeholders used by a custom stream: macro names and whether {workspaceId} appears. */
export function placeholdersOf(texts: string[]): { macros: string[]; workspace: boolean } {
  const macros = new Set<string>();
  let workspace = false;
  for (const t of texts) {
    for (const m of t.matchAll(PLACEHOLDER_RE)) {
      if (m[1] !== undefined) macros.add(m[1].trim());
      else if (m[2] === 'workspaceId') workspace = true;
    }
  }
  return { macros: [...macros], workspace };
}

/**
 * JSON Schema of the config file, for editors (e.g. `# yaml-language-server: $schema=…`).
 * The shorthands the loader accepts are added: a comma-separated string for a list of
 * strings, lowercase for uppercase enums, and `pagination: page` for `{ kind: page }`.
 */
export function configJsonSchema(): Record<string, unknown> {
  const base = z.toJSONSchema(ConfigFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const widen = (node: unknown, key?: string): unknown => {
    if (Array.isArray(node)) return node.map((x) => widen(x));
    if (!node || typeof node !== 'object') return node;
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) o[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, widen(pv, pk)])) : widen(v);
    if (Array.isArray(o.enum) && o.enum.every((x) => typeof x === 'string' && x === x.toUpperCase() && /[A-Z]/.test(x))) {
      o.enum = [...(o.enum as string[]), ...(o.enum as string[]).map((x) => x.toLowerCase())];
    }
    const items = o.items as Record<string, unknown> | undefined;
    if (o.type === 'array' && (items?.type === 'string' || Array.isArray(items?.enum))) return { anyOf: [o, { type: 'string' }] };
    if (key === 'pagination') return { anyOf: [o, { type: 'string', enum: [...PAGINATION_KINDS] }] };
    return o;
  };
  return { title: 'clockify-sync configuration', ...(widen(base) as Record<string, unknown>) };
}
