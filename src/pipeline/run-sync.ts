/**
 * The main job: extract → normalize → load, one destination transaction per stream partition
 * (a whole-workspace stream, or one user's time entries), with the partition's state in the
 * same transaction. Library code: reports through the Logger and returns a summary.
 */
import { randomUUID } from 'node:crypto';
import type { ClockifyClient } from '../clockify/client.ts';
import type { Destination, Scope, StateRecord, WriteCounts } from '../destinations/destination.ts';
import { SyncError } from '../errors.ts';
import { extractWorkspace, listWorkspaces } from '../extract/index.ts';
import type { Logger } from '../log.ts';
import { createNormalizer } from '../normalize/normalizer.ts';
import { redact } from '../secrets.ts';
import { selectStreams } from '../streams/stream-select.ts';
import { STREAMS } from '../streams/stream-table.ts';
import type { StreamDef } from '../streams/stream-types.ts';
import { PartitionLoader } from './partition-loader.ts';

export interface SyncOptions {
  client: ClockifyClient;
  destination: Destination;
  /** Workspace ids; default: every workspace the key can see. */
  workspaces?: string[];
  /** Stream names; default: all. */
  streams?: string[];
  mode?: 'full' | 'incremental';
  deletes?: 'soft' | 'hard';
  log: Logger;
  /** Progress callback per stream and workspace (cumulative counts). */
  onProgress?: (stream: string, workspaceId: string, counts: { rows: number; requests: number; done?: boolean }) => void;
  now?: () => Date;
}

export interface SyncResult {
  runId: string;
  startedAt: Date;
  endedAt: Date;
  status: 'succeeded' | 'failed' | 'incomplete';
  workspaces: { id: string; name: string }[];
  tables: Record<string, WriteCounts>;
  requests: number;
  durationMs: number;
  warnings: string[];
  error?: SyncError;
}

/** Reconcile scope of a stream's partition: the workspace, and the parent's key for per-parent streams. */
function partitionScope(def: StreamDef, workspaceId: string, partition: string): Scope {
  const equals: Scope['equals'] = { workspace_id: workspaceId };
  if (def.partitioning === 'parent' && def.parent) {
    const parent = STREAMS.find((s) => s.name === def.parent!.stream)!;
    equals[parent.childKey] = partition;
  }
  return { equals };
}

export async function runSync(opts: SyncOptions): Promise<SyncResult> {
  const now = opts.now ?? (() => new Date());
  const mode = opts.mode ?? 'full';
  const deletes = opts.deletes ?? 'soft';
  const { client, destination, log } = opts;
  const runId = randomUUID();
  const startedAt = now();
  const requestsAtStart = client.requestCount;
  const warnings: string[] = [];
  const streams = selectStreams(opts.streams);
  const normalizer = createNormalizer(streams);
  const byName = new Map(streams.map((s) => [s.name, s]));
  const loader = new PartitionLoader(destination);
  const rowsRead: Record<string, number> = {};
  const workspacesDone: { id: string; name: string }[] = [];

  await destination.open();
  await destination.recordRun({ runId, startedAt, endedAt: null, status: 'running', mode, rowsPerTable: {}, requests: 0 });

  let error: SyncError | undefined;
  try {
    const visible = await listWorkspaces(client);
    const wanted = opts.workspaces?.length ? opts.workspaces : visible.map((w) => w.id);
    for (const id of wanted) {
      if (!visible.some((w) => w.id === id)) {
        throw new SyncError('WORKSPACE_UNKNOWN', `Workspace ${id} is not visible to this key.`, {
          kind: 'config',
          exitCode: 2,
          hint: `Workspaces this key can see: ${visible.map((w) => `${w.id} (${w.name})`).join(', ') || 'none'}.`,
        });
      }
    }
    for (const change of await destination.ensureTables(normalizer.tables())) {
      if (change.kind === 'type-mismatch') warnings.push(`${change.table}.${change.column}: ${change.detail ?? 'type differs'} (kept as it is)`);
    }

    for (const ws of visible.filter((w) => wanted.includes(w.id))) {
      log('info', `workspace ${String(ws.name ?? '')} (${ws.id})`);
      for (const k of Object.keys(rowsRead)) delete rowsRead[k];
      const requestsPerStream: Record<string, number> = {};
      for await (const ev of extractWorkspace(client, ws, streams, {})) {
        if (ev.kind === 'warning') {
          warnings.push(ev.message);
          log('warn', ev.message);
          continue;
        }
        if (ev.kind === 'records') {
          const result = normalizer.normalize(ev.stream, ws.id, ev.records);
          if (result.newColumns.length > 0) {
            for (const c of result.newColumns) log('info', `new column ${c.table}.${c.column.name} (${c.column.type}): the API sent a field the schema did not know`);
            await destination.ensureTables(normalizer.tablesFor(ev.stream));
          }
          for (const [table, rows] of result.rows) await loader.write(table, rows);
          rowsRead[ev.stream] = (rowsRead[ev.stream] ?? 0) + ev.records.length;
          opts.onProgress?.(ev.stream, ws.id, { rows: rowsRead[ev.stream], requests: requestsPerStream[ev.stream] ?? 0 });
        } else if (ev.kind === 'partition-done') {
          const def = byName.get(ev.stream)!;
          requestsPerStream[ev.stream] = (requestsPerStream[ev.stream] ?? 0) + (ev.requests ?? 0);
          const reconcile =
            def.deletion === 'full-list' || (mode === 'full' && def.deletion === 'window')
              ? [{ table: normalizer.tablesFor(ev.stream)[0].name, scope: partitionScope(def, ws.id, ev.partition) }]
              : [];
          const state: StateRecord[] = [
            { workspaceId: ws.id, stream: ev.stream, partition: ev.partition, cursor: { syncedAt: now().toISOString(), mode }, updatedAt: now() },
          ];
          await loader.endPartition({ reconcile, deletes, state });
        }
      }
      await loader.commit();
      for (const stream of Object.keys(requestsPerStream)) {
        opts.onProgress?.(stream, ws.id, { rows: rowsRead[stream] ?? 0, requests: requestsPerStream[stream], done: true });
      }
      workspacesDone.push({ id: ws.id, name: String(ws.name ?? ws.id) });
    }
  } catch (err) {
    await loader.abort();
    error =
      err instanceof SyncError
        ? err
        : new SyncError('SYNC_FAILED', redact(`The sync failed: ${(err as Error)?.message ?? String(err)}`), { cause: err });
  }

  const endedAt = now();
  const requests = client.requestCount - requestsAtStart;
  const status: SyncResult['status'] = error ? 'failed' : 'succeeded';
  const rowsPerTable = Object.fromEntries(Object.entries(loader.totals).map(([t, c]) => [t, c.inserted + c.updated + c.unchanged]));
  await destination
    .recordRun({ runId, startedAt, endedAt, status, mode, rowsPerTable, requests, error: error ? `${error.code}: ${redact(error.message)}` : null })
    .catch((e) => log('warn', `could not record the run: ${(e as Error).message}`));
  return {
    runId,
    startedAt,
    endedAt,
    status,
    workspaces: workspacesDone,
    tables: loader.totals,
    requests,
    durationMs: endedAt.getTime() - startedAt.getTime(),
    warnings,
    error,
  };
}
