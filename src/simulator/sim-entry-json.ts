/**
 * The non-hydrated time entry of the main API (`TimeEntryWithRatesDtoV1`, see `renderTimeEntry`
 * in sim-render.ts) written straight from the entry table's columns to a JSON string: no
 * TimeEntry object, no object per entry for JSON.stringify. The text is byte for byte
 * `JSON.stringify(renderTimeEntry(store, store.entryAt(n), { hydrated: false, showRates }))`
 * (test/simulator-render-fast.test.ts holds it to that).
 *
 * Interned values (strings, tag sets) are immutable, so their JSON forms are cached for the life
 * of the store. What can change between answers (a workspace's currency and lock date, custom
 * field names) is read once per `EntryJsonWriter`, i.e. once per answer.
 */
import type { CustomField } from './model.ts';
import { TYPES } from './sim-entry-table.ts';
import type { EntryColumns, EntryTable } from './sim-entry-table.ts';
import type { MemoryStore } from './sim-store.ts';
import { isoDuration, isoUtc } from './sim-render.ts';

const TYPE_JSON = TYPES.map((t) => JSON.stringify(t));


/** `,"name":<json>` of a property, or '' when JSON.stringify leaves the property out (undefined). */
function prop(name: string, value: unknown): string {
  const v = JSON.stringify(value);
  return v === undefined ? '' : `,"${name}":${v}`;
}

/** Long-lived JSON caches of one store's interned values. */
export class EntryJsonCache {
  private readonly stringJson: (string | undefined)[] = [];
  private readonly tagSetJson: (string | undefined)[] = [];
  /** Bytes per entry of the last answer (sizes the next answer's buffer). */
  bytesPerEntry = 800;

  constructor(readonly store: MemoryStore) {}

  /** JSON of interned string i. */
  str(strings: readonly string[], i: number): string {
    return (this.stringJson[i] ??= JSON.stringify(strings[i]));
  }

  /** JSON of tag set i (`null` for -1, as the API renders an entry without tags). */
  tags(sets: readonly (readonly string[])[], i: number): string {
    return i < 0 ? 'null' : (this.tagSetJson[i] ??= JSON.stringify(sets[i]));
  }

  /** A writer for one answer (reads workspace settings and field names now). */
  writer(showRates: boolean): EntryJsonWriter {
    return new EntryJsonWriter(this, this.store.entries, showRates);
  }
}

interface WorkspaceBits {
  /** `,"currency":"USD"}` closing a rate object. */
  rateTail: string;
  lockDate: number | null;
  fields: CustomField[];
}

export class EntryJsonWriter {
  private readonly cols: EntryColumns;
  private readonly wsBits = new Map<number, WorkspaceBits>();
  /** Per (workspace, custom-field-value set): the JSON of each value split around the entry id. */
  private readonly cfvParts = new Map<string, string[]>();

  constructor(private readonly cache: EntryJsonCache, private readonly table: EntryTable, private readonly showRates: boolean) {
    this.cols = table.columns();
  }

  private workspaceBits(wsIndex: number): WorkspaceBits {
    let b = this.wsBits.get(wsIndex);
    if (!b) {
      const wsId = this.cols.strings[wsIndex];
      const ws = this.cache.store.workspace(wsId);
      b = { rateTail: `,"currency":${JSON.stringify(ws?.currencyCode ?? 'USD')}}`, lockDate: ws?.lockDate ?? null, fields: this.cache.store.customFields(wsId) };
      this.wsBits.set(wsIndex, b);
    }
    return b;
  }

  /** `[...]` of the custom field values of set `set`, with the entry id `id`. */
  private customFieldValues(wsIndex: number, bits: WorkspaceBits, set: number, id: string): string {
    if (set < 0) return '[]';
    const key = `${wsIndex}:${set}`;
    let parts = this.cfvParts.get(key);
    if (!parts) {
      // parts[2k] + id + parts[2k+1] is value k.
      parts = [];
      for (const v of this.cols.cfvSets[set]) {
        const name = bits.fields.find((f) => f.id === v.customFieldId)?.name ?? '';
        const fieldId = JSON.stringify(v.customFieldId);
        parts.push(`{${fieldId === undefined ? '' : `"customFieldId":${fieldId},`}"timeEntryId":"`,
          `"${prop('name', name)}${prop('type', v.source)}${prop('value', v.value)}}`);
      }
      this.cfvParts.set(key, parts);
    }
    let out = '[';
    for (let k = 0; k < parts.length; k += 2) out += (k ? ',' : '') + parts[k] + id + parts[k + 1];
    return out + ']';
  }

  /** The JSON of row n. */
  entry(n: number): string {
    const c = this.cols;
    const cache = this.cache;
    const s = c.strings;
    const wsIndex = c.ws[n];
    const bits = this.workspaceBits(wsIndex);
    const id = this.table.idOf(n);
    const start = c.startMs[n];
    const end = c.endMs[n];
    const f = c.flags[n];
    const running = Number.isNaN(end);
    let rates: string;
    if (this.showRates) {
      const h = c.hourly[n];
      const k = c.cost[n];
      rates = `"hourlyRate":${h < 0 ? 'null' : `{"amount":${h}${bits.rateTail}`},"costRate":${k < 0 ? 'null' : `{"amount":${k}${bits.rateTail}`}`;
    } else rates = '"hourlyRate":null,"costRate":null';
    return '{"id":"' + id +
      '","description":' + cache.str(s, c.desc[n]) +
      ',"userId":' + cache.str(s, c.user[n]) +
      ',"workspaceId":' + cache.str(s, wsIndex) +
      ',"projectId":' + (c.project[n] < 0 ? 'null' : cache.str(s, c.project[n])) +
      ',"taskId":' + (c.task[n] < 0 ? 'null' : cache.str(s, c.task[n])) +
      ',"tagIds":' + cache.tags(c.tagSets, c.tagSet[n]) +
      ',"billable":' + ((f & 1) === 1 ? 'true' : 'false') +
      ',"isLocked":' + (bits.lockDate != null && start < bits.lockDate ? 'true' : 'false') +
      ',"type":' + TYPE_JSON[(f >> 2) & 3] +
      ',"kioskId":null,"timeInterval":{"start":"' + isoUtc(start) +
      (running ? '","end":null,"duration":null},' : '","end":"' + isoUtc(end) + '","duration":"' + isoDuration(end - start) + '"},') +
      rates +
      ',"customFieldValues":' + this.customFieldValues(wsIndex, bits, c.cfv[n], id) + '}';
  }

  /** `[...]` of the given rows. */
  array(rows: readonly number[]): string {
    let out = '[';
    for (let i = 0; i < rows.length; i++) out += (i ? ',' : '') + this.entry(rows[i]);
    return out + ']';
  }

  /**
   * `[...]` of the given rows as UTF-8 bytes. Each entry's (small) string is encoded on its own
   * straight into the answer's buffer (sized from the bytes per entry seen so far, grown when
   * short), so no page-long string is ever built, flattened or encoded as a whole.
   */
  arrayBytes(rows: readonly number[]): Uint8Array {
    const cache = this.cache;
    let buf = Buffer.allocUnsafeSlow(Math.ceil(rows.length * cache.bytesPerEntry * 1.2) + 1024);
    let pos = 0;
    buf[pos++] = 0x5b; // [
    for (let i = 0; i < rows.length; i++) {
      const text = this.entry(rows[i]);
      // Worst case 3 bytes per UTF-16 unit, plus the comma and the closing bracket.
      if (pos + text.length * 3 + 2 > buf.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, pos + text.length * 3 + 2));
        buf.copy(bigger, 0, 0, pos);
        buf = bigger;
      }
      if (i) buf[pos++] = 0x2c; // ,
      pos += buf.write(text, pos, 'utf8');
    }
    buf[pos++] = 0x5d; // ]
    if (rows.length) cache.bytesPerEntry = Math.max(64, pos / rows.length);
    return buf.subarray(0, pos);
  }
}
