/**
 * loadConfig: file + environment + flags → one resolved job per source.
 * Precedence per setting: flags > environment > source in the file > file `defaults` > CONFIG_DEFAULTS.
 * Nothing here touches the network or a destination.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { registerSecret } from '../secrets.ts';
import { cronProblem, UPDATE_WINDOW_RE } from './config-checks.ts';
import { CONFIG_DEFAULTS } from './config-defaults.ts';
import { resolveHosts } from '../clockify/hosts.ts';
import { parseDestination } from './config-destination.ts';
import { envLayer, flagLayer, type ConfigFlags, type Layer } from './config-env.ts';
import { readConfigFile } from './config-file.ts';
import { invalidConfig, issueLines } from './config-issues.ts';
import { ConfigFileSchema, placeholdersOf, type ConfigFile, type CustomStreamInput, type Settings } from './config-schema.ts';
import { closest, showValue } from './config-suggest.ts';
import type {
  CredentialRef,
  CustomStreamConfig,
  LogFormat,
  LogLevelSetting,
  ReportOptions,
  ResolvedConfig,
  ResolvedJob,
  UpdateWindow,
} from './config-types.ts';

export interface LoadConfigOptions {
  /** Config file path (YAML or JSON); falls back to env CLOCKIFY_CONFIG; none = env + flags only. */
  file?: string;
  env: NodeJS.ProcessEnv;
  flags?: ConfigFlags;
  /** Built-in stream names; when given, stream names in the config are checked against them (+ custom streams). */
  knownStreams?: readonly string[];
  /** Folder for relative paths given by env or flags (default: process.cwd()). */
  cwd?: string;
}

type Origin = 'flag' | 'env' | 'file' | 'default';
interface SourcedLayer extends Layer {
  origin: Origin;
  /** Folder relative paths of this layer are resolved against. */
  baseDir: string;
}

const SECRET_KEYS = ['apiKey', 'addonToken', 'api_key', 'apikey', 'key', 'token', 'password'];

/** Refuses a key written into the config file, without ever echoing it. */
function refuseInlineSecrets(raw: unknown, file: string): void {
  if (!raw || typeof raw !== 'object') return;
  const blocks: [string, unknown][] = [['defaults', (raw as ConfigFile).defaults]];
  const sources = (raw as { sources?: unknown }).sources;
  if (Array.isArray(sources)) sources.forEach((s, i) => blocks.push([`sources[${i}]`, s]));
  const problems: string[] = [];
  for (const [path, block] of blocks) {
    if (!block || typeof block !== 'object') continue;
    for (const key of Object.keys(block)) {
      if (!SECRET_KEYS.includes(key)) continue;
      const value = (block as Record<string, unknown>)[key];
      if (typeof value === 'string') registerSecret(value);
      const token = /token/i.test(key);
      const noun = token ? 'token' : key === 'password' ? 'password' : 'key';
      problems.push(
        `${path}.${key}: a ${noun} written in the config file is refused (config files get committed, shared and printed); ` +
          (token
            ? 'use addonTokenEnv: VAR_NAME (the token in an environment variable) or addonTokenFile: PATH'
            : noun === 'password'
              ? 'give the database password in PGPASSWORD or ~/.pgpass, and the destination URL without it'
              : 'use apiKeyEnv: VAR_NAME (the key in an environment variable, e.g. CLOCKIFY_API_KEY) or apiKeyFile: PATH (a file holding only the key)'),
      );
    }
  }
  if (problems.length) throw invalidConfig(file, problems);
}

function fileLayer(settings: Settings | undefined, prefix: string, baseDir: string): SourcedLayer {
  const names: Record<string, string> = {};
  for (const key of Object.keys(settings ?? {})) names[key] = `${prefix}.${key}`;
  for (const key of Object.keys(settings?.reports ?? {})) names[`reports.${key}`] = `${prefix}.reports.${key}`;
  return { settings: settings ?? {}, names, origin: 'file', baseDir };
}

/** The highest layer (last in the list) giving `key`, with its value. */
function pick<K extends keyof Settings>(layers: SourcedLayer[], key: K): { value: Settings[K]; layer: SourcedLayer } | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const value = layers[i].settings[key];
    if (value !== undefined) return { value, layer: layers[i] };
  }
  return undefined;
}

function pickReport<K extends keyof ReportOptions>(layers: SourcedLayer[], key: K): ReportOptions[K] | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const value = (layers[i].settings.reports as Partial<ReportOptions> | undefined)?.[key];
    if (value !== undefined) return value as ReportOptions[K];
  }
  return undefined;
}

const CREDENTIAL_KEYS = ['apiKeyEnv', 'apiKeyFile', 'addonTokenEnv', 'addonTokenFile'] as const;

function resolveCredentials(layers: SourcedLayer[]): { ref: CredentialRef | null; origin: Origin } {
  for (let i = layers.length - 1; i >= 0; i--) {
    const { settings, names, baseDir, origin } = layers[i];
    const given = CREDENTIAL_KEYS.filter((k) => settings[k] !== undefined);
    if (!given.length) continue;
    if (given.length > 1) {
      throw invalidConfig(origin === 'file' ? 'config file' : origin === 'env' ? 'environment' : 'command-line flags', [
        `${given.map((k) => names[k]).join(' and ')}: give exactly one credential (Clockify refuses requests that carry two)`,
      ]);
    }
    const key = given[0];
    const value = settings[key] as string;
    const type = key.startsWith('apiKey') ? 'apiKey' : 'addonToken';
    const fromFile = key.endsWith('File');
    return {
      ref: { type, from: fromFile ? 'file' : 'env', name: fromFile && !isAbsolute(value) ? resolve(baseDir, value) : value, origin: names[key] },
      origin,
    };
  }
  return { ref: null, origin: 'default' };
}

function resolveEndpoints(layers: SourcedLayer[], origins: Record<string, Origin>, warnings: string[], source: string) {
  for (let i = layers.length - 1; i >= 0; i--) {
    const { settings, names, origin } = layers[i];
    if (settings.region !== undefined && settings.baseUrl !== undefined) {
      throw invalidConfig(origin === 'file' ? 'config file' : origin === 'env' ? 'environment' : 'command-line flags', [
        `${names.region} and ${names.baseUrl}: give either a region or a base URL, not both`,
      ]);
    }
    if (settings.region !== undefined) {
      origins.region = origin;
      const reports = pick(layers, 'reportsBaseUrl');
      if (reports) warnings.push(`${reports.layer.names.reportsBaseUrl} is ignored for source "${source}": it applies only with a base URL, and the region ${settings.region} decides the hosts.`);
      return { region: settings.region, endpoints: hostsOfRegion(settings.region) };
    }
    if (settings.baseUrl !== undefined) {
      origins.region = origin;
      const hosts = resolveHosts({ baseUrl: settings.baseUrl });
      const reportsGiven = pick(layers, 'reportsBaseUrl')?.value;
      return { region: 'global' as const, endpoints: { api: hosts.api, reports: reportsGiven ? reportsGiven.replace(/\/+$/, '') : hosts.reports } };
    }
  }
  origins.region = 'default';
  return { region: CONFIG_DEFAULTS.region, endpoints: hostsOfRegion(CONFIG_DEFAULTS.region) };
}

/** The hosts of a configured region ('global' = Clockify's global hosts). */
const hostsOfRegion = (region: string) => resolveHosts({ region: region === 'global' ? undefined : region });

function parseUpdateWindow(text: string): UpdateWindow {
  if (text === 'lock') return { kind: 'lock', text: 'lock' };
  const m = UPDATE_WINDOW_RE.exec(text)!;
  const unit = m[2] === 'h' ? 3_600_000 : m[2] === 'd' ? 86_400_000 : 7 * 86_400_000;
  return { kind: 'duration', text, ms: Number(m[1]) * unit };
}

function resolveCustomStream(s: CustomStreamInput): CustomStreamConfig {
  const d = CONFIG_DEFAULTS.customStream;
  const query = s.query ?? {};
  const { macros, workspace } = placeholdersOf([s.path, ...Object.values(query).flat().map(String), s.body === undefined ? '' : JSON.stringify(s.body)]);
  return {
    name: s.name,
    method: s.method ?? d.method,
    host: s.host ?? d.host,
    path: s.path,
    query,
    ...(s.body !== undefined ? { body: s.body } : {}),
    recordsPath: (s.recordsPath ?? d.recordsPath).replace(/^\$\./, ''),
    pagination: { kind: s.pagination?.kind ?? d.pagination.kind, pageSize: s.pagination?.pageSize ?? d.pagination.pageSize },
    primaryKey: s.primaryKey,
    macros,
    perWorkspace: workspace,
  };
}

function validateFile(raw: unknown, file: string): ConfigFile {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidConfig(file, [`the file must hold a mapping of keys (schedule, log, defaults, sources, customStreams), got ${showValue(raw)}`]);
  }
  refuseInlineSecrets(raw, file);
  const parsed = ConfigFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw invalidConfig(file, issueLines(parsed.error, raw, ConfigFileSchema));
  const names = new Map<string, number>();
  const problems: string[] = [];
  parsed.data.sources?.forEach((s, i) => {
    if (names.has(s.name)) problems.push(`sources[${i}].name: "${s.name}" is already the name of sources[${names.get(s.name)}]; source names must be unique`);
    names.set(s.name, i);
  });
  const streamNames = new Map<string, number>();
  parsed.data.customStreams?.forEach((s, i) => {
    if (streamNames.has(s.name)) problems.push(`customStreams[${i}].name: "${s.name}" is already the name of customStreams[${streamNames.get(s.name)}]`);
    streamNames.set(s.name, i);
  });
  if (problems.length) throw invalidConfig(file, problems);
  return parsed.data;
}

function selectedSourceNames(flags: ConfigFlags, env: NodeJS.ProcessEnv): { names: string[]; from: string } | undefined {
  const fromFlag = flags.source;
  if (fromFlag !== undefined && fromFlag !== '' && !(Array.isArray(fromFlag) && !fromFlag.length)) {
    const list = (Array.isArray(fromFlag) ? fromFlag : [fromFlag]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
    return { names: list, from: '--source' };
  }
  if (env.CLOCKIFY_SOURCE?.trim()) return { names: env.CLOCKIFY_SOURCE.split(',').map((s) => s.trim()).filter(Boolean), from: 'CLOCKIFY_SOURCE' };
  return undefined;
}

function resolveLog(flags: ConfigFlags, env: NodeJS.ProcessEnv, file: ConfigFile | undefined) {
  const levels = ['debug', 'info', 'warn', 'error'];
  const formats = ['text', 'json'];
  const check = (value: string | undefined, allowed: string[], name: string) => {
    if (value !== undefined && !allowed.includes(value)) {
      const guess = closest(value, allowed);
      throw invalidConfig(name.startsWith('-') ? 'command-line flags' : 'environment', [
        `${name}: ${showValue(value)} is not allowed${guess ? ` (did you mean "${guess}"?)` : ''}; allowed values: ${allowed.join(', ')}`,
      ]);
    }
    return value;
  };
  const flagLevel = flags.verbose ? 'debug' : flags.quiet ? 'warn' : check(flags.logLevel as string | undefined, levels, '--log-level');
  const level = flagLevel ?? check(env.CLOCKIFY_LOG_LEVEL?.trim() || undefined, levels, 'CLOCKIFY_LOG_LEVEL') ?? file?.log?.level ?? CONFIG_DEFAULTS.log.level;
  const format = (flags.json ? 'json' : undefined) ?? check(env.CLOCKIFY_LOG_FORMAT?.trim() || undefined, formats, 'CLOCKIFY_LOG_FORMAT') ?? file?.log?.format ?? CONFIG_DEFAULTS.log.format;
  return { level: level as LogLevelSetting, format: format as LogFormat };
}

function resolveSchedule(flags: ConfigFlags, env: NodeJS.ProcessEnv, file: ConfigFile | undefined): string | undefined {
  const fromFlag = typeof flags.cron === 'string' && flags.cron.trim() ? flags.cron.trim() : undefined;
  const fromEnv = env.CLOCKIFY_SCHEDULE?.trim() || undefined;
  const value = fromFlag ?? fromEnv;
  if (value !== undefined) {
    const problem = cronProblem(value);
    if (problem) throw invalidConfig(fromFlag ? 'command-line flags' : 'environment', [`${fromFlag ? '--cron' : 'CLOCKIFY_SCHEDULE'}: ${showValue(value)} ${problem}`]);
    return value;
  }
  return file?.schedule;
}

/** Builds one job from its layers (lowest first: file defaults, source, env, flags). */
function resolveJob(
  source: string,
  layers: SourcedLayer[],
  customStreams: CustomStreamConfig[],
  knownStreams: readonly string[] | undefined,
  warnings: string[],
): ResolvedJob {
  const origins: Record<string, Origin> = {};
  const get = <K extends keyof Settings>(key: K, fallback: NonNullable<Settings[K]>): NonNullable<Settings[K]> => {
    const hit = pick(layers, key);
    origins[key] = hit ? hit.layer.origin : 'default';
    return (hit?.value ?? fallback) as NonNullable<Settings[K]>;
  };
  const creds = resolveCredentials(layers);
  origins.credentials = creds.origin;
  const { region, endpoints } = resolveEndpoints(layers, origins, warnings, source);

  const destHit = pick(layers, 'destination');
  origins.destination = destHit ? destHit.layer.origin : 'default';
  const destination = parseDestination(destHit?.value ?? CONFIG_DEFAULTS.destination, destHit?.layer.baseDir ?? layers[layers.length - 1].baseDir);
  if (destination.kind === 'postgres' && destHit?.layer.origin === 'file' && new URL(destination.target).password) {
    warnings.push(`${destHit.layer.names.destination} holds a database password in the config file; prefer PGPASSWORD or ~/.pgpass and a URL without it.`);
  }

  const streamsHit = pick(layers, 'streams');
  origins.streams = streamsHit ? streamsHit.layer.origin : 'default';
  const streams = streamsHit?.value?.length ? [...new Set(streamsHit.value)] : null;
  if (streams && knownStreams) {
    const allowed = [...knownStreams, ...customStreams.map((c) => c.name)];
    const bad = streams.filter((s) => !allowed.includes(s));
    if (bad.length) {
      const where = streamsHit!.layer.names.streams;
      throw invalidConfig(streamsHit!.layer.origin === 'file' ? 'config file' : streamsHit!.layer.origin === 'env' ? 'environment' : 'command-line flags', bad.map((s) => {
        const guess = closest(s, allowed);
        return `${where}: unknown stream ${showValue(s)}${guess ? ` (did you mean "${guess}"?)` : ''}; allowed values: ${allowed.join(', ')}`;
      }));
    }
  }
  const reportDefaults = CONFIG_DEFAULTS.reports;
  const start = pickReport(layers, 'start');
  const end = pickReport(layers, 'end');
  const startDate = pick(layers, 'startDate');
  origins.startDate = startDate ? startDate.layer.origin : 'default';

  return {
    source,
    credentials: creds.ref,
    region,
    endpoints,
    workspaces: [...new Set((get('workspaces', []) as string[]).map((w) => w.toLowerCase()))],
    streams,
    destination,
    schema: get('schema', CONFIG_DEFAULTS.schema),
    mode: get('mode', CONFIG_DEFAULTS.mode),
    deletes: get('deletes', CONFIG_DEFAULTS.deletes),
    updateWindow: parseUpdateWindow(get('updateWindow', CONFIG_DEFAULTS.updateWindow)),
    ...(startDate ? { startDate: startDate.value } : {}),
    timeEntriesSource: get('timeEntriesSource', CONFIG_DEFAULTS.timeEntriesSource),
    requestsPerSecond: get('requestsPerSecond', CONFIG_DEFAULTS.requestsPerSecond),
    concurrency: get('concurrency', CONFIG_DEFAULTS.concurrency),
    timeoutMs: get('timeoutMs', CONFIG_DEFAULTS.timeoutMs),
    plan: get('plan', CONFIG_DEFAULTS.plan),
    reports: {
      groups: pickReport(layers, 'groups') ?? [...reportDefaults.groups],
      weeklyGroup: pickReport(layers, 'weeklyGroup') ?? reportDefaults.weeklyGroup,
      timeZone: pickReport(layers, 'timeZone') ?? reportDefaults.timeZone,
      rounding: pickReport(layers, 'rounding') ?? reportDefaults.rounding,
      amounts: pickReport(layers, 'amounts') ?? [...reportDefaults.amounts],
      ...(start !== undefined ? { start } : {}),
      ...(end !== undefined ? { end } : {}),
    },
    customStreams: streams ? customStreams.filter((c) => streams.includes(c.name)) : customStreams,
    origins,
  };
}

/**
 * Loads and resolves the configuration. Throws SyncError CONFIG_NOT_FOUND, CONFIG_MALFORMED
 * (with line and column) or CONFIG_INVALID (naming the key, the value and what is allowed).
 * Reads no secret: credentials are references (see readJobCredentials).
 */
export function loadConfig(opts: LoadConfigOptions): ResolvedConfig {
  const env = opts.env;
  const flags = opts.flags ?? {};
  const cwd = opts.cwd ?? process.cwd();
  const warnings: string[] = [];
  const fileArg = opts.file ?? (env.CLOCKIFY_CONFIG?.trim() || undefined);
  const filePath = fileArg ? resolve(cwd, fileArg) : undefined;
  const file = filePath ? validateFile(readConfigFile(filePath), filePath) : undefined;
  const fileDir = filePath ? dirname(filePath) : cwd;

  const envL: SourcedLayer = { ...envLayer(env, warnings), origin: 'env', baseDir: cwd };
  const flagL: SourcedLayer = { ...flagLayer(flags), origin: 'flag', baseDir: cwd };

  const customStreams = (file?.customStreams ?? []).map(resolveCustomStream);
  if (opts.knownStreams) {
    const clashes = customStreams.flatMap((c, i) => (opts.knownStreams!.includes(c.name) ? [`customStreams[${i}].name: "${c.name}" is already a built-in stream; choose another name`] : []));
    if (clashes.length) throw invalidConfig(filePath!, clashes);
  }

  const defaultsL = fileLayer(file?.defaults, 'defaults', fileDir);
  const sources = file?.sources?.length
    ? file.sources.map((s, i) => {
        const { name, ...settings } = s;
        return { name, layer: fileLayer(settings, `sources[${i}]`, fileDir) };
      })
    : [{ name: CONFIG_DEFAULTS.sourceName, layer: fileLayer({}, 'defaults', fileDir) }];

  const selection = selectedSourceNames(flags, env);
  let chosen = sources;
  if (selection) {
    const all = sources.map((s) => s.name);
    const unknown = selection.names.filter((n) => !all.includes(n));
    if (unknown.length) {
      throw invalidConfig(selection.from === '--source' ? 'command-line flags' : 'environment', unknown.map((n) => {
        const guess = closest(n, all);
        return `${selection.from}: no source is named ${showValue(n)}${guess ? ` (did you mean "${guess}"?)` : ''}; allowed values: ${all.join(', ')}`;
      }));
    }
    chosen = sources.filter((s) => selection.names.includes(s.name));
  }

  const overridingCredential = [envL, flagL].some((l) => CREDENTIAL_KEYS.some((k) => l.settings[k] !== undefined));
  const sourcesWithOwnKey = chosen.filter((s) => CREDENTIAL_KEYS.some((k) => s.layer.settings[k] !== undefined));
  if (overridingCredential && sourcesWithOwnKey.length > 1) {
    warnings.push(`A credential from the environment or flags overrides the credentials of sources ${sourcesWithOwnKey.map((s) => s.name).join(', ')}; use --source to run one of them.`);
  }

  const jobs = chosen.map((s) => resolveJob(s.name, [defaultsL, s.layer, envL, flagL], customStreams, opts.knownStreams, warnings));
  const targets = new Map<string, string>();
  for (const job of jobs) {
    const key = `${job.destination.target}#${job.schema}`;
    const other = targets.get(key);
    if (other) {
      warnings.push(`Sources "${other}" and "${job.source}" write to the same destination ${job.destination.description} and schema ${job.schema}; their state and tables are shared.`);
    }
    targets.set(key, job.source);
  }
  const schedule = resolveSchedule(flags, env, file);
  return {
    ...(filePath ? { file: filePath } : {}),
    jobs,
    ...(schedule ? { schedule } : {}),
    log: resolveLog(flags, env, file),
    customStreams,
    warnings,
  };
}
