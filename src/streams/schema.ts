/**
 * The record schemas of the stream table: a small JSON-Schema subset, used only for column
 * names and types (never to reject a record). Everything may be null. Builders keep the stream
 * table short: `obj({ id: str, timeInterval: obj({ start: ts, end: ts, duration: dur }) })`.
 */

export type FieldSchema =
  | { type: 'string'; format?: 'date-time' | 'date' | 'duration' }
  | { type: 'integer' }
  | { type: 'number' }
  | { type: 'boolean' }
  /** Any JSON value (mixed types, e.g. a custom field's value): stored as JSON. */
  | { type: 'any' }
  | { type: 'object'; properties: Record<string, FieldSchema> }
  | { type: 'array'; items: FieldSchema };

export type ObjectSchema = Extract<FieldSchema, { type: 'object' }>;

export const str: FieldSchema = { type: 'string' };
/** UTC timestamp `yyyy-MM-ddThh:mm:ssZ` → timestamptz. */
export const ts: FieldSchema = { type: 'string', format: 'date-time' };
/** `yyyy-MM-dd` → date. */
export const date: FieldSchema = { type: 'string', format: 'date' };
/** ISO 8601 duration (`PT1H30M`) → text, plus a `<name>_seconds` bigint column. */
export const dur: FieldSchema = { type: 'string', format: 'duration' };
export const int: FieldSchema = { type: 'integer' };
export const num: FieldSchema = { type: 'number' };
export const bool: FieldSchema = { type: 'boolean' };
export const any: FieldSchema = { type: 'any' };
export const obj = (properties: Record<string, FieldSchema>): ObjectSchema => ({ type: 'object', properties });
export const arr = (items: FieldSchema): FieldSchema => ({ type: 'array', items });

/** `{amount: int (cents), currency}` (REFERENCE §5). */
export const rate = obj({ amount: int, currency: str });
/** MembershipDtoV1 */
export const membership = obj({ userId: str, targetId: str, membershipType: str, membershipStatus: str, hourlyRate: rate, costRate: rate });
