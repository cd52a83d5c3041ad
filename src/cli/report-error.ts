import { CommanderError } from 'commander';
import { EXIT, SyncError } from '../errors.ts';
import { redact } from '../secrets.ts';

/** Prints a user-facing error (never a stack trace unless --verbose) and returns the exit status. */
export function reportError(err: unknown, verbose: boolean, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (err instanceof SyncError) {
    write(redact(`error [${err.code}]: ${err.message}\n`));
    if (err.hint) write(redact(`  → ${err.hint}\n`));
    if (verbose && err.cause) write(redact(`  cause: ${String((err.cause as Error)?.stack ?? err.cause)}\n`));
    return err.exitCode;
  }
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  const e = err as Error;
  write(redact(`error [INTERNAL]: ${e?.message ?? String(err)}\n`));
  write('  → This is a bug in clockify-sync; please report it with the command you ran (run with --verbose for details).\n');
  if (verbose && e?.stack) write(redact(e.stack + '\n'));
  return EXIT.failure;
}

