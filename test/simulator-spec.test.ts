/**
 * Issue 2, item 7: every route the simulator serves, validated against the official OpenAPI
 * spec's response schema (ajv + ajv-formats), with only the live deviations REFERENCE.md
 * documents (src/simulator/spec-deviations.ts) patched in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { SPEC_DEVIATIONS } from '../src/simulator/spec-deviations.ts';
import { callEveryRoute, makeChanges } from './support/spec-routes.ts';
import type { CalledRoute } from './support/spec-routes.ts';
import { createSpecValidator, describeErrors, loadSpec } from './support/spec-validator.ts';

const spec = loadSpec();
const { app, sim } = createSimulator({
  seed: 3, workspaces: 2, users: 10, projects: 8, entries: 800, now: '2026-08-15T12:00:00Z',
});
makeChanges(sim);
let calls: CalledRoute[] | undefined;
const allCalls = async () => (calls ??= await callEveryRoute(app, sim));
const validator = createSpecValidator(SPEC_DEVIATIONS, spec);

interface Failure { call: CalledRoute; text: string }
let failuresFound: Promise<Failure[]> | undefined;
/** Every call whose body fails validation (computed once). */
const failures = () => (failuresFound ??= (async () => {
  const out: Failure[] = [];
  for (const call of await allCalls()) {
    const errors = validator.errors(call.operation, call.body);
    if (errors.length) out.push({ call, text: describeErrors(errors, call.body) });
  }
  return out;
})());

test('every route the simulator serves is called and answers 200', async () => {
  const served = app.routes
    .filter((r) => r.method !== 'ALL' && /^\/(api|report)\/v1\//.test(r.path))
    .map((r) => `${r.method} ${r.path.replace(/^\/(api|report)/, '').replace(/:([A-Za-z]+)(\{[^}]*\})?/g, '{$1}')}`);
  assert.ok(served.length >= 19, `served: ${served.join(', ')}`);
  const done = await allCalls();
  for (const operation of served) {
    assert.ok(spec.paths[operation.split(' ')[1]]?.[operation.split(' ')[0].toLowerCase()], `${operation} is an operation of the official spec`);
    assert.ok(done.some((c) => c.operation === operation && c.status === 200), `${operation} was called with a 200 answer`);
  }
  const bad = done.filter((c) => c.status !== 200);
  assert.deepEqual(bad.map((c) => `${c.status} ${c.url} ${JSON.stringify(c.body)}`), []);
  for (const kind of ['created', 'updated', 'deleted']) {
    const feed = done.find((c) => c.operation.endsWith(`/entities/${kind}`))!;
    assert.ok(Array.isArray(feed.body) && feed.body.length > 0, `the ${kind} feed has items to validate`);
  }
});

test('every response body validates against the spec, with only the deviations REFERENCE.md documents', async () => {
  const found = await failures();
  assert.equal(found.length, 0, found.slice(0, 10).map((f) => `${f.call.operation} (${f.call.url}):\n${f.text}`).join('\n\n'));
});

test('the deviations: each from one REFERENCE.md line, listed once, and each patch applies to the spec', () => {
  const reference = readFileSync(new URL('../spec/clockify-api/REFERENCE.md', import.meta.url), 'utf8').split('\n');
  const lines = SPEC_DEVIATIONS.map((d) => d.referenceLine);
  assert.equal(new Set(lines).size, lines.length, 'one entry per REFERENCE.md line');
  for (const d of SPEC_DEVIATIONS) {
    assert.ok(d.referenceLine >= 1 && d.referenceLine <= reference.length && reference[d.referenceLine - 1].trim() !== '', `line ${d.referenceLine} exists`);
    assert.ok(d.patches.length > 0 && d.description.length > 10);
    assert.doesNotThrow(() => createSpecValidator([d], spec), `deviation of line ${d.referenceLine} applies`);
  }
  const keyed = new Set(SPEC_DEVIATIONS.flatMap((d) => d.patches.map((p) => `${JSON.stringify(p.target)}${p.pointer}${p.allow.kind === 'property' ? p.allow.name : ''}`)));
  assert.equal(keyed.size, SPEC_DEVIATIONS.reduce((n, d) => n + d.patches.length, 0), 'no place of the spec is patched twice');
});

test('the validator is not vacuous: the spec alone rejects live shapes, and wrong types fail even with the deviations', async () => {
  const bare = createSpecValidator([], spec);
  const done = await allCalls();
  const entries = done.find((c) => c.operation.endsWith('/user/{userId}/time-entries') && Array.isArray(c.body) && c.body.length > 0)!;
  assert.ok(bare.errors(entries.operation, entries.body).length > 0, 'tagIds/kioskId null are refused by the spec alone');
  const detailed = done.find((c) => c.operation.endsWith('/reports/detailed') && (c.body as any).timeentries.length > 0)!;
  const broken = structuredClone(detailed.body) as any;
  broken.timeentries[0].timeInterval.duration = 'PT1H';
  broken.timeentries[0].billable = 'yes';
  delete broken.timeentries[1]._id;
  const errs = validator.errors(detailed.operation, broken).map((e) => e.instancePath);
  assert.ok(errs.includes('/timeentries/0/timeInterval/duration'));
  assert.ok(errs.includes('/timeentries/0/billable'));
  assert.ok(errs.includes('/timeentries/1'), 'the _id key is required');
  const projects = done.find((c) => c.operation === 'GET /v1/workspaces/{workspaceId}/projects')!;
  const clean = (projects.body as any[]).find((x) => validator.errors(projects.operation, [x]).length === 0);
  const p = structuredClone(clean);
  p.duration = 3_600_000;
  p.archived = 'false';
  assert.deepEqual(validator.errors(projects.operation, [p]).map((e) => e.instancePath).sort(), ['/0/archived', '/0/duration']);
});
