import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Destination, WriteCounts } from '../../src/destinations/destination.ts';
import type { Row, TableSchema } from '../../src/normalize/table-schema.ts';

/** Tables used by the conformance suite: one parent with every column type, one child list. */
export const ITEMS: TableSchema = {
  name: 'items',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'text', nullable: false },
    { name: 'workspace_id', type: 'text', nullable: false },
    { name: 'name', type: 'text' },
    { name: 'n', type: 'bigint' },
    { name: 'amount', type: 'double' },
    { name: 'price', type: 'decimal' },
    { name: 'flag', type: 'boolean' },
    { name: 'at', type: 'timestamptz' },
    { name: 'day', type: 'date' },
    { name: 'meta', type: 'json' },
  ],
};

export const ITEM_TAGS: TableSchema = {
  name: 'items__tags',
  primaryKey: ['item_id', 'tag_id'],
  parent: { table: 'items', columns: ['item_id'] },
  columns: [
    { name: 'item_id', type: 'text', nullable: false },
    { name: 'tag_id', type: 'text', nullable: false },
    { name: 'label', type: 'text' },
  ],
};

export const TABLES = [ITEMS, ITEM_TAGS];

/** Same as ITEMS plus one new column (schema evolution). */
export const ITEMS_V2: TableSchema = { ...ITEMS, columns: [...ITEMS.columns, { name: 'extra', type: 'text' }] };

/** A full item row; ids sort in the same order everywhere ('i00001' …). */
export function item(i: number, over: Row = {}): Row {
  return {
    id: itemId(i),
    workspace_id: i % 2 === 0 ? 'w1' : 'w2',
    name: `item ${i}`,
    n: i * 10,
    amount: i + 0.25,
    price: '1234.5',
    flag: i % 3 === 0,
    at: new Date(Date.UTC(2024, 0, 1 + (i % 28), 9, 30, 15)),
    day: `2024-02-${String(1 + (i % 28)).padStart(2, '0')}`,
    meta: { k: i, list: [1, 'two', null], nested: { ok: true } },
    ...over,
  };
}

export function itemId(i: number): string {
  return 'i' + String(i).padStart(6, '0');
}

export function tag(itemIndex: number, tagId: string, label: string | null = tagId.toUpperCase()): Row {
  return { item_id: itemId(itemIndex), tag_id: tagId, label };
}

/** Temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'cs-dest-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function readAll(dest: Destination, table: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of dest.readTable(table)) rows.push(row);
  return rows;
}

/** Write rows to tables in one transaction and commit; returns the commit counts. */
export async function load(dest: Destination, writes: Record<string, Row[]>): Promise<Record<string, WriteCounts>> {
  const tx = await dest.begin();
  try {
    for (const [table, rows] of Object.entries(writes)) await tx.write(table, rows);
    return await tx.commit();
  } catch (err) {
    await tx.rollback().catch(() => {});
    throw err;
  }
}

export function counts(c: Partial<WriteCounts>): WriteCounts {
  return { inserted: 0, updated: 0, unchanged: 0, deleted: 0, ...c };
}

/** The data columns of a read-back row (metadata columns removed). */
export function data(row: Row): Row {
  const { _loaded_at, _deleted_at, ...rest } = row;
  return rest;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
