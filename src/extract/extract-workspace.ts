/**
 * Extract one workspace: an async generator of events, driven by the stream table.
 *
 * - Streams come in stream-table order; each stream's partitions are contiguous and each
 *   partition's pages come in order, so the pipeline can commit one transaction per partition.
 * - Partition '' for whole-workspace streams; time entries: one partition per user (the user id).
 * - Parents are read once and reused: time-entry partitions come from the users stream's ids,
 *   tasks from the hydrated projects (no extra request; the per-project tasks path is requested
 *   only for a project record without a `tasks` list). A parent that is not selected is read but
 *   not emitted.
 * - Time-entry window (`start`/`end`): Clockify reads the per-user `start`/`end` filters as wall
 *   clock in the key owner's profile time zone (REFERENCE §3), so the request window is widened
 *   by 14 h on each side (every UTC offset fits) and entries are kept client side when
 *   `timeInterval.start` ∈ [start, end).
 * - Up to `concurrency` partitions are fetched ahead, at most `bufferPages` pages each in memory.
 */
import { setMaxListeners } from 'node:events';
import type { ClockifyClient } from '../clockify/client.ts';
import { paginate } from '../clockify/paginate.ts';
import type { PageRequest, RawPage } from '../clockify/paginate.ts';
import { STREAMS } from '../streams/stream-table.ts';
import type { StreamDef } from '../streams/stream-types.ts';
import { PartitionBuffer } from './partition-buffer.ts';
import { SyncError } from '../errors.ts';
import type { ClockifyRecord } from './extract-account.ts';

export type ExtractEvent =
  | { kind: 'records'; stream: string; workspaceId: string; partition: string; records: unknown[] }
  /** A page of a stream read raw (`ExtractOptions.rawPages`): what its decoder made of it (raw-pages.ts: CSV per table). */
  | { kind: 'json-page'; stream: string; workspaceId: string; partition: string; page: RawPage }
  | { kind: 'partition-done'; stream: string; workspaceId: string; partition: string; requests: number; records: number }
  | { kind: 'warning'; stream?: string; workspaceId?: string; partition?: string; message: string }
  /**
   * Only with `partitionErrors: 'skip'`: a partition failed for good (e.g. FORBIDDEN for another
   * user's entries with a member's key); records of it already yielded must be rolled back.
   */
  | { kind: 'partition-error'; stream: string; workspaceId: string; partition: string; error: SyncError };

export interface ExtractOptions {
  /** Time entries with `timeInterval.start` ≥ start (default: all history). */
  start?: Date;
  /** Time entries with `timeInterval.start` < end (default: no end). */
  end?: Date;
  /**
   * Per partition (user id), a start that replaces `start` for that partition (e.g. widened to a
   * timer that was running at the last sync); undefined keeps `start`.
   */
  startFor?: (partition: string) => Date | undefined;
  /** Partitions fetched ahead at once (default 4; the client still paces and caps requests). */
  concurrency?: number;
  /** Pages held per partition fetched ahead (default 2). */
  bufferPages?: number;
  /** Only these parent ids become partitions (e.g. to resume some users); default all. */
  partitions?: readonly string[];
  /** These parent ids do not become partitions (e.g. users already done by an interrupted run). */
  skipPartitions?: readonly string[];
  /** The full stream table, for parents that are not selected (default STREAMS). */
  table?: readonly StreamDef[];
  signal?: AbortSignal;
  /**
   * A partitioned stream whose partition fails with an auth or config error (403, 400/501):
   * 'throw' (default) ends the extract; 'skip' yields `partition-error` and goes on.
   */
  partitionErrors?: 'throw' | 'skip';
  /**
   * For a partitioned stream read without a time window: the body decoder of its requests
   * (client.ts `decode`). Pages it returns as a RawPage come as `json-page` events, the others
   * (parsed records) as `records`.
   */
  rawPages?: (def: StreamDef) => ((body: Buffer) => unknown) | undefined;
}

/** Widening of the per-user time-entry window (largest UTC offsets: −12 h … +14 h). */
export const WINDOW_WIDENING_MS = 14 * 3600_000;

/** `yyyy-MM-ddThh:mm:ssZ`, the form the main API's `start`/`end` filters take. */
export function apiInstant(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface ParentData {
  ids: string[];
  /** For `fromParent` children: parent id → the list field's value (undefined when missing). */
  lists: Map<string, Map<string, unknown[] | undefined>>;
}

export async function* extractWorkspace(
  client: ClockifyClient,
  workspace: string | ClockifyRecord,
  streams: readonly StreamDef[],
  options: ExtractOptions = {},
): AsyncGenerator<ExtractEvent> {
  const table = options.table ?? STREAMS;
  const workspaceId = typeof workspace === 'string' ? workspace : workspace.id;
  const selected = new Set(streams.map((s) => s.name));
  const byName = new Map<string, StreamDef>([...table, ...streams].map((s) => [s.name, s]));
  // Streams to read: the selected ones and the parents they need.
  const toRead = new Set<string>(selected);
  for (const s of streams) {
    const parent = s.parent?.stream ?? s.fromParent?.stream;
    if (parent) toRead.add(parent);
  }
  const order = [...new Set([...table.map((s) => s.name), ...streams.map((s) => s.name)])].filter((n) => toRead.has(n));
  const parents = new Map<string, ParentData>();
  const wantedLists = new Map<string, string[]>(); // parent stream → fields children read from it
  for (const name of toRead) {
    const s = byName.get(name)!;
    if (s.parent) parents.set(s.parent.stream, parents.get(s.parent.stream) ?? { ids: [], lists: new Map() });
    if (s.fromParent) {
      parents.set(s.fromParent.stream, parents.get(s.fromParent.stream) ?? { ids: [], lists: new Map() });
      wantedLists.set(s.fromParent.stream, [...(wantedLists.get(s.fromParent.stream) ?? []), s.fromParent.field]);
    }
  }

  for (const name of order) {
    const def = byName.get(name)!;
    const emit = selected.has(name);
    const collect = parents.get(name);
    const fields = wantedLists.get(name) ?? [];
    const remember = (records: unknown[]) => {
      if (!collect) return;
      for (const r of records) {
        const rec = r as Record<string, unknown>;
        const id = rec?.id;
        if (typeof id !== 'string') continue;
        collect.ids.push(id);
        for (const f of fields) {
          let m = collect.lists.get(f);
          if (!m) collect.lists.set(f, (m = new Map()));
          const v = rec[f];
          m.set(id, Array.isArray(v) ? v : undefined);
        }
      }
    };

    if (def.partitioning === 'parent' && def.parent) {
      const ids = parents.get(def.parent.stream)?.ids ?? [];
      const only = options.partitions ? new Set(options.partitions) : undefined;
      const skip = new Set(options.skipPartitions ?? []);
      const chosen = ids.filter((id) => (!only || only.has(id)) && !skip.has(id));
      yield* partitioned(client, def, workspaceId, chosen, options, emit);
      continue;
    }

    if (def.fromParent) {
      const parent = parents.get(def.fromParent.stream);
      const lists = parent?.lists.get(def.fromParent.field) ?? new Map<string, unknown[] | undefined>();
      let requests = 0;
      let count = 0;
      let batch: unknown[] = [];
      for (const parentId of parent?.ids ?? []) {
        const list = lists.get(parentId);
        if (list) {
          batch.push(...list);
        } else {
          const chain = paginate(client, requestFor(def, workspaceId, parentId, options.signal));
          for await (const page of chain) batch.push(...page.items);
          requests += chain.requests;
          if (chain.warning) yield { kind: 'warning', stream: name, workspaceId, message: chain.warning };
        }
        if (batch.length >= 5000) {
          count += batch.length;
          if (emit) yield { kind: 'records', stream: name, workspaceId, partition: '', records: batch };
          remember(batch);
          batch = [];
        }
      }
      if (batch.length) {
        count += batch.length;
        if (emit) yield { kind: 'records', stream: name, workspaceId, partition: '', records: batch };
        remember(batch);
      }
      if (emit) yield { kind: 'partition-done', stream: name, workspaceId, partition: '', requests, records: count };
      continue;
    }

    if (name === 'workspaces' && typeof workspace !== 'string') {
      // Already read by listWorkspaces: no request.
      remember([workspace]);
      if (emit) {
        yield { kind: 'records', stream: name, workspaceId, partition: '', records: [workspace] };
        yield { kind: 'partition-done', stream: name, workspaceId, partition: '', requests: 0, records: 1 };
      }
      continue;
    }

    const chain = paginate(client, requestFor(def, workspaceId, undefined, options.signal));
    let count = 0;
    for await (const page of chain) {
      count += page.items.length;
      remember(page.items);
      if (emit && page.items.length) yield { kind: 'records', stream: name, workspaceId, partition: '', records: page.items };
    }
    if (chain.warning) yield { kind: 'warning', stream: name, workspaceId, message: chain.warning };
    if (emit) yield { kind: 'partition-done', stream: name, workspaceId, partition: '', requests: chain.requests, records: count };
  }
}

/** The request of a stream for a workspace (and a parent id for `{parent.id}`). */
export function requestFor(def: StreamDef, workspaceId: string, parentId?: string, signal?: AbortSignal, extraQuery?: Record<string, string>): PageRequest {
  const path = def.path
    .replace('{workspaceId}', encodeURIComponent(workspaceId))
    .replace('{parent.id}', encodeURIComponent(parentId ?? ''));
  return {
    api: def.api, method: def.method, path, template: def.path, query: { ...def.query, ...extraQuery }, body: def.body,
    pagination: def.pagination, itemsPath: def.itemsPath, signal,
  };
}

/** Keeps a time entry whose `timeInterval.start` is in [from, to). */
function inWindow(from: number, to: number) {
  return (r: unknown): boolean => {
    const start = (r as { timeInterval?: { start?: unknown } } | null)?.timeInterval?.start;
    if (typeof start !== 'string') return false;
    const t = Date.parse(start);
    return t >= from && t < to;
  };
}

async function* partitioned(
  client: ClockifyClient, def: StreamDef, workspaceId: string, ids: readonly string[], options: ExtractOptions, emit: boolean,
): AsyncGenerator<ExtractEvent> {
  if (!emit || ids.length === 0) return;
  const windowFor = (id: string) => {
    const startAt = options.startFor?.(id) ?? options.start;
    const windowed = startAt !== undefined || options.end !== undefined;
    const extraQuery: Record<string, string> = {};
    if (startAt) extraQuery.start = apiInstant(new Date(startAt.getTime() - WINDOW_WIDENING_MS));
    if (options.end) extraQuery.end = apiInstant(new Date(options.end.getTime() + WINDOW_WIDENING_MS));
    const keep = windowed ? inWindow(startAt?.getTime() ?? -Infinity, options.end?.getTime() ?? Infinity) : undefined;
    // A windowed read filters records client side: only a whole-history read can stay raw.
    const decode = windowed ? undefined : options.rawPages?.(def);
    return { extraQuery, keep, decode };
  };
  const ahead = Math.max(1, options.concurrency ?? 4);
  const controller = new AbortController();
  // Every request in flight and every buffer listens to it.
  setMaxListeners(0, controller.signal);
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const buffers: Array<PartitionBuffer<unknown[] | RawPage>> = [];
  const start = (i: number) => {
    const buffer = new PartitionBuffer<unknown[] | RawPage>(Math.max(1, options.bufferPages ?? 2), controller.signal);
    buffers[i] = buffer;
    const { extraQuery, keep, decode } = windowFor(ids[i]);
    const chain = paginate(client, { ...requestFor(def, workspaceId, ids[i], controller.signal, extraQuery), decode });
    (async () => {
      for await (const page of chain) {
        const items = page.raw ?? (keep ? page.items.filter(keep) : page.items);
        if (!(await buffer.push(items))) return;
      }
      buffer.finish(chain.requests, chain.warning);
    })().catch((error) => buffer.fail(error));
  };
  try {
    let launched = 0;
    for (let i = 0; i < ids.length; i++) {
      while (launched < ids.length && launched < i + ahead) start(launched++);
      const buffer = buffers[i];
      let count = 0;
      try {
        for (let page = await buffer.next(); page !== undefined; page = await buffer.next()) {
          if (!Array.isArray(page)) {
            count += page.count;
            yield { kind: 'json-page', stream: def.name, workspaceId, partition: ids[i], page };
            continue;
          }
          if (page.length === 0) continue;
          count += page.length;
          yield { kind: 'records', stream: def.name, workspaceId, partition: ids[i], records: page };
        }
      } catch (error) {
        const skippable = error instanceof SyncError && (error.kind === 'auth' || error.kind === 'config');
        if (options.partitionErrors !== 'skip' || !skippable) throw error;
        buffers[i] = undefined as unknown as PartitionBuffer<unknown[]>;
        yield { kind: 'partition-error', stream: def.name, workspaceId, partition: ids[i], error };
        continue;
      }
      buffers[i] = undefined as unknown as PartitionBuffer<unknown[]>;
      if (buffer.warning) yield { kind: 'warning', stream: def.name, workspaceId, partition: ids[i], message: buffer.warning };
      yield { kind: 'partition-done', stream: def.name, workspaceId, partition: ids[i], requests: buffer.requests, records: count };
    }
  } finally {
    controller.abort();
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}
