#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EXIT, SyncError } from '../errors.ts';
import { redact } from '../secrets.ts';
import { registerCommands } from './commands/index.ts';

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

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('clockify-sync')
    .description('Sync Clockify data (every entity and the Summary/Detailed/Weekly reports) into DuckDB, PostgreSQL or files.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  registerCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (err) {
    return reportError(err, argv.includes('--verbose'));
  }
}

const invokedDirectly = process.argv[1] && /(?:^|[\\/])(main\.ts|clockify-sync(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly || process.env.CLOCKIFY_SYNC_CLI === '1') {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => process.exit(reportError(err, false)),
  );
}
