/**
 * Reads for incremental syncs of time entries (issue 4):
 * - the workspace's running timers (`/time-entries/status/in-progress`, page size ≤ 1000);
 * - the experimental Entity Changes feed (`/entities/created|updated|deleted`, REFERENCE §8):
 *   a bare array, `type`, `start`/`end` (`yyyy-MM-ddThh:mm:ssZ`), `page`/`limit`; the window is
 *   split into 30-day pieces (the documented default window) so a long gap stays inside what the
 *   feed is known to answer.
 */
import type { ClockifyClient } from '../clockify/client.ts';
import { paginate } from '../clockify/paginate.ts';
import { MAX_PAGE_SIZE_IN_PROGRESS } from '../streams/stream-table.ts';
import { apiInstant } from './extract-workspace.ts';

/** Items per feed page: the documented default is 50; no maximum is documented, so stay modest. */
export const FEED_PAGE_SIZE = 200;
const FEED_MAX_SPAN_MS = 30 * 86_400_000;

export interface ReadResult<T> {
  items: T[];
  requests: number;
}

/** Every running time entry of the workspace (all users for an owner/admin key). */
export async function fetchInProgress(client: ClockifyClient, workspaceId: string, signal?: AbortSignal): Promise<ReadResult<Record<string, unknown>>> {
  const chain = paginate<Record<string, unknown>>(client, {
    method: 'GET',
    path: `/workspaces/${encodeURIComponent(workspaceId)}/time-entries/status/in-progress`,
    template: '/workspaces/{workspaceId}/time-entries/status/in-progress',
    pagination: { kind: 'query', maxPageSize: MAX_PAGE_SIZE_IN_PROGRESS },
    signal,
  });
  const items: Record<string, unknown>[] = [];
  for await (const page of chain) items.push(...page.items);
  return { items, requests: chain.requests };
}

export type FeedKind = 'created' | 'updated' | 'deleted';

/** Feed fields that are not part of the entity (the rest of an item is the entity's DTO). */
export const FEED_META_FIELDS = ['documentType', 'documentCode', 'auditMetadata'] as const;

/**
 * One kind of the change feed for `types` in [start, end]: items in feed order. Throws the
 * client's SyncError on failure (the caller decides to fall back).
 */
export async function fetchChanges(
  client: ClockifyClient, workspaceId: string, kind: FeedKind, types: readonly string[], start: Date, end: Date, signal?: AbortSignal,
): Promise<ReadResult<Record<string, unknown>>> {
  const items: Record<string, unknown>[] = [];
  let requests = 0;
  for (let from = start.getTime(); from < end.getTime(); from += FEED_MAX_SPAN_MS) {
    const to = Math.min(end.getTime(), from + FEED_MAX_SPAN_MS);
    const chain = paginate<Record<string, unknown>>(client, {
      method: 'GET',
      path: `/workspaces/${encodeURIComponent(workspaceId)}/entities/${kind}`,
      template: `/workspaces/{workspaceId}/entities/${kind}`,
      query: { type: types.join(','), start: apiInstant(new Date(from)), end: apiInstant(new Date(to)) },
      pagination: { kind: 'query', maxPageSize: FEED_PAGE_SIZE, sizeParam: 'limit' },
      signal,
    });
    for await (const page of chain) items.push(...page.items);
    requests += chain.requests;
  }
  return { items, requests };
}

/** The entity of an `/updated` or `/created` item, without the feed's own fields. */
export function feedEntity(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  for (const f of FEED_META_FIELDS) delete out[f];
  return out;
}
