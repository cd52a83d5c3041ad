/**
 * Custom streams (Nexla's "manual mode"): endpoints the built-in stream table lacks, declared in
 * the config file, turned into ordinary rows of the stream table so they sync like built-in
 * streams. `{{macros}}` and Nexla's `{now±N}` in the path, query and body are resolved once per
 * run; `{workspaceId}` is filled per workspace by the extractor.
 */
import type { CustomStreamConfig } from '../config/index.ts';
import { resolveDateExpression, type DateExpressionOptions } from '../dates/macros.ts';
import type { Pagination } from '../clockify/paginate.ts';
import { snakeCase } from '../normalize/naming.ts';
import { obj, str } from './schema.ts';
import type { StreamDef } from './stream-types.ts';

const MACRO = /\{\{|\{now/;

/** Resolves every macro inside strings of a JSON-like value. */
function resolveMacros<T>(value: T, dates: DateExpressionOptions): T {
  if (typeof value === 'string') return (MACRO.test(value) ? resolveDateExpression(value, dates).value : value) as T;
  if (Array.isArray(value)) return value.map((v) => resolveMacros(v, dates)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveMacros(v, dates)])) as T;
  }
  return value;
}

function pagination(c: CustomStreamConfig): Pagination {
  switch (c.pagination.kind) {
    case 'page':
      return { kind: 'query', maxPageSize: c.pagination.pageSize };
    case 'body-page':
      return { kind: 'body', maxPageSize: c.pagination.pageSize };
    default:
      return { kind: 'none' };
  }
}

/** Stream-table rows for the configured custom streams. */
export function customStreamDefs(configs: readonly CustomStreamConfig[], dates: DateExpressionOptions = {}): StreamDef[] {
  return configs.map((c) => {
    // Key fields are top-level fields of the record.
    const keyFields = c.primaryKey;
    const query = Object.fromEntries(
      Object.entries(resolveMacros(c.query, dates)).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
    );
    return {
      name: c.name,
      description: `Custom stream: ${c.method} ${c.path}`,
      api: c.host === 'reports' ? 'reports' : 'main',
      method: c.method,
      path: resolveMacros(c.path, dates),
      query,
      body: c.body === undefined ? undefined : resolveMacros(c.body, dates),
      pagination: pagination(c),
      itemsPath: c.recordsPath === '$' ? undefined : c.recordsPath,
      // Rows of a per-workspace endpoint are keyed within their workspace.
      primaryKey: [...(c.perWorkspace ? ['workspace_id'] : []), ...c.primaryKey.map(snakeCase)],
      childKey: `${c.name}_id`,
      children: [],
      // The key columns are declared (so tables can be created before the first record); every
      // other field becomes a column as it is seen.
      schema: obj(Object.fromEntries(keyFields.map((k) => [k, str]))),
      // A custom endpoint may be windowed by its macros: rows are merged, never reconciled away.
      deletion: 'none',
      partitioning: 'workspace',
    } satisfies StreamDef;
  });
}
