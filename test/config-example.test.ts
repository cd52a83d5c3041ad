import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { configJsonSchema, loadConfig } from '../src/config/index.ts';

const example = fileURLToPath(new URL('../src/config/clockify-sync.example.yaml', import.meta.url));

test('the example clockify-sync.yaml (shown in the README) loads and resolves as documented', () => {
  const cfg = loadConfig({ file: example, env: {} });
  assert.equal(cfg.schedule, '0 * * * *');
  assert.deepEqual(cfg.jobs.map((j) => j.source), ['acme', 'globex']);
  const [acme, globex] = cfg.jobs;
  assert.equal(acme.endpoints.api, 'https://euc1.clockify.me/api/v1');
  assert.deepEqual(acme.credentials, { type: 'apiKey', from: 'env', name: 'ACME_CLOCKIFY_KEY', origin: 'sources[0].apiKeyEnv' });
  assert.equal(acme.destination.target, join(dirname(example), 'clockify.duckdb'));
  assert.equal(acme.reports.timeZone, 'Europe/Berlin');
  assert.equal(globex.destination.kind, 'postgres');
  assert.equal(globex.credentials?.name, join(dirname(example), 'secrets/globex.key'));
  assert.deepEqual(globex.customStreams.map((c) => c.name), ['holidays_in_period']);
  assert.deepEqual(acme.customStreams.map((c) => c.name), ['holidays_in_period', 'expense_report']);
  assert.deepEqual(cfg.customStreams[1].pagination, { kind: 'body-page', pageSize: 200 });
  assert.deepEqual(cfg.warnings, []);
});

test('the JSON Schema for editors accepts the example and rejects a typo', () => {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  const validate = ajv.compile(configJsonSchema());
  const doc = parse(readFileSync(example, 'utf8'));
  assert.equal(validate(doc), true, JSON.stringify(validate.errors));
  assert.equal(validate({ sources: [{ name: 'a', mdoe: 'full' }] }), false);
  assert.equal(validate({ defaults: { mode: 'fulll' } }), false);
});
