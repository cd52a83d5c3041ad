import { setFlagsFromString } from 'node:v8';
import type { Destination } from '../destinations/destination.ts';

/**
 * After each full garbage collection V8 lets the heap grow past what is alive, the more the
 * faster the program allocates. Process-wide: called by the commands that sync, once the
 * destination is known.
 *
 * When this thread parses pages (every row a JavaScript object), it allocates fast but keeps
 * little alive (~100 MB at 1M entries), and its heap stood at 220-280 MB: the growth is capped
 * at 20 % over the live size, which keeps it near 100 MB for about a second more of collection
 * per million entries.
 *
 * When a worker flattens the pages (a destination with flat pages, unless CLOCKIFY_RAW_PAGES=0),
 * this thread keeps ~16 MB alive, and at 20 % it ran about 140 full collections per million
 * entries. At 100 % the 1M-entry bench used 1.6–2.8 s less CPU and ran 5–10 % faster, at the
 * same peak RSS (two pairs of runs: 374 and 385 against 379 and 375 MB).
 */
export function tuneHeapForSync(destination?: Destination): void {
  const flat = destination?.capabilities?.flatPages === true && process.env.CLOCKIFY_RAW_PAGES !== '0';
  setFlagsFromString(`--heap-growing-percent=${flat ? 100 : 20}`);
}
