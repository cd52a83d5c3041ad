import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_DEFAULTS, loadConfig, readJobCredentials } from '../src/config/index.ts';
import { SyncError } from '../src/errors.ts';
import { redact } from '../src/secrets.ts';

const dir = mkdtempSync(join(tmpdir(), 'config-load-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const WS1 = '64a687e29ae1f428e7ebe303';
const WS2 = '64a687e29ae1f428e7ebe304';

test('no file, no env, no flags: one "default" job made of CONFIG_DEFAULTS', () => {
  const cfg = loadConfig({ env: {}, cwd: dir });
  assert.equal(cfg.jobs.length, 1);
  const job = cfg.jobs[0];
  assert.equal(job.source, CONFIG_DEFAULTS.sourceName);
  assert.equal(job.credentials, null);
  assert.equal(job.mode, CONFIG_DEFAULTS.mode);
  assert.equal(job.deletes, CONFIG_DEFAULTS.deletes);
  assert.equal(job.requestsPerSecond, CONFIG_DEFAULTS.requestsPerSecond);
  assert.equal(job.concurrency, CONFIG_DEFAULTS.concurrency);
  assert.equal(job.timeoutMs, CONFIG_DEFAULTS.timeoutMs);
  assert.equal(job.plan, CONFIG_DEFAULTS.plan);
  assert.deepEqual(job.updateWindow, { kind: 'duration', text: '7d', ms: 7 * 86_400_000 });
  assert.deepEqual(job.destination, { kind: 'duckdb', target: join(dir, 'clockify.duckdb'), description: `duckdb:${join(dir, 'clockify.duckdb')}` });
  assert.deepEqual(job.endpoints, { api: 'https://api.clockify.me/api/v1', reports: 'https://reports.api.clockify.me/v1' });
  assert.deepEqual(job.workspaces, []);
  assert.equal(job.streams, null);
  assert.deepEqual(job.reports.groups, CONFIG_DEFAULTS.reports.groups);
  assert.equal(job.reports.timeZone, 'UTC');
  assert.deepEqual(cfg.log, { level: 'info', format: 'text' });
  assert.equal(cfg.schedule, undefined);
  assert.ok(Object.values(job.origins).every((o) => o === 'default'));
});

test('precedence: flag beats env beats source beats file defaults beats CONFIG_DEFAULTS', () => {
  const path = file(
    'prec.yaml',
    `defaults:\n  concurrency: 2\n  mode: full\n  deletes: hard\n  timeoutMs: 5000\nsources:\n  - name: main\n    concurrency: 3\n    mode: full\n    deletes: hard\n`,
  );
  const base = loadConfig({ file: path, env: {} }).jobs[0];
  assert.equal(base.concurrency, 3, 'source beats file defaults');
  assert.equal(base.timeoutMs, 5000, 'file defaults beat CONFIG_DEFAULTS');
  assert.equal(base.requestsPerSecond, CONFIG_DEFAULTS.requestsPerSecond);
  assert.equal(base.origins.concurrency, 'file');
  assert.equal(base.origins.requestsPerSecond, 'default');

  const env = { CLOCKIFY_CONCURRENCY: '5', CLOCKIFY_MODE: 'incremental' };
  const withEnv = loadConfig({ file: path, env }).jobs[0];
  assert.equal(withEnv.concurrency, 5, 'env beats file');
  assert.equal(withEnv.mode, 'incremental');
  assert.equal(withEnv.deletes, 'hard');
  assert.equal(withEnv.origins.mode, 'env');

  const withFlags = loadConfig({ file: path, env, flags: { concurrency: '6', mode: 'full', unrelatedOption: 42 } }).jobs[0];
  assert.equal(withFlags.concurrency, 6, 'flag beats env (numeric strings from commander are accepted)');
  assert.equal(withFlags.mode, 'full');
  assert.equal(withFlags.origins.concurrency, 'flag');
  assert.equal(withFlags.deletes, 'hard');
});

test('region and baseUrl form one setting: the highest layer giving either wins', () => {
  const path = file('hosts.yaml', `sources:\n  - name: eu\n    region: euc1\n`);
  assert.deepEqual(loadConfig({ file: path, env: {} }).jobs[0].endpoints, {
    api: 'https://euc1.clockify.me/api/v1',
    reports: 'https://euc1.clockify.me/report/v1',
  });
  const sim = loadConfig({ file: path, env: { CLOCKIFY_BASE_URL: 'http://127.0.0.1:4010' } }).jobs[0];
  assert.deepEqual(sim.endpoints, { api: 'http://127.0.0.1:4010/api/v1', reports: 'http://127.0.0.1:4010/report/v1' });
  assert.equal(sim.origins.region, 'env');
  const explicit = loadConfig({
    env: {},
    flags: { baseUrl: 'https://acme.clockify.me/api/', reportsBaseUrl: 'http://127.0.0.1:9/reports' },
  }).jobs[0];
  assert.deepEqual(explicit.endpoints, { api: 'https://acme.clockify.me/api/v1', reports: 'http://127.0.0.1:9/reports' });
  const back = loadConfig({ file: path, env: { CLOCKIFY_BASE_URL: 'http://127.0.0.1:4010' }, flags: { region: 'use2' } }).jobs[0];
  assert.equal(back.endpoints.api, 'https://use2.clockify.me/api/v1', 'a flag region beats an env base URL');
  assert.throws(
    () => loadConfig({ env: {}, flags: { region: 'euc1', baseUrl: 'http://127.0.0.1:1' } }),
    (e: SyncError) => e.code === 'CONFIG_INVALID' && /--region and --base-url: give either a region or a base URL/.test(e.message),
  );
});

test('several sources: one job each, own credentials and destinations, paths relative to the config file', () => {
  const path = file(
    'agency.yaml',
    [
      'defaults:',
      '  destination: duckdb:./all.duckdb',
      '  reports: { timeZone: Europe/Berlin }',
      'sources:',
      '  - name: acme',
      '    apiKeyEnv: ACME_KEY',
      `    workspaces: [${WS1}]`,
      '    reports: { groups: [project, user] }',
      '  - name: globex',
      '    apiKeyFile: ./globex.key',
      `    workspaces: "${WS2},${WS1}"`,
      '    destination: csv:out/globex',
    ].join('\n'),
  );
  const cfg = loadConfig({ file: path, env: {} });
  assert.equal(cfg.file, path);
  assert.deepEqual(cfg.jobs.map((j) => j.source), ['acme', 'globex']);
  const [acme, globex] = cfg.jobs;
  assert.deepEqual(acme.credentials, { type: 'apiKey', from: 'env', name: 'ACME_KEY', origin: 'sources[0].apiKeyEnv' });
  assert.deepEqual(globex.credentials, { type: 'apiKey', from: 'file', name: join(dir, 'globex.key'), origin: 'sources[1].apiKeyFile' });
  assert.deepEqual(acme.destination, { kind: 'duckdb', target: join(dir, 'all.duckdb'), description: `duckdb:${join(dir, 'all.duckdb')}` });
  assert.deepEqual(globex.destination, { kind: 'csv', target: join(dir, 'out/globex'), description: `csv:${join(dir, 'out/globex')}` });
  assert.deepEqual(acme.workspaces, [WS1]);
  assert.deepEqual(globex.workspaces, [WS2, WS1], 'a comma list in the file is a list');
  assert.deepEqual(acme.reports.groups, ['PROJECT', 'USER'], 'groups are upper-cased');
  assert.equal(acme.reports.timeZone, 'Europe/Berlin', 'report options merge key by key with defaults');
  assert.deepEqual(globex.reports.groups, CONFIG_DEFAULTS.reports.groups);

  const one = loadConfig({ file: path, env: {}, flags: { source: 'globex' } });
  assert.deepEqual(one.jobs.map((j) => j.source), ['globex']);
  const viaEnv = loadConfig({ file: path, env: { CLOCKIFY_SOURCE: 'acme' } });
  assert.deepEqual(viaEnv.jobs.map((j) => j.source), ['acme']);
  assert.throws(
    () => loadConfig({ file: path, env: {}, flags: { source: 'acmee' } }),
    (e: SyncError) => e.code === 'CONFIG_INVALID' && e.message.includes('--source: no source is named "acmee" (did you mean "acme"?); allowed values: acme, globex'),
  );
});

test('a JSON file and the same YAML file resolve to the same jobs', () => {
  const yamlPath = file('same.yaml', `schedule: "0 * * * *"\nsources:\n  - name: a\n    mode: full\n    plan: paid\n    workspaces: [${WS1}]\n`);
  const jsonPath = file('same.json', JSON.stringify({ schedule: '0 * * * *', sources: [{ name: 'a', mode: 'full', plan: 'paid', workspaces: [WS1] }] }));
  const fromYaml = loadConfig({ file: yamlPath, env: {} });
  const fromJson = loadConfig({ file: jsonPath, env: {} });
  assert.deepEqual(fromJson.jobs, fromYaml.jobs);
  assert.equal(fromJson.schedule, '0 * * * *');
  assert.equal(fromJson.jobs[0].plan, 'paid');
});

test('environment variables: lists, numbers, CLOCKIFY_CONFIG, log, schedule; unknown CLOCKIFY_* is a warning', () => {
  const path = file('envcfg.yaml', `schedule: "0 3 * * *"\nlog: { level: warn }\n`);
  const cfg = loadConfig({
    env: {
      CLOCKIFY_CONFIG: path,
      CLOCKIFY_WORKSPACES: ` ${WS1}, ${WS2} `,
      CLOCKIFY_STREAMS: 'projects,time_entries',
      CLOCKIFY_REQUESTS_PER_SECOND: '2.5',
      CLOCKIFY_UPDATE_WINDOW: '48h',
      CLOCKIFY_START_DATE: '2024-01-01',
      CLOCKIFY_DESTINATION: 'jsonl:/data/out',
      CLOCKIFY_REPORT_TIME_ZONE: 'America/New_York',
      CLOCKIFY_SCHEDULE: '*/5 * * * *',
      CLOCKIFY_LOG_FORMAT: 'json',
      CLOCKIFY_MODDE: 'full',
      CLOCKIFY_SYNC_CLI: '1',
    },
  });
  const job = cfg.jobs[0];
  assert.equal(cfg.file, path);
  assert.deepEqual(job.workspaces, [WS1, WS2]);
  assert.deepEqual(job.streams, ['projects', 'time_entries']);
  assert.equal(job.requestsPerSecond, 2.5);
  assert.deepEqual(job.updateWindow, { kind: 'duration', text: '48h', ms: 48 * 3_600_000 });
  assert.equal(job.startDate, '2024-01-01');
  assert.deepEqual(job.destination, { kind: 'jsonl', target: '/data/out', description: 'jsonl:/data/out' });
  assert.equal(job.reports.timeZone, 'America/New_York');
  assert.equal(cfg.schedule, '*/5 * * * *', 'env schedule beats the file');
  assert.deepEqual(cfg.log, { level: 'warn', format: 'json' });
  assert.deepEqual(cfg.warnings, ['Unknown environment variable CLOCKIFY_MODDE is ignored (did you mean CLOCKIFY_MODE?).']);

  const flagged = loadConfig({ env: { CLOCKIFY_CONFIG: path, CLOCKIFY_SCHEDULE: '*/5 * * * *' }, flags: { cron: '0 0 * * 0', verbose: true } });
  assert.equal(flagged.schedule, '0 0 * * 0');
  assert.equal(flagged.log.level, 'debug');
  assert.equal(loadConfig({ env: {}, flags: { quiet: true, json: true } }).log.level, 'warn');
});

test('credentials: references only; CLOCKIFY_API_KEY beats the file; the key is read by readJobCredentials and masked', () => {
  const key = 'cfgtest-KEY-5f0c2a9e-distinctive';
  const keyFile = file('k.key', `${key}-from-file\n`);
  const path = file('creds.yaml', `sources:\n  - name: a\n    apiKeyFile: ./k.key\n`);

  const fromFile = loadConfig({ file: path, env: {} });
  assert.deepEqual(readJobCredentials(fromFile.jobs[0], {}), { apiKey: `${key}-from-file` });
  assert.equal(fromFile.jobs[0].credentials?.name, keyFile);

  const env = { CLOCKIFY_API_KEY: key };
  const cfg = loadConfig({ file: path, env });
  assert.deepEqual(cfg.jobs[0].credentials, { type: 'apiKey', from: 'env', name: 'CLOCKIFY_API_KEY', origin: 'CLOCKIFY_API_KEY' });
  assert.equal(cfg.jobs[0].origins.credentials, 'env');
  assert.ok(!JSON.stringify(cfg).includes(key), 'the resolved config never holds the key');
  assert.deepEqual(readJobCredentials(cfg.jobs[0], env), { apiKey: key });
  assert.equal(redact(`using ${key}`), 'using ***', 'the key is registered as a secret');

  const flagged = loadConfig({ file: path, env, flags: { addonTokenFile: keyFile } });
  assert.deepEqual(flagged.jobs[0].credentials, { type: 'addonToken', from: 'file', name: keyFile, origin: '--addon-token-file' });

  assert.throws(() => readJobCredentials(loadConfig({ env: {} }).jobs[0], {}), (e: SyncError) => e.code === 'API_KEY_MISSING' && e.exitCode === 2);
  assert.throws(
    () => readJobCredentials(loadConfig({ env: {}, flags: {} , file: file('e.yaml', 'defaults: { apiKeyEnv: NOPE_KEY }\n') }).jobs[0], {}),
    (e: SyncError) => e.code === 'KEY_ENV_EMPTY' && e.message.includes('NOPE_KEY') && e.message.includes('defaults.apiKeyEnv'),
  );
  assert.throws(
    () => loadConfig({ env: { CLOCKIFY_API_KEY: key, CLOCKIFY_API_KEY_FILE: keyFile } }),
    (e: SyncError) => e.code === 'CONFIG_INVALID' && e.message.includes('give exactly one credential') && !e.message.includes(key),
  );
});

test('a credential from env overriding several sources warns; sources sharing a destination warn', () => {
  const path = file('warn.yaml', `sources:\n  - name: a\n    apiKeyEnv: A_KEY\n  - name: b\n    apiKeyEnv: B_KEY\n`);
  const cfg = loadConfig({ file: path, env: { CLOCKIFY_API_KEY: 'cfgtest-override-key' } });
  assert.ok(cfg.warnings.some((w) => w.includes('overrides the credentials of sources a, b')));
  assert.ok(cfg.warnings.some((w) => w.includes('Sources "a" and "b" write to the same destination')));
});

test('streams are checked against the known streams plus custom streams when a list is given', () => {
  const path = file('known.yaml', `customStreams:\n  - { name: holidays, path: "/workspaces/{workspaceId}/holidays", primaryKey: id }\nsources:\n  - name: a\n    streams: [projects, holidays]\n`);
  const cfg = loadConfig({ file: path, env: {}, knownStreams: ['projects', 'clients'] });
  assert.deepEqual(cfg.jobs[0].streams, ['projects', 'holidays']);
  assert.deepEqual(cfg.jobs[0].customStreams.map((c) => c.name), ['holidays']);
  assert.throws(
    () => loadConfig({ env: { CLOCKIFY_STREAMS: 'projcts' }, knownStreams: ['projects', 'clients'] }),
    (e: SyncError) => e.code === 'CONFIG_INVALID' && e.message.includes('CLOCKIFY_STREAMS: unknown stream "projcts" (did you mean "projects"?); allowed values: projects, clients'),
  );
});

test('a PostgreSQL password in the file is masked in the description, registered as a secret, and warned about', () => {
  const path = file('pg.yaml', 'sources:\n  - name: a\n    destination: "postgres://bob:pg-secret-4411@db.internal:5432/dw"\n');
  const cfg = loadConfig({ file: path, env: {} });
  const dest = cfg.jobs[0].destination;
  assert.equal(dest.kind, 'postgres');
  assert.equal(dest.description, 'postgres://bob:***@db.internal:5432/dw');
  assert.equal(redact(dest.target), 'postgres://bob:***@db.internal:5432/dw');
  assert.ok(cfg.warnings.some((w) => w.startsWith('sources[0].destination holds a database password')));
  assert.ok(!cfg.warnings.join(' ').includes('pg-secret-4411'));
});
