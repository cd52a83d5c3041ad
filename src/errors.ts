/**
 * Every error a user can hit is a SyncError: a stable code, a message that says what
 * happened and what to do, and the exit status the CLI uses.
 *
 * Exit statuses: 0 success, 1 failure, 2 usage or configuration error,
 * 3 finished with some streams incomplete.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, incomplete: 3 } as const;

export type ErrorKind = 'config' | 'auth' | 'transient' | 'system' | 'destination';

export class SyncError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly exitCode: number;
  readonly hint?: string;

  constructor(code: string, message: string, opts: { kind?: ErrorKind; exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SyncError';
    this.code = code;
    this.kind = opts.kind ?? 'system';
    this.exitCode = opts.exitCode ?? (this.kind === 'config' ? EXIT.usage : EXIT.failure);
    this.hint = opts.hint;
  }
}

export function configError(code: string, message: string, hint?: string): SyncError {
  return new SyncError(code, message, { kind: 'config', exitCode: EXIT.usage, hint });
}
