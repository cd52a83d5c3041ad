/**
 * The last partition of a workspace's time entries (partition '' of `time_entries`), one
 * transaction: the Detailed-report rows (report source) and their window reconciliation, the
 * running timers (in-progress endpoint), the change feed's edits and deletions (incremental runs),
 * and the workspace cursor that marks the read complete.
 */
import type { ClockifyClient } from '../clockify/client.ts';
import type { Destination, Scope } from '../destinations/destination.ts';
import { feedEntity, fetchChanges, fetchInProgress, fetchReportEntries } from '../extract/index.ts';
import type { RateResolver } from '../extract/index.ts';
import type { Normalizer } from '../normalize/normalizer.ts';
import type { PartitionLoader } from './partition-loader.ts';
import type { RunningRef, TimeEntryPlan, WorkspaceCursor } from './time-entry-plan.ts';
import { TIME_ENTRIES, userWindowStart } from './time-entry-plan.ts';

const DAY = 86_400_000;
const TE_TYPES = ['TIME_ENTRY'];

export interface FinishInput {
  client: ClockifyClient;
  destination: Destination;
  normalizer: Normalizer;
  loader: PartitionLoader;
  workspaceId: string;
  plan: TimeEntryPlan;
  deletes: 'soft' | 'hard';
  now: Date;
  maxReportDays: number | null;
  rates: RateResolver;
  /** Entries read by the per-user partitions of this run (count and earliest start). */
  readByUsers: { count: number; minStart: number };
  /** Users (members) of the workspace read in this run, or null when unknown. */
  users: number | null;
  warn: (message: string) => void;
  onRows?: (rows: number) => void;
}

export interface FinishResult {
  requests: number;
  feed: 'used' | 'unavailable' | 'not-needed';
  feedChanges: { upserted: number; deleted: number };
  running: number;
}

export async function finishTimeEntries(input: FinishInput): Promise<FinishResult> {
  const { client, normalizer, loader, workspaceId: ws, plan, now } = input;
  const table = normalizer.tablesFor(TIME_ENTRIES)[0].name;
  let requests = 0;
  let count = input.readByUsers.count;
  let minStart = input.readByUsers.minStart;
  const write = async (records: Record<string, unknown>[]) => {
    if (!records.length) return;
    const result = normalizer.normalize(TIME_ENTRIES, ws, records);
    if (result.newColumns.length > 0) await input.destination.ensureTables(normalizer.tablesFor(TIME_ENTRIES));
    for (const [t, rows] of result.rows) await loader.write(t, rows);
    input.onRows?.(records.length);
  };
  const reconcile: { table: string; scope: Scope }[] = [];

  if (plan.source === 'report') {
    const from = userWindowStart(plan)!;
    const to = new Date(now.getTime() + DAY);
    const counter = { requests: 0 };
    for await (const page of fetchReportEntries(client, ws, { start: from, end: to, maxDays: input.maxReportDays, rates: input.rates }, counter)) {
      count += page.length;
      for (const e of page) minStart = Math.min(minStart, Date.parse(String((e.timeInterval as { start: string }).start)));
      await write(page);
    }
    requests += counter.requests;
    reconcile.push({ table, scope: { equals: { workspace_id: ws }, range: { column: 'time_interval__start', from, to } } });
  }

  const inProgress = await fetchInProgress(client, ws);
  requests += inProgress.requests;
  await write(inProgress.items);
  const running: RunningRef[] = inProgress.items.map((e) => ({
    id: String(e.id), userId: String(e.userId), start: String((e.timeInterval as { start?: unknown } | undefined)?.start ?? ''),
  })).filter((r) => Number.isFinite(Date.parse(r.start)));

  let feed: FinishResult['feed'] = 'not-needed';
  const feedChanges = { upserted: 0, deleted: 0 };
  if (plan.feedFrom) {
    try {
      const created = await fetchChanges(client, ws, 'created', TE_TYPES, plan.feedFrom, now);
      const updated = await fetchChanges(client, ws, 'updated', TE_TYPES, plan.feedFrom, now);
      const deleted = await fetchChanges(client, ws, 'deleted', TE_TYPES, plan.feedFrom, now);
      requests += created.requests + updated.requests + deleted.requests;
      // Current state of every entity created or edited since the last run (those inside the
      // window were reread too; writing them again changes nothing).
      const upserts = [...created.items, ...updated.items].map(feedEntity).filter((e) => typeof e.id === 'string');
      await write(upserts);
      feedChanges.upserted = upserts.length;
      const written = new Set(upserts.map((e) => e.id as string));
      for (const item of deleted.items) {
        const doc = item.document as Record<string, unknown> | undefined;
        const id = typeof item.id === 'string' ? item.id : typeof doc?._id === 'string' ? doc._id : undefined;
        if (!id || written.has(id)) continue;
        reconcile.push({ table, scope: { equals: { workspace_id: ws, id } } });
        feedChanges.deleted++;
      }
      feed = 'used';
    } catch (err) {
      feed = 'unavailable';
      input.warn(
        `The change feed (/entities/created|updated|deleted) is not available for workspace ${ws} (${(err as Error).message}): ` +
          `edits and deletions of time entries older than the update window are not seen in this run (window reconciliation only).`,
      );
    }
  }

  const windowFrom = plan.windowStart ? Date.parse(plan.windowStart) : minStart;
  const days = Number.isFinite(windowFrom) ? Math.max(1, (now.getTime() - windowFrom) / DAY) : null;
  const cursor: WorkspaceCursor = {
    attempt: plan.attempt, seq: plan.seq, mode: plan.mode, source: plan.source, savepoint: plan.savepoint, windowStart: plan.windowStart, running,
    completedAt: now.toISOString(),
    users: input.users ?? plan.previous?.users ?? 0,
    entriesPerDay: days === null ? plan.previous?.entriesPerDay ?? null : count / days,
  };
  await loader.endPartition({ reconcile, deletes: input.deletes, state: [{ workspaceId: ws, stream: TIME_ENTRIES, partition: '', cursor, updatedAt: now }] });
  await loader.commit();
  return { requests, feed, feedChanges, running: running.length };
}
