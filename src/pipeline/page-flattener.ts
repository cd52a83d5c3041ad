/**
 * Where raw pages are checked and flattened (page-flatten.ts): in a worker thread by default,
 * so that the event loop, which hands the destination its next statement, is not held up for
 * the 10–25 ms a page takes, and the work runs beside DuckDB's on another core; or in this
 * thread (`inThreadFlattener`, for tests and as the fallback when a worker cannot start).
 *
 * The worker runs plain JavaScript: its TypeScript sources are bundled by esbuild when it starts
 * (about 60 ms), so it loads no TypeScript loader of its own (a worker started through tsx took
 * 26 MB at rest, this one 9 MB). It holds a copy of each shape (sent once, by id); page bodies
 * travel to it and their CSV back without copies (transferred ArrayBuffers).
 */
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { recycleFlatOutput, type FlatShape } from '../normalize/json-flatten.ts';
import type { JsonShape } from '../normalize/json-shape.ts';
import { flattenRaw, type FlattenResult, type FromWorker, type ToWorker } from './page-flatten.ts';

export interface PageFlattener {
  flatten(shapeId: number, shape: JsonShape, flat: FlatShape, body: Buffer): Promise<FlattenResult>;
  /**
   * The CSV of flat pages is written and will not be read again: its buffers go back to be
   * reused (to the worker: transferred, so a later read here would find them empty).
   */
  recycle(tables: readonly Uint8Array[]): void;
  close(): Promise<void>;
}

/** The distinct whole buffers under `tables` (a table's CSV has one of its own). */
function buffersOf(tables: readonly Uint8Array[]): ArrayBuffer[] {
  return [...new Set(tables.map((t) => t.buffer as ArrayBuffer))].filter((b) => b.byteLength > 0);
}

export function inThreadFlattener(): PageFlattener {
  return {
    flatten: async (_id, shape, flat, body) => flattenRaw(body, shape, flat),
    recycle: (tables) => recycleFlatOutput(buffersOf(tables)),
    close: async () => {},
  };
}

/**
 * The worker's young generation: it keeps almost nothing alive, and V8's default let it touch
 * tens of MB. At 1M entries, 4 MB gave peak RSS of 448–465 MB against 486–489 at the default.
 */
const WORKER_YOUNG_MB = 4;

let workerCode: string | undefined;

/** The worker's sources bundled into one CommonJS script (once per process). */
function bundledWorker(): string {
  workerCode ??= buildSync({
    entryPoints: [fileURLToPath(new URL('./page-flattener-worker.ts', import.meta.url))],
    bundle: true, format: 'cjs', platform: 'node', target: 'node20', write: false, logLevel: 'silent',
  }).outputFiles[0].text;
  return workerCode;
}

/**
 * A flattener running in one worker thread (started on first use; unref'd, so it never keeps
 * the process alive). If the worker cannot start or dies, later pages are flattened in this thread.
 */
export function workerFlattener(): PageFlattener {
  let worker: Worker | undefined;
  let broken = false;
  const sent = new Set<number>();
  const pending = new Map<number, { resolve: (r: FlattenResult) => void; reject: (e: Error) => void }>();
  let seq = 0;
  const fail = (err: Error) => {
    broken = true;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const start = (): Worker | undefined => {
    let w: Worker;
    try {
      w = new Worker(bundledWorker(), { eval: true, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
    } catch {
      broken = true;
      return undefined;
    }
    w.unref();
    w.on('message', (m: FromWorker) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.result) p.resolve(revive(m.result));
      else p.reject(new Error(m.error ?? 'the page worker failed'));
    });
    w.on('error', (err) => fail(err));
    w.on('exit', () => fail(new Error('the page worker stopped')));
    return w;
  };
  const local = inThreadFlattener();
  return {
    flatten(shapeId, shape, flat, body) {
      if (!broken) worker ??= start();
      const w = worker;
      if (broken || !w) return local.flatten(shapeId, shape, flat, body);
      const id = seq++;
      const msg: ToWorker = { id, shapeId, body };
      if (!sent.has(shapeId)) {
        msg.shape = { json: shape, flat };
        sent.add(shapeId);
      }
      // A body sharing its memory with others (a small, pooled Buffer) is copied before the transfer.
      if (body.byteOffset !== 0 || body.byteLength !== body.buffer.byteLength) msg.body = Uint8Array.prototype.slice.call(body);
      // The body is transferred: if the worker dies with it, the request fails as an invalid body
      // and is retried, and from then on pages are flattened in this thread.
      return new Promise<FlattenResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage(msg, [msg.body.buffer as ArrayBuffer]);
      });
    },
    recycle(tables) {
      if (broken || !worker) return;
      const buffers = buffersOf(tables);
      if (buffers.length) worker.postMessage({ recycle: buffers } satisfies ToWorker, buffers);
    },
    async close() {
      broken = true;
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}

/** Buffers come back from the worker as plain Uint8Arrays. */
function revive(r: FlattenResult): FlattenResult {
  if (r.kind === 'parse') return { ...r, body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength) };
  return r;
}
