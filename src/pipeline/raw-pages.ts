/**
 * Raw pages: a whole-history read of a partitioned stream (time entries per user) into a
 * destination that loads JSON itself (DuckDB) keeps each page as its bytes when the page fits
 * the stream's plan (json-shape.ts). Such a page is never parsed in JavaScript: the destination
 * flattens it (duckdb-json.ts). A page that does not fit (a field the plan does not know, a value
 * of another type) is parsed and normalized as usual, and the plan learns from it.
 */
import { isUtf8 } from 'node:buffer';
import type { RawPage } from '../clockify/paginate.ts';
import { scanJsonPage, shapeOf, versionOf, type JsonPageScan, type JsonShape } from '../normalize/json-shape.ts';
import type { Normalizer } from '../normalize/normalizer.ts';
import type { StreamDef } from '../streams/stream-types.ts';

export type ScannedPage = RawPage & JsonPageScan;

/** The body decoder of a stream's requests (undefined: the stream is read as usual). */
export function rawPageDecoder(normalizer: Normalizer): (def: StreamDef) => ((body: Buffer) => unknown) | undefined {
  return (def) => {
    if (def.partitioning !== 'parent' || def.itemsPath || def.pagination.kind !== 'query') return undefined;
    const plan = normalizer.planFor(def.name);
    let shape: JsonShape | null = shapeOf(plan);
    if (!shape) return undefined;
    return (body) => {
      if (shape && shape.version !== versionOf(plan)) shape = shapeOf(plan);
      const scan = scanJsonPage(body, shape);
      if (!scan) throw new Error('the body is not a complete JSON array');
      // Invalid UTF-8 (which DuckDB refuses) is parsed, as TextDecoder does, with U+FFFD.
      if (scan.fits && scan.count > 0 && isUtf8(body)) return { raw: true, body, ...scan } satisfies ScannedPage;
      return JSON.parse(body.toString('utf8'));
    };
  };
}
