/** Column and table names: lowercase snake_case of the API's field names, nested with `__`. */

const cache = new Map<string, string>();

/**
 * `timeInterval` → `time_interval`, `isLocked` → `is_locked`, `userIDs` → `user_ids`,
 * `page-size` → `page_size`, `_id` → `id`. Letters of any script are kept (lowercased); other
 * characters become `_`; a leading digit gets a `_` prefix; never empty.
 */
export function snakeCase(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  let out = name
    .replace(/([\p{Ll}\p{Nd}])(\p{Lu})/gu, '$1_$2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1_$2')
    .toLowerCase()
    .replace(/[^\p{L}\p{Nd}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  if (out === '') out = 'field';
  if (/^\p{Nd}/u.test(out)) out = `_${out}`;
  if (cache.size < 10_000) cache.set(name, out);
  return out;
}

/** `hourly_rate` + `amount` → `hourly_rate__amount`. */
export function nested(prefix: string, name: string): string {
  return prefix ? `${prefix}__${name}` : name;
}
