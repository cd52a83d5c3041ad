/**
 * The main job: extract → normalize → load, whole partitions (a whole-workspace stream, or one
 * user's time entries) per destination transaction, each with its state in the same transaction.
 * Time entries: full or incremental (time-entry-plan.ts), per user or from the Detailed report,
 * closed by one last transaction per workspace (time-entry-finish.ts). Library code: reports
 * through the Logger and returns a summary.
 */
import { randomUUID } from 'node:crypto';
import type { Destination, Scope, StateRecord } from '../destinations/destination.ts';
import { SyncError } from '../errors.ts';
import { createRateResolver, extractWorkspace, listWorkspaces } from '../extract/index.ts';
import { maxReportDays } from '../dates/report-range.ts';
import { createNormalizer } from '../normalize/normalizer.ts';
import { redact } from '../secrets.ts';
import { selectStreams } from '../streams/stream-select.ts';
import { STREAMS } from '../streams/stream-table.ts';
import type { StreamDef } from '../streams/stream-types.ts';
import { PartitionLoader } from './partition-loader.ts';
import { workerFlattener, type PageFlattener } from './page-flattener.ts';
import { rawPageDecoder, type ScannedPage } from './raw-pages.ts';
import { finishTimeEntries } from './time-entry-finish.ts';
import { FREE_PLAN_REQUESTS_PER_HOUR } from './sync-types.ts';
import type { SyncOptions, SyncResult, TimeEntriesSummary } from './sync-types.ts';
import { estimateRequests, planTimeEntries, TIME_ENTRIES, userWindowStart } from './time-entry-plan.ts';
import type { AttemptInfo, TimeEntryPlan } from './time-entry-plan.ts';

export type { SyncOptions, SyncResult, TimeEntriesSummary } from './sync-types.ts';
export { FREE_PLAN_REQUESTS_PER_HOUR } from './sync-types.ts';

/** Records normalized between two turns of the event loop. */
const NORMALIZE_SLICE = 1000;

/** Reconcile scope of a stream's partition: the workspace, and the parent's key for per-parent streams. */
function partitionScope(def: StreamDef, workspaceId: string, partition: string): Scope {
  const equals: Scope['equals'] = { workspace_id: workspaceId };
  if (def.partitioning === 'parent' && def.parent) {
    const parent = STREAMS.find((s) => s.name === def.parent!.stream)!;
    equals[parent.childKey] = partition;
  }
  return { equals };
}

/**
 * Whether a sync into `destination` flattens raw time-entry pages in a worker (a destination
 * with flat pages, unless `rawPages` is false): the main thread then holds no rows.
 */
export function flattensPages(destination: Destination, rawPages?: boolean): boolean {
  return destination.capabilities?.flatPages === true && rawPages !== false;
}

export async function runSync(opts: SyncOptions): Promise<SyncResult> {
  const now = opts.now ?? (() => new Date());
  const mode = opts.mode ?? 'auto';
  const deletes = opts.deletes ?? 'soft';
  const { client, destination, log } = opts;
  const runId = randomUUID();
  const startedAt = now();
  const clockStart = performance.now();
  const requestsAtStart = client.requestCount;
  const warnings: string[] = [];
  const streams = selectStreams(opts.streams, [...STREAMS, ...(opts.customStreams ?? [])]);
  const normalizer = createNormalizer(streams);
  const byName = new Map(streams.map((s) => [s.name, s]));
  let flattener: PageFlattener | undefined;
  const loader = new PartitionLoader(destination, { batchRows: opts.batchRows, commitRows: opts.commitRows, flatWritten: (tables) => flattener?.recycle(tables) });
  const timeEntries: Record<string, TimeEntriesSummary> = {};
  const warn = (message: string) => {
    warnings.push(message);
    log('warn', message);
  };
  const rowsRead: Record<string, number> = {};
  /** Streams some partition of which was skipped. */
  const incomplete = new Set<string>();
  const workspacesDone: { id: string; name: string }[] = [];

  const asSyncError = (err: unknown): SyncError =>
    err instanceof SyncError ? err : new SyncError('SYNC_FAILED', redact(`The sync failed: ${(err as Error)?.message ?? String(err)}`), { cause: err });

  // The key and the workspaces are checked before the destination is touched: a rejected key or
  // an unknown workspace id writes nothing (not even a run record).
  let visible: Awaited<ReturnType<typeof listWorkspaces>>;
  let wanted: string[];
  try {
    visible = await listWorkspaces(client);
    wanted = opts.workspaces?.length ? opts.workspaces : visible.map((w) => w.id);
    for (const id of wanted) {
      if (!visible.some((w) => w.id === id)) {
        throw new SyncError('WORKSPACE_UNKNOWN', `Workspace ${id} is not visible to this key.`, {
          kind: 'config',
          exitCode: 2,
          hint: `Workspaces this key can see: ${visible.map((w) => `${w.id} (${w.name})`).join(', ') || 'none'}.`,
        });
      }
    }
  } catch (err) {
    return {
      runId, startedAt, endedAt: now(), status: 'failed', workspaces: [], tables: {}, requests: client.requestCount - requestsAtStart,
      durationMs: Math.round(performance.now() - clockStart), warnings, timeEntries, error: asSyncError(err),
    };
  }

  await destination.open();
  await destination.recordRun({ runId, startedAt, endedAt: null, status: 'running', mode, rowsPerTable: {}, requests: 0 });

  let error: SyncError | undefined;
  try {
    for (const change of await destination.ensureTables(normalizer.tables())) {
      if (change.kind === 'type-mismatch') warnings.push(`${change.table}.${change.column}: ${change.detail ?? 'type differs'} (kept as it is)`);
    }

    const state = await destination.readState();
    if (flattensPages(destination, opts.rawPages)) flattener = workerFlattener();
    const extractRaw = flattener && rawPageDecoder(normalizer, flattener);
    for (const ws of visible.filter((w) => wanted.includes(w.id))) {
      log('info', `workspace ${String(ws.name ?? '')} (${ws.id})`);
      const wsRequestsAtStart = client.requestCount;
      for (const k of Object.keys(rowsRead)) delete rowsRead[k];
      const requestsPerStream: Record<string, number> = {};
      const teDef = byName.get(TIME_ENTRIES);
      const reportDays = maxReportDays(ws as { featureSubscriptionType?: string | null; features?: string[] | null });
      let plan: TimeEntryPlan | undefined;
      let freeWarned = false;
      if (teDef) {
        plan = planTimeEntries({
          runId, now: now(), state, workspaceId: ws.id, workspace: ws, mode: opts.mode, updateWindow: opts.updateWindow,
          startDate: opts.startDate, source: opts.timeEntriesSource, maxReportDays: reportDays,
        });
        if (plan.source === 'report' && plan.windowStart === null) {
          plan = { ...plan, source: 'users', sourceReason: 'the report needs a start: a run over all history reads per user' };
          if (opts.timeEntriesSource === 'report') warn(`workspace ${ws.id}: --time-entries-source report needs --start-date for a full read of all history; reading per user instead`);
        }
        for (const w of plan.warnings) warn(`workspace ${ws.id}: ${w}`);
        if (opts.plan === 'free') {
          const est = estimateRequests(plan.previous, plan.windowStart ? new Date(plan.windowStart) : null, now(), reportDays);
          if (est) {
            // Entity lists (about 8), the time entries, the in-progress list and the feed (3).
            const total = 8 + (plan.source === 'report' ? est.report : est.users) + 1 + (plan.feedFrom ? 3 : 0);
            if (total > FREE_PLAN_REQUESTS_PER_HOUR) {
              freeWarned = true;
              warn(`workspace ${ws.id}: about ${total} requests planned; a new Free plan allows ${FREE_PLAN_REQUESTS_PER_HOUR} per hour per workspace, so this run needs about ${Math.ceil(total / FREE_PLAN_REQUESTS_PER_HOUR)} h there.`);
            }
          }
        }
        const raw = !!extractRaw && plan.source === 'users' && plan.windowStart === null;
        log('info', `time entries: ${plan.mode}, ${plan.source} (${plan.sourceReason}), window from ${plan.windowStart ?? 'the beginning'}` +
          (raw ? '; pages that fit the schema are flattened to CSV, and the destination loads it' : ''));
      }
      const attempt: AttemptInfo | undefined = plan && {
        attempt: plan.attempt, seq: plan.seq, mode: plan.mode, source: plan.source, savepoint: plan.savepoint, windowStart: plan.windowStart, running: plan.running,
      };
      // A full resync of a workspace that has data: one transaction, so a failed run deletes
      // nothing (a first run has nothing to delete and checkpoints per user, to resume).
      loader.holdCommits = !!plan && plan.mode === 'full' && plan.previous !== null;
      const rates = createRateResolver();
      rates.add('workspaces', [ws]);
      const readByUsers = { count: 0, minStart: Infinity };
      const extractStreams = plan?.source === 'report' ? streams.filter((s) => s.name !== TIME_ENTRIES) : streams;
      const extractOptions = {
        startFor: plan ? (user: string) => userWindowStart(plan!, user) : undefined,
        skipPartitions: plan?.doneUsers,
        concurrency: opts.concurrency,
        // A partition refused for good (e.g. another user's entries with a member's key) is
        // skipped: the run goes on and ends "incomplete" (exit status 3) instead of failing.
        partitionErrors: 'skip' as const,
        rawPages: extractRaw,
      };
      let users: number | null = null;
      // Users stream ids (when the users stream is selected: records are only seen then).
      const usersRead: Set<string> | undefined = byName.has('users') ? new Set() : undefined;
      for await (const ev of extractWorkspace(client, ws, extractStreams, extractOptions)) {
        if (ev.kind === 'warning') {
          warn(ev.message);
          continue;
        }
        if (ev.kind === 'partition-error') {
          incomplete.add(ev.stream);
          warn(`${ev.stream} of ${ev.partition} in workspace ${ws.id} skipped: ${ev.error.code}: ${ev.error.message}${ev.error.hint ? ` (${ev.error.hint})` : ''}`);
          continue;
        }
        if (ev.kind === 'json-page') {
          const page = ev.page as ScannedPage;
          if (ev.stream === TIME_ENTRIES) {
            readByUsers.count += page.count;
            if (page.minCursor < readByUsers.minStart) readByUsers.minStart = page.minCursor;
          }
          await loader.writeFlat(ws.id, page.flat, page.count + page.childRows);
          rowsRead[ev.stream] = (rowsRead[ev.stream] ?? 0) + page.count;
          opts.onProgress?.(ev.stream, ws.id, { rows: rowsRead[ev.stream], requests: requestsPerStream[ev.stream] ?? 0 });
        } else if (ev.kind === 'records') {
          if (ev.stream === 'projects' || ev.stream === 'tasks') rates.add(ev.stream, ev.records);
          if (ev.stream === 'users' && usersRead) for (const r of ev.records) usersRead.add(String((r as { id?: unknown }).id));
          if (ev.stream === TIME_ENTRIES) {
            readByUsers.count += ev.records.length;
            for (const r of ev.records) {
              const t = Date.parse(String((r as { timeInterval?: { start?: unknown } }).timeInterval?.start));
              if (t < readByUsers.minStart) readByUsers.minStart = t;
            }
          }
          // A page is normalized in slices with a turn of the event loop between them, so the
          // destination's finished statements (each waits for this thread) are not held up.
          for (let i = 0; i < ev.records.length; i += NORMALIZE_SLICE) {
            if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
            const slice = ev.records.length <= NORMALIZE_SLICE ? ev.records : ev.records.slice(i, i + NORMALIZE_SLICE);
            const result = normalizer.normalize(ev.stream, ws.id, slice);
            if (result.newColumns.length > 0) {
              for (const c of result.newColumns) log('info', `new column ${c.table}.${c.column.name} (${c.column.type}): the API sent a field the schema did not know`);
              await destination.ensureTables(normalizer.tablesFor(ev.stream));
            }
            for (const [table, rows] of result.rows) await loader.write(table, rows);
          }
          rowsRead[ev.stream] = (rowsRead[ev.stream] ?? 0) + ev.records.length;
          opts.onProgress?.(ev.stream, ws.id, { rows: rowsRead[ev.stream], requests: requestsPerStream[ev.stream] ?? 0 });
        } else if (ev.kind === 'partition-done') {
          const def = byName.get(ev.stream)!;
          requestsPerStream[ev.stream] = (requestsPerStream[ev.stream] ?? 0) + (ev.requests ?? 0);
          if (ev.stream === 'users') users = ev.records;
          const table = normalizer.tablesFor(ev.stream)[0].name;
          let reconcile: { table: string; scope: Scope }[] = [];
          let cursor: unknown = { syncedAt: now().toISOString(), mode: plan?.mode ?? (mode === 'auto' ? 'full' : mode) };
          if (ev.stream === TIME_ENTRIES && attempt) {
            // Window reconciliation: this user's entries from the window start on.
            const from = userWindowStart(attempt, ev.partition);
            const scope = partitionScope(def, ws.id, ev.partition);
            if (from) scope.range = { column: 'time_interval__start', from };
            reconcile = [{ table, scope }];
            cursor = attempt;
          } else if (def.deletion === 'full-list' || (mode === 'full' && def.deletion === 'window')) {
            reconcile = [{ table, scope: partitionScope(def, ws.id, ev.partition) }];
          }
          const stateRecords: StateRecord[] = [{ workspaceId: ws.id, stream: ev.stream, partition: ev.partition, cursor, updatedAt: now() }];
          await loader.endPartition({ reconcile, deletes, state: stateRecords });
        }
      }
      if (!loader.holdCommits) await loader.commit();
      if (plan?.source === 'users' && usersRead) {
        // Users read before whose membership is gone: their entries can no longer be read per user.
        const gone = state.filter((r) => r.workspaceId === ws.id && r.stream === TIME_ENTRIES && r.partition !== '' && !usersRead!.has(r.partition));
        if (gone.length) {
          warn(
            `workspace ${ws.id}: ${gone.length} user(s) synced before are no longer members (${gone.slice(0, 5).map((r) => r.partition).join(', ')}${gone.length > 5 ? ', …' : ''}); ` +
              `their time entries can no longer be read per user and are kept as last synced (the report source still reads them).`,
          );
        }
      }
      if (plan) {
        const finished = await finishTimeEntries({
          client, destination, normalizer, loader, workspaceId: ws.id, plan, deletes, now: now(), maxReportDays: reportDays, rates,
          readByUsers, users, warn,
          onRows: (n) => {
            rowsRead[TIME_ENTRIES] = (rowsRead[TIME_ENTRIES] ?? 0) + n;
            opts.onProgress?.(TIME_ENTRIES, ws.id, { rows: rowsRead[TIME_ENTRIES], requests: requestsPerStream[TIME_ENTRIES] ?? 0 });
          },
        });
        requestsPerStream[TIME_ENTRIES] = (requestsPerStream[TIME_ENTRIES] ?? 0) + finished.requests;
        timeEntries[ws.id] = {
          mode: plan.mode, source: plan.source, sourceReason: plan.sourceReason, windowStart: plan.windowStart ? new Date(plan.windowStart) : null,
          resumed: plan.resumed, usersSkipped: plan.doneUsers.length, feed: finished.feed, feedChanges: finished.feedChanges, running: finished.running,
          requests: client.requestCount - wsRequestsAtStart,
        };
      }
      loader.holdCommits = false;
      await loader.commit();
      const wsRequests = client.requestCount - wsRequestsAtStart;
      if (opts.plan === 'free' && !freeWarned && wsRequests > FREE_PLAN_REQUESTS_PER_HOUR) {
        const hours = Math.ceil(wsRequests / FREE_PLAN_REQUESTS_PER_HOUR);
        warn(
          `workspace ${ws.id}: this run took ${wsRequests} requests; a new Free plan allows ${FREE_PLAN_REQUESTS_PER_HOUR} per hour per workspace, ` +
            `so it needs about ${hours} h there (later incremental runs take far fewer).`,
        );
      }
      for (const stream of Object.keys(requestsPerStream)) {
        opts.onProgress?.(stream, ws.id, { rows: rowsRead[stream] ?? 0, requests: requestsPerStream[stream], done: true });
      }
      workspacesDone.push({ id: ws.id, name: String(ws.name ?? ws.id) });
    }
  } catch (err) {
    await loader.abort();
    error = asSyncError(err);
  }
  await flattener?.close();

  const endedAt = now();
  const requests = client.requestCount - requestsAtStart;
  const status: SyncResult['status'] = error ? 'failed' : incomplete.size ? 'incomplete' : 'succeeded';
  const modes = [...new Set(Object.values(timeEntries).map((t) => t.mode))];
  const runMode = modes.length ? modes.join('+') : mode;
  const rowsPerTable = Object.fromEntries(Object.entries(loader.totals).map(([t, c]) => [t, c.inserted + c.updated + c.unchanged]));
  await destination
    .recordRun({ runId, startedAt, endedAt, status, mode: runMode, rowsPerTable, requests, error: error ? `${error.code}: ${redact(error.message)}` : null })
    .catch((e) => log('warn', `could not record the run: ${(e as Error).message}`));
  return {
    runId,
    startedAt,
    endedAt,
    status,
    workspaces: workspacesDone,
    tables: loader.totals,
    requests,
    durationMs: Math.round(performance.now() - clockStart),
    warnings,
    incomplete: [...incomplete],
    timeEntries,
    error,
  };
}
