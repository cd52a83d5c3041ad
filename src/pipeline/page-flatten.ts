/**
 * One raw page checked and flattened (json-shape.ts, json-flatten.ts), as the page flattener
 * does it in its worker thread or in this one (page-flattener.ts).
 */
import { isUtf8 } from 'node:buffer';
import { flattenPage, type FlatShape } from '../normalize/json-flatten.ts';
import { scanJsonPage, type JsonPageScan, type JsonShape } from '../normalize/json-shape.ts';

/** What became of a page: not a complete JSON array, to be parsed, or flattened. */
export type FlattenResult =
  | { kind: 'invalid' }
  | { kind: 'parse'; scan: JsonPageScan; body: Buffer }
  | { kind: 'flat'; scan: JsonPageScan; tables: Uint8Array[] };

/** Scans a page and flattens it when it fits (a page of invalid UTF-8 or with a record without its key is left to be parsed). */
export function flattenRaw(body: Buffer, shape: JsonShape, flat: FlatShape): FlattenResult {
  const scan = scanJsonPage(body, shape);
  if (!scan) return { kind: 'invalid' };
  // Invalid UTF-8 (which DuckDB refuses) is parsed, as TextDecoder does, with U+FFFD.
  if (scan.fits && scan.count > 0 && isUtf8(body)) {
    const page = flattenPage(body, flat);
    if (page) return { kind: 'flat', scan, tables: page.tables };
  }
  return { kind: 'parse', scan, body };
}

/** Messages to the worker: a page, with its shape the first time that shape is used. */
export type ToWorker =
  | { id: number; shapeId: number; shape?: { json: JsonShape; flat: FlatShape }; body: Uint8Array; recycle?: undefined }
  /** Buffers of flat pages written (PageFlattener.recycle), for the worker's next pages. */
  | { recycle: ArrayBuffer[] };
export type FromWorker = { id: number; result?: FlattenResult; error?: string };
