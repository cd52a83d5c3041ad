/**
 * Raw pages: a whole-history read of a partitioned stream (time entries per user) into a
 * destination that loads flat pages (DuckDB) keeps each page as its bytes while it is checked
 * against the stream's plan (json-shape.ts). A page that fits is never parsed in JavaScript: it
 * is flattened byte by byte into CSV per table (json-flatten.ts), which the destination loads.
 * A page that does not fit (a field the plan does not know, a value of another type, a record
 * without its key) is parsed and normalized as usual, and the plan learns from it. The checking
 * and flattening run in a worker thread (page-flattener.ts).
 */
import type { RawPage } from '../clockify/paginate.ts';
import { flatShapeOf, type FlatPage, type FlatShape } from '../normalize/json-flatten.ts';
import { shapeOf, versionOf, type JsonPageScan, type JsonShape } from '../normalize/json-shape.ts';
import type { Normalizer } from '../normalize/normalizer.ts';
import type { StreamDef } from '../streams/stream-types.ts';
import type { PageFlattener } from './page-flattener.ts';

export type ScannedPage = RawPage & JsonPageScan & { flat: FlatPage };

let shapeIds = 0;

/** The body decoder of a stream's requests (undefined: the stream is read as usual). */
export function rawPageDecoder(normalizer: Normalizer, flattener: PageFlattener): (def: StreamDef) => ((body: Buffer) => Promise<unknown>) | undefined {
  return (def) => {
    if (def.partitioning !== 'parent' || def.itemsPath || def.pagination.kind !== 'query') return undefined;
    const plan = normalizer.planFor(def.name);
    const first = shapeOf(plan);
    if (!first) return undefined;
    let current: { id: number; json: JsonShape; flat: FlatShape } | null = { id: shapeIds++, json: first, flat: flatShapeOf(plan) };
    return async (body) => {
      if (current && current.json.version !== versionOf(plan)) {
        // The plan learned a field: a new shape (or none, if a learned column type has no flat form).
        const json = shapeOf(plan);
        current = json && { id: shapeIds++, json, flat: flatShapeOf(plan) };
      }
      if (!current) return JSON.parse(body.toString('utf8'));
      const { flat } = current;
      const r = await flattener.flatten(current.id, current.json, flat, body);
      if (r.kind === 'invalid') throw new Error('the body is not a complete JSON array');
      if (r.kind === 'flat') return { raw: true, ...r.scan, flat: { shape: flat, tables: r.tables } } satisfies ScannedPage;
      return JSON.parse(r.body.toString('utf8'));
    };
  };
}
