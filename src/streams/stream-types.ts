/** The shape of one row of the stream table (src/streams/stream-table.ts). */
import type { Pagination } from '../clockify/paginate.ts';
import type { FieldSchema, ObjectSchema } from './schema.ts';

/** A list inside a record that becomes a child table keyed to its parent. */
export interface ChildDef {
  /** The API field holding the list, e.g. `tagIds`. */
  field: string;
  /** The child table, e.g. `time_entries__tags`. */
  table: string;
  /** A list of ids / scalars: the column holding each value (part of the key). */
  valueColumn?: string;
  /** A list of objects: the item columns (snake_case) that identify an item under its parent. */
  key?: string[];
}

export interface StreamDef {
  /** Stream and table name (snake_case). */
  name: string;
  description: string;
  /** Host and request. Placeholders: `{workspaceId}`, `{parent.id}` (the parent record's id). */
  api: 'main' | 'reports';
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  /** JSON body of a POST request (custom streams; body paging adds `page`/`pageSize`). */
  body?: unknown;
  pagination: Pagination;
  /** Where the list is inside an envelope response (default: the body is the list). */
  itemsPath?: string;
  /** Primary-key columns of the table (snake_case). */
  primaryKey: string[];
  /**
   * How child tables name this table's `id` column (e.g. `time_entry_id`); the other key
   * columns (e.g. `workspace_id`) keep their names.
   */
  childKey: string;
  /** The request runs once per record of this stream (partition = that record's id). */
  parent?: { stream: string };
  /**
   * Records come from a list field of another stream's records (no request): e.g. tasks from
   * hydrated projects. When a parent record lacks the field, the `path` is requested for that
   * parent (`{parent.id}`) as a fallback.
   */
  fromParent?: { stream: string; field: string };
  children: ChildDef[];
  /** API fields that are not columns (read by another stream, e.g. projects.tasks). */
  excludeFields?: string[];
  /** The record's JSON schema (columns and types; unknown fields still become columns). */
  schema: ObjectSchema;
  /** Incremental cursor (issue 4), a dotted API path, e.g. `timeInterval.start`. */
  cursorField?: string;
  /**
   * How deletions are found: `full-list` (the stream is always read whole: a row missing from
   * it was deleted), `window` (reread a time window and reconcile inside it), `none`.
   */
  deletion: 'full-list' | 'window' | 'none';
  /** `workspace`: one partition (''); `parent`: one partition per parent record. */
  partitioning: 'workspace' | 'parent';
}

export type { FieldSchema, ObjectSchema };
