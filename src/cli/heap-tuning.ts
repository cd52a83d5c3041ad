import { setFlagsFromString } from 'node:v8';

/**
 * After each full garbage collection V8 lets the heap grow past what is alive, the more the
 * faster the program allocates. Process-wide: called by the commands that sync, once they know
 * whether the sync flattens pages in a worker (run-sync.ts `flattensPages`).
 *
 * When this thread parses pages (every row a JavaScript object), it allocates fast but keeps
 * little alive (~100 MB at 1M entries), and its heap stood at 220-280 MB: the growth is capped
 * at 20 % over the live size, which keeps it near 100 MB for about a second more of collection
 * per million entries.
 *
 * When a worker flattens the pages, this thread keeps ~16 MB alive, and at 20 % it ran about
 * 140 full collections per million entries. At 100 % the 1M-entry bench used 1.6–2.8 s less
 * CPU and ran 5–10 % faster, at the same peak RSS (two pairs of runs: 374 and 385 against 379
 * and 375 MB).
 */
export function tuneHeapForSync(pagesFlattened: boolean): void {
  setFlagsFromString(`--heap-growing-percent=${pagesFlattened ? 100 : 20}`);
}
