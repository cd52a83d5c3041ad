/** Account-level reads: the workspaces a key can see and the key's own user. */
import type { ClockifyClient } from '../clockify/client.ts';

export type ClockifyRecord = Record<string, unknown> & { id: string };

/** `GET /workspaces` (one request, not paginated: every workspace the key can see). */
export async function listWorkspaces(client: ClockifyClient): Promise<ClockifyRecord[]> {
  const res = await client.request<ClockifyRecord[]>({ path: '/workspaces', template: '/workspaces' });
  return Array.isArray(res.data) ? res.data : [];
}

/** `GET /user`: the key owner (its `settings.timeZone` is the zone the per-user time-entry filters are read in). */
export async function currentUser(client: ClockifyClient, opts: { includeMemberships?: boolean } = {}): Promise<ClockifyRecord> {
  const res = await client.request<ClockifyRecord>({
    path: '/user', template: '/user', query: opts.includeMemberships ? { 'include-memberships': 'true' } : undefined,
  });
  return res.data;
}
