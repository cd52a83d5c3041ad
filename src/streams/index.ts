export { STREAMS, MAX_PAGE_SIZE, MAX_PAGE_SIZE_IN_PROGRESS, MAX_PAGE_SIZE_DETAILED_REPORT, ALL_ACCOUNT_STATUSES } from './stream-table.ts';
export { selectStreams, streamByName, streamNames } from './stream-select.ts';
export type { StreamDef, ChildDef, FieldSchema, ObjectSchema } from './stream-types.ts';
