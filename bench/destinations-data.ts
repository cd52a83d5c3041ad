/** Synthetic time-entry rows and their table schema, shared by the destination benchmarks. */
import type { Row, TableSchema } from '../src/normalize/table-schema.ts';

export const TIME_ENTRIES: TableSchema = {
  name: 'time_entries',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'text' },
    { name: 'workspace_id', type: 'text' },
    { name: 'user_id', type: 'text' },
    { name: 'project_id', type: 'text' },
    { name: 'task_id', type: 'text' },
    { name: 'description', type: 'text' },
    { name: 'billable', type: 'boolean' },
    { name: 'is_locked', type: 'boolean' },
    { name: 'type', type: 'text' },
    { name: 'time_interval__start', type: 'timestamptz' },
    { name: 'time_interval__end', type: 'timestamptz' },
    { name: 'time_interval__duration', type: 'text' },
    { name: 'time_interval__duration_seconds', type: 'bigint' },
    { name: 'hourly_rate__amount', type: 'decimal' },
    { name: 'hourly_rate__currency', type: 'text' },
    { name: 'cost_rate__amount', type: 'bigint' },
  ],
};

const hex = (n: number, len = 24) => n.toString(16).padStart(len, '0');

/** Rows [from, to) of a deterministic time-entry stream (as the normalizer hands them over). */
export function timeEntries(from: number, to: number, variant = ''): Row[] {
  const rows: Row[] = [];
  const base = Date.UTC(2024, 0, 1);
  for (let i = from; i < to; i++) {
    const start = base + i * 600_000;
    const secs = 300 + (i % 97) * 60;
    rows.push({
      id: hex(i),
      workspace_id: hex(7),
      user_id: hex(1_000_000 + (i % 200)),
      project_id: i % 11 === 0 ? null : hex(2_000_000 + (i % 500)),
      task_id: i % 3 === 0 ? hex(3_000_000 + (i % 2000)) : null,
      description: `Work item ${i} ${variant}— réunion ✓`,
      billable: i % 4 !== 0,
      is_locked: false,
      type: 'REGULAR',
      time_interval__start: new Date(start).toISOString(),
      time_interval__end: new Date(start + secs * 1000).toISOString(),
      time_interval__duration: `PT${Math.floor(secs / 60)}M`,
      time_interval__duration_seconds: secs,
      hourly_rate__amount: (i % 5) * 1250,
      hourly_rate__currency: 'USD',
      cost_rate__amount: null,
    });
  }
  return rows;
}
