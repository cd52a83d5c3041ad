/** Looking streams up by name (`--streams a,b,c`). */
import { configError } from '../errors.ts';
import { STREAMS } from './stream-table.ts';
import type { StreamDef } from './stream-types.ts';

export function streamNames(table: readonly StreamDef[] = STREAMS): string[] {
  return table.map((s) => s.name);
}

/**
 * The named streams in stream-table order (undefined or empty → all). Names are matched
 * case-insensitively, `-` read as `_`. Unknown name → SyncError CONFIG_UNKNOWN_STREAM listing the
 * valid names. Parents a selected stream needs (users for time_entries, projects for tasks) are
 * fetched by the extractor without being selected; they are not added here.
 */
export function selectStreams(names?: readonly string[] | string, table: readonly StreamDef[] = STREAMS): StreamDef[] {
  const list = typeof names === 'string' ? names.split(',') : names ?? [];
  const wanted = list.map((n) => n.trim().toLowerCase().replace(/-/g, '_')).filter(Boolean);
  if (!wanted.length) return [...table];
  const known = new Set(table.map((s) => s.name));
  const unknown = wanted.filter((n) => !known.has(n));
  if (unknown.length) {
    throw configError(
      'CONFIG_UNKNOWN_STREAM',
      `Unknown stream${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Valid streams: ${streamNames(table).join(', ')}.`,
      'Pass --streams as a comma-separated list of these names.',
    );
  }
  const set = new Set(wanted);
  return table.filter((s) => set.has(s.name));
}

/** The stream definition by exact name (throws CONFIG_UNKNOWN_STREAM). */
export function streamByName(name: string, table: readonly StreamDef[] = STREAMS): StreamDef {
  return selectStreams([name], table)[0];
}
