export { listWorkspaces, currentUser } from './extract-account.ts';
export type { ClockifyRecord } from './extract-account.ts';
export { extractWorkspace, requestFor, apiInstant, WINDOW_WIDENING_MS } from './extract-workspace.ts';
export type { ExtractEvent, ExtractOptions } from './extract-workspace.ts';
