export { createNormalizer } from './normalizer.ts';
export type { Normalizer, NormalizeResult, NewColumn } from './normalizer.ts';
export { snakeCase } from './naming.ts';
export { isoDurationSeconds } from './values.ts';
export type { TableSchema, Column, ColumnType, Row } from './table-schema.ts';
export { LOADED_AT, DELETED_AT } from './table-schema.ts';
