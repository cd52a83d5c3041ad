/**
 * Custom streams from the config file sync like built-in streams: a paged GET of the main API
 * and a POST to the Reports API with a macro in its body, into DuckDB, keyed as declared.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createClockifyClient } from '../src/clockify/client.ts';
import { resolveHosts } from '../src/clockify/hosts.ts';
import { loadConfig } from '../src/config/index.ts';
import { createDestination } from '../src/destinations/index.ts';
import type { Row } from '../src/normalize/table-schema.ts';
import { runSync } from '../src/pipeline/run-sync.ts';
import { startSimulator } from '../src/simulator/server.ts';
import { customStreamDefs } from '../src/streams/custom-streams.ts';

test('custom streams: a paged GET and a report POST with macros, synced and keyed as declared', async () => {
  const now = new Date('2026-11-20T12:00:00Z');
  const sim = await startSimulator({ port: 0, seed: 21, workspaces: 2, users: 10, projects: 6, entries: 1500, now: now.toISOString() });
  const dir = mkdtempSync(join(tmpdir(), 'clockify-custom-'));
  const dest = createDestination('duckdb::memory:');
  try {
    const file = join(dir, 'clockify-sync.yaml');
    writeFileSync(
      file,
      [
        'customStreams:',
        '  - name: archived_tags',
        '    path: /workspaces/{workspaceId}/tags',
        '    query: { archived: true }',
        '    recordsPath: $',
        '    pagination: { kind: page, pageSize: 1 }',
        '    primaryKey: [id]',
        '  - name: project_hours_30d',
        '    method: POST',
        '    host: reports',
        '    path: /workspaces/{workspaceId}/reports/summary',
        '    body: { dateRangeStart: "{{30daysago}}T00:00:00", dateRangeEnd: "{{today}}T00:00:00", timeZone: UTC, summaryFilter: { groups: [PROJECT] } }',
        '    recordsPath: groupOne',
        '    primaryKey: [_id]',
      ].join('\n'),
    );
    const config = loadConfig({ file, env: {} });
    const customStreams = customStreamDefs(config.customStreams, { now });
    const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: sim.url }), apiKey: sim.keys.owner, requestsPerSecond: 0 });
    const result = await runSync({ client, destination: dest, streams: ['archived_tags', 'project_hours_30d'], customStreams, log: () => {} });
    assert.equal(result.error, undefined, String(result.error?.message));

    const read = async (t: string) => {
      const rows: Row[] = [];
      for await (const r of dest.readTable(t)) rows.push(r);
      return rows;
    };
    const tags = await read('archived_tags');
    const expectedTags = sim.sim.store.workspaces().flatMap((w) => sim.sim.store.tags(w.id).filter((t) => t.archived));
    assert.ok(expectedTags.length > 2, 'several archived tags (pages of one)');
    assert.deepEqual(tags.map((t) => t.id).sort(), expectedTags.map((t) => t.id).sort());
    assert.ok(tags.every((t) => t.archived === true && typeof t.name === 'string'));
    const tagRequests = Object.entries(client.requestsByTemplate()).filter(([k]) => k.endsWith('/tags')).reduce((s, [, n]) => s + n, 0);
    assert.ok(tagRequests >= expectedTags.length, `read page by page (${JSON.stringify(client.requestsByTemplate())})`);

    const hours = await read('project_hours_30d');
    assert.ok(hours.length > 0);
    for (const w of sim.sim.store.workspaces()) {
      const from = Date.parse('2026-10-21T00:00:00Z');
      const to = Date.parse('2026-11-20T00:00:00Z');
      let seconds = 0;
      for (const e of sim.sim.store.timeEntries(w.id, { from, to })) if (e.end !== null) seconds += (e.end - e.start) / 1000;
      const got = hours.filter((h) => h.workspace_id === w.id).reduce((s, h) => s + Number(h.duration), 0);
      assert.equal(got, seconds, `summed durations of workspace ${w.id}`);
    }

    // A rerun merges by the declared key: nothing new.
    const again = await runSync({ client, destination: dest, streams: ['archived_tags', 'project_hours_30d'], customStreams, log: () => {} });
    assert.equal(again.tables.archived_tags.inserted, 0);
    assert.equal(again.tables.archived_tags.unchanged, tags.length);
  } finally {
    await dest.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
