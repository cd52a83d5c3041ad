/** File destinations create their directory level by level and fail with a clear error (never hang). */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDestination } from '../src/destinations/index.ts';
import { ensureDir } from '../src/destinations/fs-dirs.ts';

test('ensureDir creates missing levels and refuses a path under a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clockify-dirs-'));
  try {
    await ensureDir(join(dir, 'a', 'b', 'c'));
    assert.ok(statSync(join(dir, 'a', 'b', 'c')).isDirectory());
    await ensureDir(join(dir, 'a', 'b', 'c')); // existing: fine
    writeFileSync(join(dir, 'file'), 'x');
    await assert.rejects(ensureDir(join(dir, 'file', 'sub')), { code: 'ENOTDIR' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file destination that cannot create its directory fails with DESTINATION_OPEN_FAILED (no hang under /proc)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clockify-dirs-'));
  try {
    writeFileSync(join(dir, 'file'), 'x');
    for (const spec of ['csv:/proc/clockify-sync-nope/out', `jsonl:${join(dir, 'file', 'out')}`]) {
      const dest = createDestination(spec);
      await assert.rejects(dest.open(), (err: Error & { code?: string; hint?: string }) => {
        assert.equal(err.code, 'DESTINATION_OPEN_FAILED', spec);
        assert.match(String(err.hint), /directory you can write to/);
        return true;
      });
    }
    assert.equal(existsSync('/proc/clockify-sync-nope'), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
