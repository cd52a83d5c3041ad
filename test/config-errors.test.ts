import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigFlags } from '../src/config/index.ts';
import { SyncError } from '../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'config-errors-'));
let n = 0;
function file(text: string, ext = 'yaml'): string {
  const path = join(dir, `c${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

/** Loads and returns the thrown SyncError (fails when nothing is thrown). */
function failure(opts: { yaml?: string; json?: string; env?: NodeJS.ProcessEnv; flags?: ConfigFlags; path?: string }): SyncError {
  const path = opts.path ?? (opts.yaml !== undefined ? file(opts.yaml) : opts.json !== undefined ? file(opts.json, 'json') : undefined);
  try {
    loadConfig({ file: path, env: opts.env ?? {}, flags: opts.flags });
  } catch (err) {
    assert.ok(err instanceof SyncError, `expected a SyncError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected loadConfig to throw');
}

function invalid(opts: Parameters<typeof failure>[0], ...expected: string[]): SyncError {
  const err = failure(opts);
  assert.equal(err.code, 'CONFIG_INVALID', err.message);
  assert.equal(err.exitCode, 2);
  assert.equal(err.kind, 'config');
  for (const e of expected) assert.ok(err.message.includes(e), `message lacks ${JSON.stringify(e)}:\n${err.message}`);
  return err;
}

test('unknown keys: the key path, the closest key and the allowed keys', () => {
  invalid({ yaml: 'sources:\n  - name: a\n    mdoe: full\n' }, 'sources[0].mdoe: unknown key (did you mean "mode"?); allowed keys: name, apiKeyEnv,');
  invalid({ yaml: 'shedule: "0 * * * *"\n' }, 'shedule: unknown key (did you mean "schedule"?); allowed keys: version, schedule, log, defaults, sources, customStreams');
  invalid({ yaml: 'defaults:\n  reports:\n    timezone: UTC\n' }, 'defaults.reports.timezone: unknown key (did you mean "timeZone"?); allowed keys: groups, weeklyGroup, timeZone,');
  invalid({ yaml: 'log:\n  colour: true\n' }, 'log.colour: unknown key; allowed keys: level, format');
});

test('bad values: the key path, the value and the allowed values', () => {
  invalid({ yaml: 'sources:\n  - name: a\n    mode: fulll\n' }, 'sources[0].mode: "fulll" is not allowed (did you mean "full"?); allowed values: full, incremental');
  invalid({ yaml: 'defaults:\n  deletes: purge\n' }, 'defaults.deletes: "purge" is not allowed; allowed values: soft, hard');
  invalid({ yaml: 'defaults:\n  timeEntriesSource: api\n' }, 'allowed values: auto, users, report');
  invalid({ yaml: 'defaults:\n  plan: pro\n' }, 'defaults.plan: "pro" is not allowed; allowed values: free, paid');
  invalid({ yaml: 'defaults:\n  region: eu\n' }, 'defaults.region: "eu" is not allowed', 'allowed values: global, euc1, use2, euw2, apse2');
  invalid({ yaml: 'defaults:\n  requestsPerSecond: 100\n' }, 'defaults.requestsPerSecond: 100 must be at most 50');
  invalid({ yaml: 'defaults:\n  requestsPerSecond: 0\n' }, 'defaults.requestsPerSecond: 0 must be greater than 0');
  invalid({ yaml: 'defaults:\n  concurrency: 2.5\n' }, 'defaults.concurrency: 2.5 must be a whole number');
  invalid({ yaml: 'defaults:\n  timeoutMs: "5s"\n' }, 'defaults.timeoutMs: "5s" must be a number');
  invalid({ yaml: 'defaults:\n  destination: mysql://db/x\n' }, 'defaults.destination: "mysql://db/x" must be a destination such as duckdb:./clockify.duckdb, postgres://');
  invalid({ yaml: 'defaults:\n  destination: "csv:"\n' }, 'a path is needed after "csv:"');
  invalid({ yaml: 'defaults:\n  updateWindow: 7days\n' }, 'defaults.updateWindow: "7days" must be a duration such as 7d, 48h or 2w', '"lock"');
  invalid({ yaml: 'defaults:\n  startDate: 2024-02-30\n' }, 'defaults.startDate: "2024-02-30" must be a date YYYY-MM-DD');
  invalid({ yaml: 'defaults:\n  workspaces: [abc]\n' }, 'defaults.workspaces[0]: "abc" must be a workspace id (24 hex characters');
  invalid({ yaml: 'defaults:\n  baseUrl: ftp://x\n' }, 'defaults.baseUrl: "ftp://x" must be an http:// or https:// URL');
  invalid({ yaml: 'defaults:\n  schema: 1abc\n' }, 'defaults.schema: "1abc" must be a name of letters, digits and _');
  invalid({ yaml: 'defaults:\n  reports:\n    timeZone: Mars/Base\n' }, 'defaults.reports.timeZone: "Mars/Base" must be an IANA time zone');
  invalid({ yaml: 'defaults:\n  reports:\n    groups: [project, user, date, task]\n' }, 'defaults.reports.groups', 'must list 1 to 3 groups');
  invalid({ yaml: 'defaults:\n  reports:\n    groups: [projects]\n' }, 'defaults.reports.groups[0]: "projects" is not allowed (did you mean "PROJECT"?); allowed values: PROJECT, CLIENT, USER');
  invalid({ yaml: 'defaults:\n  reports:\n    weeklyGroup: tag\n' }, 'allowed values: USER, PROJECT');
  invalid({ yaml: 'defaults:\n  reports:\n    rounding: "yes"\n' }, 'defaults.reports.rounding: "yes" must be true or false');
  invalid({ yaml: 'schedule: "every hour"\n' }, 'schedule: "every hour" must be a cron expression');
  invalid({ yaml: 'schedule: "61 * * * *"\n' }, 'schedule: "61 * * * *" must be a valid cron expression');
  invalid({ yaml: 'log:\n  level: loud\n' }, 'log.level: "loud" is not allowed; allowed values: debug, info, warn, error');
  invalid({ yaml: 'sources:\n  - mode: full\n' }, 'sources[0].name: is required');
  invalid({ yaml: 'sources:\n  - name: a\n  - name: a\n' }, 'sources[1].name: "a" is already the name of sources[0]');
  invalid({ yaml: 'sources: {name: a}\n' }, 'sources: an object ({"name":"a"}) must be a list');
  invalid({ yaml: '- a\n- b\n' }, 'the file must hold a mapping of keys');
});

test('several problems are reported together, one line each', () => {
  const err = invalid({ yaml: 'defaults:\n  mode: fast\n  deletes: never\n  concurrency: 0\n' }, '3 problems');
  assert.equal(err.message.split('\n').filter((l) => l.startsWith('  - defaults.')).length, 3);
});

test('an inline apiKey (or token) is refused with why and what to use, without echoing it', () => {
  const secret = 'inline-secret-9d3b7f1e4a';
  const err = invalid(
    { yaml: `sources:\n  - name: a\n    apiKey: ${secret}\n` },
    'sources[0].apiKey: a key written in the config file is refused',
    'config files get committed',
    'apiKeyEnv: VAR_NAME',
    'apiKeyFile: PATH',
  );
  assert.ok(!err.message.includes(secret) && !(err.hint ?? '').includes(secret));
  invalid({ yaml: `defaults:\n  addonToken: ${secret}\n` }, 'defaults.addonToken: a token written in the config file is refused', 'addonTokenFile: PATH');
  const flagErr = failure({ flags: { apiKey: secret } });
  assert.equal(flagErr.code, 'CONFIG_INVALID');
  assert.ok(flagErr.message.includes('--api-key is refused') && !flagErr.message.includes(secret));
});

test('a PostgreSQL password never appears in an error message', () => {
  const err = invalid({ yaml: 'defaults:\n  destination: "postgres://bob:pw-77c1aa@/db"\n' }, 'postgres://bob:***@/db', 'cannot be parsed');
  assert.ok(!err.message.includes('pw-77c1aa'));
});

test('environment and flag errors are named by the variable or flag', () => {
  invalid({ env: { CLOCKIFY_MODE: 'fast' } }, 'environment', 'CLOCKIFY_MODE: "fast" is not allowed; allowed values: full, incremental');
  invalid({ env: { CLOCKIFY_CONCURRENCY: 'lots' } }, 'CLOCKIFY_CONCURRENCY: "lots" must be a number');
  invalid({ env: { CLOCKIFY_WORKSPACES: '64a687e29ae1f428e7ebe303,nope' } }, 'CLOCKIFY_WORKSPACES (item 2): "nope" must be a workspace id');
  invalid({ env: { CLOCKIFY_REPORT_TIME_ZONE: 'CET/Nowhere' } }, 'CLOCKIFY_REPORT_TIME_ZONE: "CET/Nowhere" must be an IANA time zone');
  invalid({ env: { CLOCKIFY_LOG_LEVEL: 'verbose' } }, 'CLOCKIFY_LOG_LEVEL: "verbose" is not allowed; allowed values: debug, info, warn, error');
  invalid({ env: { CLOCKIFY_SCHEDULE: '* * *' } }, 'CLOCKIFY_SCHEDULE: "* * *" must be a cron expression of 5 fields');
  invalid({ flags: { requestsPerSecond: '500' } }, 'command-line flags', '--requests-per-second: 500 must be at most 50');
  invalid({ flags: { destination: 'sqlite:x.db' } }, '--destination: "sqlite:x.db" must be a destination such as');
  invalid({ flags: { cron: '0 25 * * *' } }, '--cron: "0 25 * * *" must be a valid cron expression');
  invalid({ flags: { stream: ['a b'] } }, '--stream (item 1): "a b" must be a stream name');
});

test('malformed YAML and JSON: CONFIG_MALFORMED with line and column; missing file: CONFIG_NOT_FOUND', () => {
  const yaml = failure({ yaml: 'sources:\n  - name: a\n    mode: [full\n' });
  assert.equal(yaml.code, 'CONFIG_MALFORMED');
  assert.equal(yaml.exitCode, 2);
  assert.match(yaml.message, /is not valid YAML: line \d+, column \d+: /);
  const dup = failure({ yaml: 'log: {}\nlog: {}\n' });
  assert.equal(dup.code, 'CONFIG_MALFORMED');
  assert.match(dup.message, /line 2, column 1: Map keys must be unique/);
  const json = failure({ json: '{\n  "sources": [\n    {"name": "a",}\n  ]\n}\n' });
  assert.equal(json.code, 'CONFIG_MALFORMED');
  assert.match(json.message, /is not valid JSON: line 3, column 18: /);
  const missing = failure({ path: join(dir, 'nope.yaml') });
  assert.equal(missing.code, 'CONFIG_NOT_FOUND');
  assert.ok(missing.message.includes('nope.yaml'));
  const folder = join(dir, 'a-folder.yaml');
  mkdirSync(folder);
  assert.equal(failure({ path: folder }).code, 'CONFIG_NOT_FOUND');
});

test('an inline password is refused with where to put it instead', () => {
  const err = invalid({ yaml: 'sources:\n  - name: a\n    password: pw-0b8e2c11\n' }, 'sources[0].password: a password written in the config file is refused', 'PGPASSWORD');
  assert.ok(!err.message.includes('pw-0b8e2c11'));
});
